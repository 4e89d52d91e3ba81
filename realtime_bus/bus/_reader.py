"""The reader: frames from the transport, decoded, handed to the dispatcher, within bounds.

A transport with a ``burst`` (the replay transport) hands over the frames it holds ready with no
await between them: an iterator of what may play now, which the transport replaces as it
releases frames (``next(transport.burst, None)``); when it holds none, the reader awaits
``recv()``. Such a frame may be a :class:`msgspec.Raw` (a view of the loaded recording, decoded
in place): it is copied to ``bytes`` only where it is kept (the recorder tap, an error report,
an unknown event). Once the session is established, the reader decodes a burst's frames (up
to ``_BATCH`` of them) and hands the events to the dispatcher together, before its next await
(:meth:`Dispatcher.dispatch_burst`: plain handlers run in the reader's task, as
:meth:`~Dispatcher.dispatch_now` runs an event's that arrives alone); what cannot be
dispatched so is queued, in order, within the bounds.

Each event is stamped with its receive time (``event.received``, ``time.monotonic()``) and
shown to the recorder tap, if there is one, in wire order. A recorder that gathers its frames
(:meth:`Recorder.gathering <realtime_bus.recording.Recorder.gathering>`) is handed each
decoded frame with no call: the frame and its receive time appended to the recorder's list.

It never waits on user code (plain handlers of an event that arrives alone, or of a burst's,
are the one exception; see :meth:`Dispatcher.dispatch_now`). When the backlog of received
events reaches ``max_events`` or ``max_bytes`` of frames, it stops reading until handlers are
down to half of both, and says so (:class:`ReadingPaused`, :class:`ReadingResumed`, a log line
naming the backlog); the transport's keepalive does not count the pause against the link.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any, Protocol, cast

from msgspec import Raw
from msgspec.structs import force_setattr

from ..protocol import DecodeError, UnknownEvent
from ..transport import Transport, TransportClosed
from ._dialect import DialectSpec
from ._dispatcher import BusStats, Dispatcher, ErrorReport
from ._lifecycle import LifecycleEvent, ReadingPaused, ReadingResumed
from ._tap import FrameTap
from ._waiters import WaiterSet

__all__ = ["Reader"]

_BATCH = 64
"""Events of a burst decoded before they are dispatched together (at most)."""
_LOG_EVERY = 10.0
"""Seconds between two warnings about paused reading (the pauses in between log at debug)."""


class _Bursts(Protocol):
    burst: Iterator[bytes | Raw]


def _nothing() -> None:
    return None


class Reader:
    """Reads one connection until it closes; returns the :class:`TransportClosed` that ended it."""

    __slots__ = (
        "_announce",
        "_dialect",
        "_dispatcher",
        "_draining",
        "_log",
        "_logged_at",
        "_on_lost",
        "_on_ready",
        "_stats",
        "_tap",
        "_waiters",
        "max_bytes",
        "max_events",
        "paused",
    )

    def __init__(
        self,
        dialect: DialectSpec,
        dispatcher: Dispatcher,
        waiters: WaiterSet,
        stats: BusStats,
        log: Any,
        *,
        max_events: int,
        max_bytes: int,
        on_ready: Callable[[Any], None],
        announce: Callable[[LifecycleEvent, bool], None],
        on_lost: Callable[[TransportClosed], None],
        tap: FrameTap | None = None,
    ) -> None:
        self._dialect = dialect
        self._dispatcher = dispatcher
        self._waiters = waiters
        self._stats = stats
        self._log = log
        self._on_ready = on_ready
        self._announce = announce
        self._on_lost = on_lost
        self._tap = tap
        self._draining = False
        self._logged_at = -_LOG_EVERY
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.paused = False

    def drain(self) -> None:
        """The link is gone: take what the transport still holds, ignoring the bounds."""
        self._draining = True

    async def run(self, transport: Transport, started: bool = False) -> TransportClosed:
        """Read until the link closes; ``started``: the session began before (a hand-over)."""
        # msgspec decodes any bytes-like frame, a Raw included.
        decode = cast(Callable[[bytes | str | Raw], Any], self._dialect.decoder.decode)
        ready_types = self._dialect.handshake.ready
        dispatcher = self._dispatcher
        inbound = dispatcher.inbound
        push = dispatcher.push
        dispatch_now = dispatcher.dispatch_now
        waiters = self._waiters
        stats = self._stats
        max_events, max_bytes = self.max_events, self.max_bytes
        tap = self._tap
        # A recorder's gathered frames, appended to with no call (audio frames; the rest, and
        # a tap that does not gather, go through tap.received).
        gathering = getattr(tap, "gathering", None)
        gather = gathering() if gathering is not None else None
        if gather is not None:
            gathered, full, flush, quick, scan, largest = gather
        else:
            gathered, full, flush, quick, scan, largest = [], 0, _nothing, frozenset(), [], -1
        monotonic = time.monotonic
        ready_seen = started
        # A transport that may hold frames ready (a replay) hands them over with no await.
        held = cast(_Bursts, transport) if hasattr(transport, "burst") else None
        frame: bytes | str | Raw | None
        # A burst's events, each followed by its frame: decoded, then dispatched together
        # before the next await (see _deliver). Once the session is established (the ready
        # event is handled on its own), and only from a transport with bursts.
        batch: list[Any] = []
        batching, limit = held is not None and ready_seen, 2 * _BATCH
        again: bytes | Raw | None = None  # a burst's frame to read again, alone
        while True:
            if held is None:
                frame = None
            elif again is not None:
                frame, again = again, None
            else:
                frame = next(held.burst, None)
            if frame is None:
                if batch:
                    await self._deliver(transport, batch)
                try:
                    frame = await transport.recv()
                except TransportClosed as exc:
                    return exc
            elif tap is not None and type(frame) is Raw:
                frame = bytes(frame)
            received = monotonic()
            stats.events_received += 1
            try:
                event = decode(frame)
            except DecodeError as exc:
                if batch:
                    await self._deliver(transport, batch)
                if type(frame) is Raw:
                    exc.frame = frame = bytes(frame)
                if tap is not None:
                    tap.received(frame, None)
                stats.decode_errors += 1
                self._log.warning("undecodable frame", error=exc.message, size=len(frame))
                dispatcher.report(ErrorReport("decode", exc, frame=frame), len(frame))
                continue
            force_setattr(event, "received", received)
            known = type(event) is not UnknownEvent
            if not known and type(frame) is Raw:
                frame = bytes(frame)
                force_setattr(event, "raw", frame)
            if tap is not None:
                if len(frame) <= largest:
                    if type(event) not in quick:  # may hold text: the batch's credential scan
                        scan.append(len(gathered))
                    gathered.append(frame)
                    gathered.append(received)
                    if len(gathered) >= full:
                        flush()
                else:
                    tap.received(frame, event)
            if waiters.early:
                waiters.feed(waiters.early, event)
            if batching and known:
                batch.append(event)
                batch.append(frame)
                if tap is None and not waiters.early:
                    # Nothing else to do with each frame: decode the rest of the burst at once.
                    assert held is not None
                    again = self._decode_burst(held.burst, decode, batch, limit)
                if len(batch) >= limit:
                    await self._deliver(transport, batch)
                continue
            if batch:
                await self._deliver(transport, batch)
            if not ready_seen and event.type in ready_types:
                ready_seen = True
                batching = held is not None
                self._on_ready(event)
            elif dispatch_now(event):
                if known:
                    continue  # dispatched already, and the backlog did not grow
            else:
                push(event, len(frame))
            if not known:
                stats.unknown_events += 1
                self._log.info("unknown event type", event_type=event.type)
                problem = DecodeError(f"unknown event type {event.type!r}", frame)
                # The report keeps the raw frame beside the decoded event: count it too.
                dispatcher.report(ErrorReport("unknown_event", problem, event=event), len(frame))
            if (len(inbound) >= max_events or dispatcher.inbound_bytes >= max_bytes) and not (
                self._draining
            ):
                await self._pause(transport)

    def _decode_burst(
        self,
        burst: Iterator[bytes | Raw],
        decode: Callable[[bytes | Raw], Any],
        batch: list[Any],
        limit: int,
    ) -> bytes | Raw | None:
        """Decode the frames ``burst`` holds into ``batch`` (each event, stamped, followed by its
        frame) until it is empty or ``batch`` has ``limit`` items, while they are known events.
        Returns a frame that is not (undecodable or unknown: the caller reads it again, alone),
        else ``None``. Only for frames that nothing else needs to see (no tap, no early waiter).
        """
        monotonic = time.monotonic
        size = len(batch)
        odd: bytes | Raw | None = None
        for frame in islice(burst, (limit - size) // 2):
            received = monotonic()
            try:
                event = decode(frame)
            except DecodeError:
                odd = frame
                break
            if type(event) is UnknownEvent:
                odd = frame
                break
            force_setattr(event, "received", received)
            batch.append(event)
            batch.append(frame)
        self._stats.events_received += (len(batch) - size) // 2
        return odd

    async def _deliver(self, transport: Transport, batch: list[Any]) -> None:
        """Dispatch a burst's events (``batch``: each followed by its frame) as far as that
        changes nothing observable (see :meth:`Dispatcher.dispatch_burst`), then queue the
        rest in order, checking the bounds after each as for an event read alone."""
        dispatcher = self._dispatcher
        events = batch[0::2]
        done = dispatcher.dispatch_burst(events)
        if done < len(events):
            inbound = dispatcher.inbound
            for index in range(done, len(events)):
                dispatcher.push(events[index], len(batch[2 * index + 1]))
                if (
                    len(inbound) >= self.max_events or dispatcher.inbound_bytes >= self.max_bytes
                ) and not self._draining:
                    await self._pause(transport)
        batch.clear()

    async def _pause(self, transport: Transport) -> None:
        dispatcher = self._dispatcher
        inbound = dispatcher.inbound
        backlog, size = len(inbound), dispatcher.inbound_bytes
        self.paused = True
        self._stats.reading_pauses += 1
        started = time.monotonic()
        # Warn once in a while; a consumer that stays behind pauses again and again.
        log = self._log.warning if started - self._logged_at >= _LOG_EVERY else self._log.debug
        if log == self._log.warning:
            self._logged_at = started
        log(
            "handlers are behind: reading paused",
            backlog=backlog,
            backlog_bytes=size,
            max_events=self.max_events,
            max_bytes=self.max_bytes,
        )
        self._announce(ReadingPaused(backlog=backlog, backlog_bytes=size), True)
        low_events, low_bytes = self.max_events // 2, self.max_bytes // 2
        # While paused, watch the link: a loss is told at once, ahead of the backlog.
        closed = asyncio.ensure_future(transport.wait_closed())
        try:
            # Polling is fine here: this only happens when handlers are far behind.
            while not self._draining and (
                len(inbound) > low_events or dispatcher.inbound_bytes > low_bytes
            ):
                if closed.done():
                    self._on_lost(closed.result())
                    self._draining = True  # take what the transport still holds
                    break
                await asyncio.sleep(0.01)
        finally:
            closed.cancel()
        self.paused = False
        paused_for = round(time.monotonic() - started, 3)
        if not self._draining:
            self._log.debug("reading resumed", paused_for=paused_for, backlog=len(inbound))
            self._announce(ReadingResumed(paused_for=paused_for), True)
