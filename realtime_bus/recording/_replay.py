"""The replay transport: a recording played into a bus, with no network.

:class:`Replayer` is a connector (``Bus(connector=...)``): each connection the bus opens gets
the next recorded connection. Its server frames are played in order, each once the application
has sent what the client had sent before it (see :mod:`._gates`), at the recorded pace
(``pace=1.0``; ``2.0`` is half speed) or as fast as possible (``pace=0``). A connection the
server ended ends the same way (its close code, or a drop); the last connection, if the client
ended it, stays open until the bus closes. Everything the application sends is kept, to be
compared with the recording (:meth:`Replayer.divergence`).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from operator import length_hint
from typing import Any

from msgspec import Raw

from ..transport import ConnectOptions, Endpoint, TransportClosed
from ._compare import Divergence, first_divergence, normalise
from ._format import FrameLine, RecordingError
from ._gates import ClientCount, Gate, client_event_of, gate_runs
from ._reader import Connection, Recording, load_recording

__all__ = ["ReplayTransport", "Replayer"]

_YIELD_EVERY = 256  # frames played between two turns given to the event loop (fast mode)
_NOTHING: Iterator[Any] = iter(())


class ReplayTransport:
    """One recorded connection, played as a transport (``recv`` / ``send`` / ``close``)."""

    def __init__(self, replayer: Replayer, connection: Connection) -> None:
        self._replayer = replayer
        self.connection = connection
        recorded = connection.frames
        dirs = [f.dir for f in recorded]
        self._frames = [f for f in recorded if f.dir == "in"] if "out" in dirs else recorded
        # What each frame hands over with no wait: its embedded JSON as loaded (a buffer the
        # decoder reads in place, no copy; empty for a text or base64 line), or the bytes of a
        # text or base64 line.
        self._data: list[Raw | bytes] = [f.frame or f.data() for f in self._frames]
        self._count = len(self._frames)
        start = recorded[0].t if recorded else 0.0
        # Runs of frames under one gate: (the index after the run's last frame, its gate).
        if replayer.gated:
            self._runs = gate_runs(recorded, start, dirs)
        else:  # every frame on the connection's own clock
            self._runs = [(self._count, Gate(types={}, audio=0, anchor=start, after=None))]
        self._run = 0  # the run of the next frame
        self._next = 0
        self.count = ClientCount()
        self._progress = asyncio.Event()
        self._closed = asyncio.Event()
        self._close_sent: TransportClosed | None = None
        self._released_at = time.monotonic()
        self._released: Gate | None = None
        self.burst: Iterator[Raw | bytes] = _NOTHING
        """The frames that may play now, with no wait (see :meth:`recv_nowait`)."""

    @property
    def played(self) -> int:
        """Server frames handed to the bus so far."""
        return self._next - length_hint(self.burst)

    @property
    def finished(self) -> bool:
        """Whether every server frame of this connection was played."""
        return self.played >= len(self._frames)

    def _ended(self) -> TransportClosed:
        if self._close_sent is not None:
            return self._close_sent
        return TransportClosed("connection dropped without a close frame")

    async def wait_closed(self) -> TransportClosed:
        """Wait until the application (or the bus) has ended this connection."""
        await self._closed.wait()
        return self._ended()

    def recv_nowait(self) -> Raw | bytes | None:
        """The next recorded server frame if it may play now (its gate is open, no pace, no
        turn due to the event loop), else ``None``: then :meth:`recv` waits for it. The bus's
        reader takes the frames of a burst this way, with no await between them.

        A frame is handed over as loaded: a :class:`msgspec.Raw` (a bytes-like view of the
        recording, which the decoder reads without a copy; ``bytes(frame)`` copies it out), or
        ``bytes`` for a frame recorded as text or base64. The bus's reader takes them from
        :attr:`burst` (``next(transport.burst, None)``), the same frames with no method call."""
        return next(self.burst, None)

    async def recv(self) -> str | bytes:
        """The next recorded server frame, when its gate opens and its time comes."""
        if self._closed.is_set():
            raise self._ended()
        if self.burst is not _NOTHING:  # what the burst still holds plays from here
            self._next -= length_hint(self.burst)
            self.burst = _NOTHING
        index = self._next
        if index >= self._count:
            self._replayer._connection_played(self)
            await self._end()
        runs = self._runs
        while runs[self._run][0] <= index:
            self._run += 1
        run_end, gate = runs[self._run]
        if gate is not self._released:
            await self._open(gate)
            self._released, self._released_at = gate, time.monotonic()
        data = self._data[index]
        pace = self._replayer.pace
        if pace > 0:
            at = self._frames[index].t
            delay = self._released_at + (at - gate.anchor) * pace - time.monotonic()
            if delay > 0:
                await self._sleep(delay)
        else:
            if index % _YIELD_EVERY == _YIELD_EVERY - 1:
                await asyncio.sleep(0)
            if not self._closed.is_set():
                # The rest of this gate's frames, up to the next turn due to the loop.
                turn = index + 1 + _YIELD_EVERY - 1 - (index + 1) % _YIELD_EVERY
                ready = min(run_end, turn)
                if ready > index + 1:
                    self.burst = iter(self._data[index + 1 : ready])
                    self._next = ready
                    return bytes(data)
        self._next = index + 1
        return bytes(data)

    async def _open(self, gate: Gate) -> None:
        """Wait until the application's traffic covers ``gate`` (bounded by the gate timeout)."""
        deadline = time.monotonic() + self._replayer.gate_timeout
        while not self.count.covers(gate):
            left = deadline - time.monotonic()
            if left <= 0:
                self._replayer._stalled(self, gate)
                return
            self._progress.clear()
            closed = asyncio.ensure_future(self._closed.wait())
            progress = asyncio.ensure_future(self._progress.wait())
            try:
                await asyncio.wait({closed, progress}, timeout=left, return_when="FIRST_COMPLETED")
            finally:
                closed.cancel()
                progress.cancel()
            if self._closed.is_set():
                raise self._ended()

    async def _sleep(self, delay: float) -> None:
        try:
            await asyncio.wait_for(self._closed.wait(), delay)
        except TimeoutError:
            return
        raise self._ended()

    async def _end(self) -> Any:
        end = self.connection.end
        if end is not None and self.connection.server_closed and self._replayer.has_more(self):
            code, reason = end.code, end.reason or ""
            if code is None:
                raise TransportClosed("connection dropped without a close frame")
            detail = f" ({reason})" if reason else ""
            raise TransportClosed(
                f"closed by server with code {code}{detail}", code=code, reason=reason
            )
        await self._closed.wait()  # the client ended it: wait for the application to close
        raise self._ended()

    async def send(self, message: str | bytes) -> None:
        """Keep a frame the application sent, and let the frames waiting for it play."""
        if self._closed.is_set():
            raise self._ended()
        data = message.encode() if isinstance(message, str) else bytes(message)
        self._replayer.sent.append(data)
        kind, audio = client_event_of(data)
        self.count.add(kind, audio)
        self._progress.set()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """End the connection (as a clean close from the client)."""
        detail = f" ({reason})" if reason else ""
        self._close_sent = TransportClosed(
            f"closed by the client with code {code}{detail}",
            code=code,
            reason=reason,
            by_client=True,
        )
        self._drop_burst()
        self._closed.set()

    def abort(self) -> None:
        """End the connection at once."""
        self._drop_burst()
        self._closed.set()

    def _drop_burst(self) -> None:
        """Nothing more plays without a wait (the frames the burst held were not played)."""
        self._next -= length_hint(self.burst)
        self.burst = _NOTHING


