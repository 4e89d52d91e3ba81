"""The dispatcher: delivers received events to handlers, waiters and streams, in order.

It runs in its own task, where user handlers run (besides the tasks it starts for
``concurrent=True`` handlers, and plain handlers of an event that arrives alone, which the
reader may run itself: see :meth:`Dispatcher.dispatch_now`). The reader decodes and appends to
the inbound buffer, so a slow handler delays later events, not the socket, until the backlog
reaches the bus's bounds (in events and in bytes); then the reader pauses (see
:class:`~realtime_bus.bus.ReadingPaused`).

Three lanes: lifecycle events that report trouble (``urgent``) come first, then derived events
published by handlers (``derived``, right after the event being handled), then received events
still waiting in the buffer (``inbound``).
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..protocol import UnknownEvent
from ._router import Router, Subscription
from ._state import Flag
from ._waiters import IN_DISPATCHER, Stream, WaiterSet

__all__ = ["BusStats", "Dispatcher", "ErrorReport"]

ErrorKind = Literal["handler", "decode", "unknown_event", "check", "stream", "protocol"]

_PLAIN_RESULTS = frozenset({bool, int, float, str, bytes, tuple, list, dict, set})
"""Types a handler may return that are never awaitable: no ``inspect.isawaitable`` (an ABC
check, about 0.3 us) for a handler that returns, say, ``True`` or a count."""


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """What went wrong, delivered to ``@bus.on_error`` handlers. The bus keeps running.

    ``kind`` is ``"handler"`` (a handler raised; ``event`` and ``handler`` say which),
    ``"decode"`` (a frame could not be decoded; ``frame`` holds it), ``"unknown_event"`` (an
    event type this version does not know; ``event`` is the :class:`UnknownEvent`, which
    handlers also receive), ``"check"`` (a handler's ``check`` raised), ``"stream"``, or
    ``"protocol"`` (the server broke the WebSocket protocol, for example a frame over
    ``max_size``, and the client closed the link: ``error`` says how).
    """

    kind: ErrorKind
    error: BaseException
    event: Any = None
    frame: bytes | str | None = None
    handler: str | None = None

    def __repr__(self) -> str:
        what = f" handler={self.handler}" if self.handler else ""
        if self.event is not None:
            what += f" event={getattr(self.event, 'type', '?')}"
        if self.frame is not None:
            unit = "bytes" if isinstance(self.frame, bytes) else "chars"
            what += f" frame=<{len(self.frame)} {unit}>"
        return f"ErrorReport({self.kind}{what}: {self.error!r})"


@dataclass(slots=True)
class BusStats:
    """Counters a bus keeps; cheap enough to keep always."""

    events_received: int = 0
    events_dispatched: int = 0
    decode_errors: int = 0
    unknown_events: int = 0
    handler_errors: int = 0
    slow_handlers: int = 0
    frames_sent: int = 0
    appends_merged: int = 0
    reconnects: int = 0
    dropped_on_close: int = 0
    max_inbound_backlog: int = 0
    max_inbound_bytes: int = 0
    reading_pauses: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class Dispatcher:
    """Owns the inbound buffer and runs handlers. One per bus."""

    def __init__(
        self,
        router: Router,
        waiters: WaiterSet,
        *,
        slow_threshold: float,
        log: Any,
        stats: BusStats,
    ) -> None:
        self.router = router
        self.waiters = waiters
        self.streams: list[Stream[Any]] = []
        self.error_handlers: list[Callable[[ErrorReport], Any]] = []
        self.inbound: deque[tuple[Any, int]] = deque()
        """Received events (and error reports) with the size of their frame, in order."""
        # The two small lanes are lists: they are nearly always empty, and an empty deque
        # costs more memory than a bus can afford per idle session.
        self.urgent: list[Any] = []
        self.derived: list[Any] = []
        """Derived events published by handlers: dispatched before the rest of ``inbound``."""
        self.inbound_bytes = 0
        self.slow_threshold = slow_threshold
        self.stats = stats
        self._log = log
        self._wake = Flag()
        self._idle = Flag()
        self._idle.set()
        self._stopping = False
        self._parked = False
        self._bursting = False  # dispatch_burst is running handlers
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- feeding (called by the reader and the supervisor) --------------------------------

    def push(self, item: Any, size: int = 0) -> None:
        """Append a received event (or an :class:`ErrorReport`) for dispatch; ``size`` is the
        length of its frame, counted in :attr:`inbound_bytes` until it is dispatched."""
        self.inbound.append((item, size))
        if size:
            self.inbound_bytes += size
            if self.inbound_bytes > self.stats.max_inbound_bytes:
                self.stats.max_inbound_bytes = self.inbound_bytes
        self._wake.set()

    def push_urgent(self, item: Any) -> None:
        """Deliver ``item`` (a lifecycle event) ahead of the received events still buffered."""
        self.urgent.append(item)
        self._wake.set()

    def publish(self, event: Any) -> None:
        """Dispatch a derived event (see :meth:`Bus.publish` for where it goes in the order).

        Published by a handler that :meth:`dispatch_burst` runs, it is dispatched there too,
        right after the handled event (see :meth:`_dispatch_derived`)."""
        if self._bursting:
            self.derived.append(event)
        elif IN_DISPATCHER.get():
            self.derived.append(event)
            self._wake.set()
        else:
            self.push(event)
        if self.waiters.early:
            self.waiters.feed(self.waiters.early, event)

    def report(self, report: ErrorReport, size: int = 0) -> None:
        """Queue an error report; it reaches ``on_error`` handlers in order with events.
        ``size``: the bytes of a frame it keeps, counted in :attr:`inbound_bytes`."""
        self.push(report, size)

    def dispatch_now(self, event: Any) -> bool:
        """Dispatch ``event`` in the calling task if that changes nothing observable.

        That is when the dispatcher is parked with nothing buffered (so order is kept), no
        stream is open (feeding one may wait), and every handler of the event is a plain
        function (it would block the event loop in any task; an ``async`` handler could
        suspend, and the caller, the reader, must never wait on user code). It saves a task
        switch per event, which is most of the cost of an event that arrives alone.
        Returns False, having done nothing, when the event must be queued instead.

        Derived events its handlers publish are dispatched right after it, as in
        :meth:`dispatch_burst` (whose burst of one this is, written out: the live path, an
        event a frame, pays for no loop).
        """
        if self.inbound or self.urgent or self.derived or not self._parked or self.streams:
            return False
        subs, plain = self.router.route(event.type, type(event) is UnknownEvent)
        if not plain:
            return False
        self.stats.events_dispatched += 1
        self._bursting = True
        try:
            if subs:
                self._call_plains(subs, event, time.perf_counter())
            if self.waiters.ordered:
                self.waiters.feed(self.waiters.ordered, event)
            if self.derived:
                self._dispatch_derived()
        finally:
            self._bursting = False
            if self.derived:  # left for the dispatcher's task: an async handler's
                self._wake.set()
        return True

    def dispatch_burst(self, events: Sequence[Any]) -> int:
        """Dispatch ``events`` in the calling task, in order, each as :meth:`dispatch_now`
        would: its conditions are checked again before each event (a handler may publish, open
        a stream or register an ``async`` handler). Returns how many were dispatched; the
        caller queues the rest, from the first that could not go, with :meth:`push`, in order.

        For a burst of frames the reader holds ready (a replay): :meth:`_call_plains` for each
        event, one clock reading per handler (each one's end is the next one's start, across
        events), and each event's route taken from
        the router's table of known event types (emptied when a handler is registered or
        removed, so a change a handler makes applies from the next event on). Derived events
        its handlers publish are dispatched right after their event, as the dispatcher's task
        would (see :meth:`_dispatch_derived`), so they do not send the rest of the burst to
        the queue.
        """
        if not self._parked:
            return 0
        self._bursting = True
        try:
            return self._burst(events)
        finally:
            self._bursting = False
            if self.derived:  # left for the dispatcher's task: an async handler's
                self._wake.set()

    def _burst(self, events: Sequence[Any]) -> int:
        inbound, urgent, derived, streams = self.inbound, self.urgent, self.derived, self.streams
        if inbound or urgent or derived or streams:
            return 0
        route = self.router.route
        table = self.router.known_routes  # emptied in place when handlers change
        ordered, feed = self.waiters.ordered, self.waiters.feed
        stats, call = self.stats, self._call_plains
        clock = time.perf_counter
        unknown = UnknownEvent
        started = clock()
        for done, event in enumerate(events):
            if type(event) is unknown:
                subs, plain = route(event.type, True)
            else:
                subs, plain = table.get(event.type) or route(event.type)
            if not plain:
                return done
            stats.events_dispatched += 1
            started = call(subs, event, started)
            if ordered:
                feed(ordered, event)
                started = clock()  # a waiter's check is not the next handler's time
            # What this event's handlers did that the next event must wait for (derived events
            # go first, right here, when they can).
            if inbound or urgent or derived or streams:
                if derived:
                    self._dispatch_derived()
                    started = clock()
                if inbound or urgent or derived or streams:
                    return done + 1
        return len(events)

    def _dispatch_derived(self) -> None:
        """Dispatch the derived events the handlers of a burst's event published, in order,
        as the dispatcher's task would have right after that event, while their handlers are
        all plain. What is left (an ``async`` handler's) is the next in line for that task."""
        derived, urgent, streams = self.derived, self.urgent, self.streams
        route, waiters = self.router.route, self.waiters
        while derived and not urgent and not streams:
            event = derived[0]
            subs, plain = route(event.type, type(event) is UnknownEvent)
            if not plain:
                return
            derived.pop(0)
            self.stats.events_dispatched += 1
            if subs:
                self._call_plains(subs, event, time.perf_counter())
            if waiters.ordered:
                waiters.feed(waiters.ordered, event)

    def _admit(self, sub: Subscription, event: Any) -> bool:
        """Apply ``check``, ``once`` and ``concurrent``; True when the caller should call now."""
        if sub.check is not None:
            try:
                if not sub.check(event):
                    return False
            except Exception as exc:
                self._fail("check", exc, event, sub.name)
                return False
        if sub.once:
            self.router.discard(sub)
        if sub.concurrent:
            self._spawn(self._call_concurrent(sub, event))
            return False
        return True

    def _call_plains(self, subs: tuple[Subscription, ...], event: Any, started: float) -> float:
        """Call plain handlers one after another, each timed (see :meth:`_timed`), from
        ``started`` (a :func:`time.perf_counter` reading); returns the end of the last.

        The hot path of dispatch: one clock reading per handler (each one's end is the next
        one's start, across a burst's events too) and no calls besides the handler's for a
        :attr:`Subscription.direct` one.
        """
        clock = time.perf_counter
        for sub in subs:
            if not sub.direct:
                if not self._admit(sub, event):
                    started = clock()
                    continue
                started = clock()
            try:
                result = sub.fn(event)
            except Exception as exc:
                self._fail("handler", exc, event, sub.name)
            else:
                if (
                    result is not None
                    and type(result) not in _PLAIN_RESULTS
                    and inspect.isawaitable(result)
                ):
                    # A plain function that returned an awaitable: finish it as a task.
                    self._spawn(self._finish(sub, event, result))
            ended = clock()
            if ended - started > self.slow_threshold:
                self._slow(sub, event, ended - started)
                ended = clock()
            started = ended
        return started

    async def _finish(self, sub: Subscription, event: Any, awaitable: Any) -> None:
        try:
            await awaitable
        except Exception as exc:
            self._fail("handler", exc, event, sub.name)

    def _spawn(self, coro: Any) -> None:
        # Tasks started for handlers count as the dispatcher's (IN_DISPATCHER): a close() or a
        # wait they make must not wait for the dispatcher, which may be waiting for them.
        context = contextvars.copy_context()
        context.run(IN_DISPATCHER.set, True)
        if not inspect.iscoroutine(coro):
            coro = _awaited(coro)
        task = asyncio.get_running_loop().create_task(coro, context=context)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _timed(self, sub: Subscription, event: Any, started: float) -> None:
        elapsed = time.perf_counter() - started
        if elapsed > self.slow_threshold:
            self._slow(sub, event, elapsed)

    def _slow(self, sub: Subscription, event: Any, elapsed: float) -> None:
        self.stats.slow_handlers += 1
        self._log.warning(
            "slow handler",
            handler=sub.name,
            event_type=event.type,
            event_id=getattr(event, "event_id", None),
            seconds=round(elapsed, 4),
            backlog=len(self.inbound),
        )

    # -- the loop -----------------------------------------------------------------------------

    async def run(self) -> None:
        """Dispatch until :meth:`stop` is called and the buffer is empty."""
        IN_DISPATCHER.set(True)
        inbound = self.inbound
        route = self.router.route
        waiters = self.waiters
        urgent, derived = self.urgent, self.derived
        while True:
            if not inbound and not urgent and not derived:
                if self._stopping:
                    return
                self._idle.set()
                self._wake.clear()
                self._parked = True
                try:
                    await self._wake.wait()
                finally:
                    self._parked = False
                continue
            self._idle.clear()
            if len(inbound) > self.stats.max_inbound_backlog:
                self.stats.max_inbound_backlog = len(inbound)
            if urgent:
                item = urgent.pop(0)
            elif derived:
                item = derived.pop(0)
            else:
                item, size = inbound.popleft()
                if size:
                    self.inbound_bytes -= size
            if type(item) is ErrorReport:
                await self._deliver_report(item)
                continue
            self.stats.events_dispatched += 1
            subs, plain = route(item.type, type(item) is UnknownEvent)
            if plain:
                if subs:
                    self._call_plains(subs, item, time.perf_counter())
            else:
                for sub in subs:
                    if sub.is_async:
                        await self._call(sub, item)
                    else:
                        self._call_plains((sub,), item, time.perf_counter())
            if waiters.ordered:
                waiters.feed(waiters.ordered, item)
            if self.streams:
                await self._feed_streams(item)

    async def _call(self, sub: Subscription, event: Any) -> None:
        if not self._admit(sub, event):
            return
        started = time.perf_counter()
        try:
            await sub.fn(event)
        except Exception as exc:
            self._fail("handler", exc, event, sub.name)
        self._timed(sub, event, started)

    async def _call_concurrent(self, sub: Subscription, event: Any) -> None:
        try:
            result = sub.fn(event)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            self._fail("handler", exc, event, sub.name)

    def _fail(self, kind: ErrorKind, exc: Exception, event: Any, handler: str | None) -> None:
        self.stats.handler_errors += 1
        report = ErrorReport(kind, exc, event=event, handler=handler)
        # Delivered right away (not queued) so that it is reported next to its event.
        self._log.error(
            "handler failed",
            handler=handler,
            event_type=getattr(event, "type", None),
            event_id=getattr(event, "event_id", None),
            error=repr(exc),
        )
        for fn in tuple(self.error_handlers):
            self._run_error_handler(fn, report)

    async def _deliver_report(self, report: ErrorReport) -> None:
        for fn in tuple(self.error_handlers):
            result = self._run_error_handler(fn, report)
            if result is not None and inspect.isawaitable(result):
                try:
                    await result
                except Exception as exc:
                    self._log.error("error handler failed", error=repr(exc))

    def _run_error_handler(self, fn: Callable[[ErrorReport], Any], report: ErrorReport) -> Any:
        try:
            result = fn(report)
        except Exception as exc:
            self._log.error("error handler failed", error=repr(exc))
            return None
        if inspect.isawaitable(result) and report.kind in ("handler", "check"):
            # Reported from the middle of a dispatch: run async error handlers as tasks.
            self._spawn(result)
            return None
        return result

    async def _feed_streams(self, event: Any) -> None:
        for stream in tuple(self.streams):
            try:
                wanted = stream.wants(event)
            except Exception as exc:
                stream.end(exc)
                continue
            if wanted:
                await stream.put(event)

    # -- shutdown -------------------------------------------------------------------------

    def stop(self) -> None:
        """Finish what is buffered, then return from :meth:`run`."""
        self._stopping = True
        self._wake.set()

    async def wait_idle(self) -> None:
        """Wait until everything buffered so far has been dispatched."""
        while self.inbound or self.urgent or self.derived or not self._idle.is_set():
            self._idle.clear()
            self._wake.set()
            await self._idle.wait()

    async def cancel_tasks(self, timeout: float) -> None:
        """Give concurrent handlers ``timeout`` seconds, then cancel them."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
