"""An in-memory transport pair: a bus and a scripted peer in one process, no socket.

``client, server = memory_pair()``; give the bus ``connector=lambda: ...client...`` and drive the
other end from the test. Frames keep their order; ``close`` delivers a close code to the peer;
``abort`` drops the link without one. Each end holds at most ``maxsize`` unread frames, and a
sender waits for room, like a socket's buffers.
"""

from __future__ import annotations

import asyncio
from collections import deque

from ._errors import TransportClosed

__all__ = ["MemoryTransport", "memory_pair"]


class MemoryTransport:
    """One end of a :func:`memory_pair`; a :class:`~realtime_bus.transport.Transport`."""

    def __init__(self, maxsize: int = 1024) -> None:
        self.peer: MemoryTransport | None = None
        self.maxsize = maxsize
        self.sent: list[bytes | str] = []
        """Every frame this end wrote, in order (for tests)."""
        self._frames: deque[bytes | str] = deque()
        self._readable = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._ended = asyncio.Event()
        self._closed: TransportClosed | None = None

    def _end(self, closed: TransportClosed) -> None:
        if self._closed is None:
            self._closed = closed
            self._readable.set()
            self._room.set()
            self._ended.set()

    async def recv(self) -> bytes | str:
        """The next frame the peer sent; :class:`TransportClosed` once closed and drained."""
        while not self._frames:
            if self._closed is not None:
                raise self._closed
            self._readable.clear()
            await self._readable.wait()
        frame = self._frames.popleft()
        if len(self._frames) < self.maxsize:
            self._room.set()
        return frame

    async def send(self, frame: bytes | str) -> None:
        """Hand ``frame`` to the peer, waiting while its buffer is full."""
        peer = self.peer
        assert peer is not None, "use memory_pair()"
        while True:
            if self._closed is not None:
                raise self._closed
            if len(peer._frames) < peer.maxsize:
                break
            peer._room.clear()
            await peer._room.wait()
        self.sent.append(frame)
        peer._frames.append(frame)
        peer._readable.set()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close both ends; the peer learns ``code`` and ``reason``."""
        detail = f" ({reason})" if reason else ""
        self._end(
            TransportClosed(
                f"closed by the client with code {code}{detail}",
                code=code,
                reason=reason,
                by_client=True,
            )
        )
        if self.peer is not None:
            self.peer._end(
                TransportClosed(
                    f"closed by server with code {code}{detail}", code=code, reason=reason
                )
            )

    def abort(self) -> None:
        """Drop both ends without a close code."""
        dropped = TransportClosed("connection dropped without a close frame")
        self._end(dropped)
        if self.peer is not None:
            self.peer._end(dropped)

    async def wait_closed(self) -> TransportClosed:
        """Wait until this end is closed; return why."""
        await self._ended.wait()
        assert self._closed is not None
        return self._closed

    @property
    def closed(self) -> bool:
        """Whether this end is closed."""
        return self._closed is not None


def memory_pair(maxsize: int = 1024) -> tuple[MemoryTransport, MemoryTransport]:
    """Two connected ends: what one sends, the other receives."""
    a, b = MemoryTransport(maxsize), MemoryTransport(maxsize)
    a.peer, b.peer = b, a
    return a, b