class Replayer:
    """Plays a recording into a bus: pass it as ``Bus(connector=...)`` (see
    :func:`realtime_bus.testing.replay_bus`).

    ``pace`` scales the recorded time between frames (``0``: as fast as possible);
    ``gate_timeout`` bounds the wait for the application to send what the recorded client
    sent before the next server frame (then the frame plays anyway, and
    :attr:`stalls` says so); ``gated=False`` plays every frame on the recorded clock without
    waiting for the application (for printing a recording).
    """

    def __init__(
        self,
        recording: Recording | str | os.PathLike[str],
        *,
        pace: float = 0.0,
        gate_timeout: float = 5.0,
        gated: bool = True,
    ) -> None:
        if pace < 0:
            raise ValueError("pace cannot be negative")
        self.recording = (
            recording if isinstance(recording, Recording) else load_recording(recording)
        )
        self.pace = pace
        self.gate_timeout = gate_timeout
        self.gated = gated
        self._connections = self.recording.connections()
        if not self._connections:
            raise RecordingError("the recording has no connection to replay")
        self._opened = 0
        self.transports: list[ReplayTransport] = []
        self.sent: list[bytes] = []
        """Every frame the application sent, in order."""
        self.stalls: list[str] = []
        """Gates that timed out: what the application did not send in time."""
        self._done = asyncio.Event()

    async def __call__(self, endpoint: Endpoint, options: ConnectOptions) -> ReplayTransport:
        """Open the next recorded connection (the connector the bus calls)."""
        if self._opened >= len(self._connections):
            raise OSError("the recording has no more connections to replay")
        transport = ReplayTransport(self, self._connections[self._opened])
        self._opened += 1
        self.transports.append(transport)
        return transport

    def has_more(self, transport: ReplayTransport) -> bool:
        """Whether a recorded connection follows ``transport``'s."""
        return self.transports.index(transport) + 1 < len(self._connections)

    def _connection_played(self, transport: ReplayTransport) -> None:
        if not self.has_more(transport):
            self._done.set()

    def _stalled(self, transport: ReplayTransport, gate: Gate) -> None:
        after = f" (after {gate.after})" if gate.after else ""
        self.stalls.append(
            f"connection {transport.connection.attempt}: waited {self.gate_timeout:g} s for "
            f"{transport.count.missing(gate)}{after}; played on"
        )

    @property
    def frames_played(self) -> int:
        """Server frames played so far, over every connection."""
        return sum(t.played for t in self.transports)

    @property
    def done(self) -> bool:
        """Whether every recorded server frame has been played."""
        return self._done.is_set()

    async def wait_done(self, timeout: float = 30.0) -> None:
        """Wait until every recorded server frame has been played (``TimeoutError`` after
        ``timeout`` seconds)."""
        await asyncio.wait_for(self._done.wait(), timeout)

    def expected(self) -> list[dict[str, Any]]:
        """The recorded client events, normalised for comparison."""
        frames: list[FrameLine] = self.recording.client_frames()
        return normalise((f.data(), f.audio.bytes if f.audio is not None else None) for f in frames)

    def actual(self) -> list[dict[str, Any]]:
        """The application's client events, normalised for comparison."""
        return normalise((data, None) for data in self.sent)

    def divergence(self) -> Divergence | None:
        """The first difference between what the application sent and the recording."""
        return first_divergence(self.expected(), self.actual())
