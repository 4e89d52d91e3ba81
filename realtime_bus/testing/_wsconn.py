"""One WebSocket connection: the ``websockets`` sans-I/O core driven over an asyncio transport.

The core parses frames, answers pings and closes, and serialises what we send; this module moves
bytes between it and the transport. Outgoing frames of one event-loop turn are written with one
``transport.write``; the transport's ``pause_writing`` / ``resume_writing`` callbacks gate
:meth:`WebSocketConnection.drain`, so a slow client slows the sender instead of growing memory.

Owning the I/O makes the faults simple: not reading stalls pings, discarding the core's reply
to a close frame leaves a close unanswered, and ``transport.abort()`` drops the TCP connection
without a close frame.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from typing import Any, Literal

from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol

__all__ = ["WebSocketConnection"]

CLOSE_TIMEOUT = 5.0
"""Seconds the server waits for the client to answer its close frame before dropping TCP."""

_DATA = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)

WRITE_HIGH_WATER = 512 * 1024
"""Bytes buffered in the transport before senders wait (a few hundred ms of audio frames)."""


class WebSocketConnection:
    """The server side of one open WebSocket over an asyncio transport.

    ``on_message(data, is_text)`` receives each complete message; ``on_closed()`` is called once
    when the TCP connection is gone.
    """

    def __init__(
        self,
        transport: asyncio.Transport,
        protocol: ServerProtocol,
        on_message: Callable[[bytes, bool], None],
        on_closed: Callable[[], None],
    ) -> None:
        self.transport = transport
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        self.protocol = protocol
        self._on_message = on_message
        self._on_closed = on_closed
        self._loop = asyncio.get_running_loop()
        self._fragments: list[bytes] = []
        self._fragment_is_text = True
        self._flush_scheduled = False
        self._writable = asyncio.Event()
        self._writable.set()
        self._closed = self._loop.create_future()
        self._close_timer: asyncio.TimerHandle | None = None
        self._delayed: collections.deque[tuple[float, bytes]] = collections.deque()
        self._delay_task: asyncio.Task[None] | None = None
        self.stalled = False
        """While true nothing is read (pings go unanswered) and nothing is written."""
        self.never_answer_close = False
        """While true a close frame from the client is swallowed: no reply, TCP stays open."""
        self.frame_delay = 0.0
        """Seconds each outgoing frame is held before it is written (0: none)."""
        self.tap: Callable[[Literal["in", "out"], bytes], None] | None = None
        """Told of every message, seen from the client's side (``in``: sent by the server)."""

    # -- state -----------------------------------------------------------------------------

    @property
    def open(self) -> bool:
        """Whether data frames can still be sent."""
        return self.protocol.state is State.OPEN and not self._closed.done()

    @property
    def closed(self) -> bool:
        """Whether the TCP connection is gone."""
        return self._closed.done()

    @property
    def close_code(self) -> int | None:
        """The close code sent or received, if any."""
        close = self.protocol.close_rcvd or self.protocol.close_sent
        return None if close is None else int(close.code)

    async def wait_closed(self) -> None:
        """Return once the TCP connection is gone."""
        await asyncio.shield(self._closed)

    # -- sending ---------------------------------------------------------------------------

    def send_text(self, data: bytes | str) -> None:
        """Queue one text frame; it is written at the end of this event-loop turn."""
        if isinstance(data, str):
            data = data.encode()
        if self.tap is not None:
            self.tap("in", data)
        if self.frame_delay > 0:
            if self.open:
                self._send_later(data)
            return
        try:
            self.protocol.send_text(data)
        except InvalidState:
            return  # closing or closed: what is sent now would be dropped anyway
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self.flush)

    def send_raw(self, data: bytes) -> None:
        """Write bytes to the socket as they are (for malformed frames)."""
        self.flush()
        if not self._closed.done():
            self.transport.write(data)

    def flush(self) -> None:
        """Write everything the protocol core has queued, in one write."""
        self._flush_scheduled = False
        if self.stalled or self._closed.done():
            return
        chunks = self.protocol.data_to_send()
        if not chunks:
            return
        eof = chunks[-1] == b""
        if eof:
            chunks.pop()
        if chunks:
            self.transport.write(b"".join(chunks) if len(chunks) > 1 else chunks[0])
        if eof:
            # The core ends the stream after the closing handshake (or on a protocol error):
            # a server closes TCP first.
            self.transport.close()

    async def drain(self) -> None:
        """Flush, then wait while the transport's buffer is over its high-water mark."""
        self.flush()
        if not self._writable.is_set():
            closed = self._closed
            waiter = asyncio.ensure_future(self._writable.wait())
            try:
                await asyncio.wait({waiter, closed}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()

    @property
    def writable(self) -> bool:
        """Whether the transport takes more data without waiting."""
        return self._writable.is_set()

    async def cooperate(self) -> None:
        """Let the event loop run: write what is queued, and wait while the client is slow."""
        if self._writable.is_set():
            self.flush()
            await asyncio.sleep(0)
        else:
            await self.drain()

    def _send_later(self, data: bytes) -> None:
        self._delayed.append((self._loop.time() + self.frame_delay, data))
        if self._delay_task is None or self._delay_task.done():
            self._delay_task = self._loop.create_task(self._write_delayed())

    async def _write_delayed(self) -> None:
        while self._delayed and not self._closed.done():
            due, data = self._delayed[0]
            wait = due - self._loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            self._delayed.popleft()
            if self.protocol.state is State.OPEN:
                self.protocol.send_text(data)
                self.flush()

    # -- closing ---------------------------------------------------------------------------

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake; TCP is dropped if the client does not answer in time."""
        if self.protocol.state is not State.OPEN or self._closed.done():
            return
        self.protocol.send_close(code, reason)
        self.stalled = False
        self.flush()
        self._close_timer = self._loop.call_later(CLOSE_TIMEOUT, self.abort)

    def abort(self) -> None:
        """Drop the TCP connection at once, without a close frame."""
        if not self._closed.done():
            self.transport.abort()

    def stall(self) -> None:
        """Stop reading and writing, leaving the TCP connection open."""
        self.stalled = True
        if not self._closed.done():
            self.transport.pause_reading()

    def resume(self) -> None:
        """Undo :meth:`stall`: read again and write what was held back."""
        self.stalled = False
        if not self._closed.done():
            self.transport.resume_reading()
            self.flush()

    # -- transport callbacks (called by the listener) --------------------------------------

    def data_received(self, data: bytes) -> None:
        """Feed bytes from the socket to the protocol core and deliver complete messages."""
        self.protocol.receive_data(data)
        for frame in self.protocol.events_received():
            if not isinstance(frame, Frame):
                continue
            opcode = frame.opcode
            data = frame.data if isinstance(frame.data, bytes) else bytes(frame.data)
            if opcode in _DATA:
                if opcode is not Opcode.CONT:
                    self._fragment_is_text = opcode is Opcode.TEXT
                if frame.fin and not self._fragments:
                    if self.tap is not None:
                        self.tap("out", data)
                    self._on_message(data, self._fragment_is_text)
                    continue
                self._fragments.append(data)
                if frame.fin:
                    message = b"".join(self._fragments)
                    self._fragments.clear()
                    if self.tap is not None:
                        self.tap("out", message)
                    self._on_message(message, self._fragment_is_text)
            elif opcode is Opcode.CLOSE and self.never_answer_close:
                # Swallow the core's reply (close frame and end of stream): the client waits.
                self.protocol.data_to_send()
                return
        self.flush()

    def connection_lost(self, exc: Exception | None) -> None:
        """The TCP connection is gone."""
        if self._closed.done():
            return
        self.protocol.receive_eof()
        self.protocol.data_to_send()
        self._closed.set_result(None)
        self._writable.set()
        if self._close_timer is not None:
            self._close_timer.cancel()
        self._on_closed()

    def pause_writing(self) -> None:
        """The transport's write buffer is full."""
        self._writable.clear()

    def resume_writing(self) -> None:
        """The transport's write buffer drained."""
        self._writable.set()

    def __repr__(self) -> str:
        state: Any = self.protocol.state
        return f"<WebSocketConnection {getattr(state, 'name', state)}>"
