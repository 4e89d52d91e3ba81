"""The connection supervisor: connects, runs the reader and the writer, reconnects.

A component of :class:`Bus`, built with its collaborators: a connector that opens transports,
the dialect, the lifecycle state machine, the dispatcher, the waiters and the outbound queue.
The first connect fails fast (an unreachable server raises at once); reconnects apply to a
session that was established, unless ``retry_first_connect`` is set.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..protocol import ClientEvent
from ..transport import ConnectFailed, ConnectionLost, HandshakeRefused, Transport, TransportClosed
from ._backoff import ReconnectPolicy
from ._dialect import DialectSpec
from ._dispatcher import BusStats, Dispatcher, ErrorReport
from ._errors import ReconnectFailed, SessionTimeout
from ._lifecycle import (
    Connected,
    Disconnected,
    LifecycleEvent,
    Reconnected,
    Reconnecting,
    Rotated,
    SessionExpiring,
)
from ._outbound import OutboundQueue
from ._reader import Reader
from ._replay import SessionMemory
from ._standby import StandbyConnection
from ._state import BusState, Flag, Lifecycle
from ._tap import FrameTap
from ._waiters import WaiterSet

__all__ = ["Connection", "ConnectionSettings"]


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """The knobs of :class:`Connection` (the bus's constructor documents each)."""

    name: str
    reconnect: ReconnectPolicy
    retry_first_connect: bool
    wait_for_session: bool
    session_timeout: float | None
    flush_timeout: float
    close_timeout: float
    session_expiry_warning: float
    inbound_maxsize: int
    inbound_max_bytes: int


class Connection:
    """Supervises one bus's connections (see the module docstring)."""

    def __init__(
        self,
        opener: Callable[[], Awaitable[Transport]],
        dialect: DialectSpec,
        settings: ConnectionSettings,
        *,
        lifecycle: Lifecycle,
        dispatcher: Dispatcher,
        waiters: WaiterSet,
        outbound: OutboundQueue,
        memory: SessionMemory,
        prepare: Callable[[ClientEvent], ClientEvent],
        stats: BusStats,
        log: Any,
        tap: FrameTap | None = None,
    ) -> None:
        self._opener = opener
        self.tap = tap
        self._dialect = dialect
        self.settings = settings
        self._life = lifecycle
        self._dispatcher = dispatcher
        self._waiters = waiters
        self._outbound = outbound
        self._memory = memory
        self._prepare = prepare
        self._stats = stats
        self._log = log
        self.session_id: str | None = None
        self.expires_at: int | None = None
        self._ready = Flag()
        self._timers: list[asyncio.TimerHandle] = []
        self._silent: SessionTimeout | None = None
        self._announced = False
        # Hand-over to a standby connection (see open_standby / hand_over).
        self._write_lock = asyncio.Lock()
        self._handover: asyncio.Future[None] | None = None
        self._adopt: tuple[Transport, Any] | None = None
        self._old_links: set[asyncio.Task[None]] = set()

    # -- the supervisor loop -------------------------------------------------------------

    async def run(self) -> None:
        """Connect and serve until the bus stops; raises what ended it for good."""
        try:
            await self._supervise()
        finally:
            if self._old_links:
                await asyncio.gather(*self._old_links, return_exceptions=True)

    async def _supervise(self) -> None:
        life, policy = self._life, self.settings.reconnect
        attempt = 0  # connections opened
        failures = 0  # failed attempts since the last good session
        lost_at: float | None = None
        cause: BaseException | None = None
        while not life.stopping.is_set():
            transport: Transport | None = None
            adopted, self._adopt = self._adopt, None
            if adopted is not None:
                transport = adopted[0]  # a hand-over: that session is ready, serve it now
            else:
                life.to(BusState.RECONNECTING if life.established else BusState.CONNECTING)
                try:
                    transport = await self._open()
                except (HandshakeRefused, ConnectFailed) as exc:
                    if not exc.retryable or not self._retries():
                        raise
                    cause = exc
                else:
                    if transport is None:
                        return
                    attempt += 1
            if transport is not None:
                was_established = life.established
                started = None if adopted is None else adopted[1]
                ready, cause = await self._serve(transport, attempt, started)
                if life.stopping.is_set():
                    return
                if self._handed_over():
                    continue
                if ready:
                    failures, lost_at = 0, time.monotonic()
                self._announce_loss(cause)
                if not self._retries():
                    if isinstance(cause, SessionTimeout):
                        raise cause
                    what = "connection lost" if was_established or ready else "connect failed"
                    raise ConnectionLost(f"{what}: {_text(cause)}") from cause
            if lost_at is None:
                lost_at = time.monotonic()
            failures += 1
            if not policy.allows(failures, time.monotonic() - lost_at):
                raise ReconnectFailed(
                    f"gave up after {failures - 1} reconnect attempts: {_text(cause)}"
                ) from cause
            delay = policy.delay(failures)
            self._stats.reconnects += 1
            self.announce(
                urgent=True, event=Reconnecting(attempt=failures, delay=delay, cause=_text(cause))
            )
            self._log.warning(
                "reconnecting", attempt=failures, delay=round(delay, 3), cause=_text(cause)
            )
            try:
                await asyncio.wait_for(life.stopping.wait(), delay)
            except TimeoutError:
                pass

    def announce(self, event: LifecycleEvent, urgent: bool = False) -> None:
        """Deliver a lifecycle event (telling the recorder tap first, in wire order); urgent
        ones overtake the received events still waiting for handlers."""
        if self.tap is not None:
            self.tap.lifecycle(event)
        if urgent:
            self._dispatcher.push_urgent(event)
        else:
            self._dispatcher.push(event)

    def _retries(self) -> bool:
        """Whether a failure now may be retried: the policy allows reconnects, and a session was
        established (or the first connect is to be retried too)."""
        enabled = self.settings.reconnect.enabled
        return enabled and (self._life.established or self.settings.retry_first_connect)

    async def _open(self) -> Transport | None:
        """A new transport, or None if the bus was closed meanwhile (the attempt is abandoned)."""
        connecting = asyncio.ensure_future(self._opener())
        stopping = asyncio.ensure_future(self._life.stopping.wait())
        try:
            await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not connecting.done():
                connecting.cancel()
        if connecting.cancelled() or not connecting.done():
            await asyncio.gather(connecting, return_exceptions=True)
            return None
        return connecting.result()

    def _announce_loss(self, cause: BaseException | None) -> None:
        """Tell the application the link is gone (once per connection), ahead of its backlog."""
        if self._announced:
            return
        self._announced = True
        closed = cause if isinstance(cause, TransportClosed) else None
        self.announce(
            urgent=True,
            event=Disconnected(
                code=None if closed is None else closed.code,
                reason="" if closed is None else closed.reason,
                cause=_text(cause),
                will_reconnect=self._retries(),
            ),
        )
        if self._retries() and self._life.state is BusState.OPEN:
            self._life.to(BusState.RECONNECTING)

    # -- one connection ------------------------------------------------------------------

    async def _serve(
        self, transport: Transport, attempt: int, adopted: Any = None
    ) -> tuple[bool, BaseException | None]:
        """Run the reader and the writer on one connection until it ends (or is handed over).

        ``adopted`` is the event a standby session started with, when this connection comes
        from a hand-over. Returns whether a session was established on it, and what ended it.
        """
        if self.tap is not None and adopted is None:
            self.tap.opened(attempt)
        self._ready.clear()
        self._silent = None
        self._announced = False
        old_session = self.session_id
        settings = self.settings
        reader = Reader(
            self._dialect,
            self._dispatcher,
            self._waiters,
            self._stats,
            self._log,
            max_events=settings.inbound_maxsize,
            max_bytes=settings.inbound_max_bytes,
            on_ready=lambda event: self._on_ready(event, attempt, old_session),
            announce=self.announce,
            on_lost=self._announce_loss,
            tap=self.tap,
        )
        if adopted is not None:
            self._on_adopted(adopted, old_session)
        elif not settings.wait_for_session and not self._dialect.handshake.client_first:
            self._open_session(None, None)
            self.announce(Connected(session_id=None, attempt=attempt))
        elif settings.session_timeout is not None:
            self._later(settings.session_timeout, self._session_silent, transport)
        name = settings.name
        read = asyncio.create_task(reader.run(transport, adopted is not None), name=f"{name}-read")
        write = asyncio.create_task(self._write(transport), name=f"{name}-write")
        stop = asyncio.create_task(self._life.stopping.wait())
        handover = self._handover = asyncio.get_running_loop().create_future()
        handed_over = False
        try:
            await asyncio.wait({read, write, stop, handover}, return_when=asyncio.FIRST_COMPLETED)
            if stop.done() and not read.done():
                await self._close_link(transport, write)
            elif handover.done() and not (read.done() or write.done()):
                # hand_over holds the writer's lock: no frame is half written.
                write.cancel()
                handed_over = True
                self._retire(transport)
                return True, None
            elif handover.done():
                self._adopt = None  # the link failed at the same moment: reconnect instead
            elif (
                not read.done() and write.done() and isinstance(write.exception(), TransportClosed)
            ):
                # The writer found the link gone before the reader did: the reader is behind,
                # or about to notice. Let it take what the transport still holds.
                if reader.paused:
                    self._announce_loss(write.exception())
                reader.drain()
                await asyncio.wait({read}, timeout=settings.close_timeout)
        finally:
            self._handover = None
            for task in (stop, write, read, handover):
                if not task.done():
                    task.cancel()
            await asyncio.gather(read, write, stop, return_exceptions=True)
            if not handed_over:
                self._cancel_timers()
                transport.abort()
        cause = self._cause(read, write)
        if isinstance(cause, TransportClosed) and cause.protocol_error:
            self._dispatcher.report(ErrorReport("protocol", cause))
        self._waiters.fail_all(
            ConnectionLost(f"connection lost before the answer came: {_text(cause)}"),
            only_requests=True,
        )
        return self._ready.is_set(), cause

    def _cause(self, *tasks: asyncio.Task[Any]) -> BaseException | None:
        if self._silent is not None:
            return self._silent
        for task in tasks:
            if task.done() and not task.cancelled():
                found = task.exception()
                if found is None and isinstance(task.result(), BaseException):
                    found = task.result()
                if found is not None:
                    return found
        return None

    async def _close_link(self, transport: Transport, writer: asyncio.Task[None]) -> None:
        """Clean close: let the writer flush (bounded), then the close handshake (bounded)."""
        if self._ready.is_set() and len(self._outbound) and not writer.done():
            flushed = asyncio.create_task(self._outbound.wait_empty())
            await asyncio.wait({flushed, writer}, timeout=self.settings.flush_timeout)
            flushed.cancel()
            # Let the writer finish the frame it took last.
            await asyncio.sleep(0)
        writer.cancel()
        await transport.close(1000, "client closing")

    def _session_silent(self, transport: Transport) -> None:
        timeout = self.settings.session_timeout
        ready = " or ".join(sorted(self._dialect.handshake.ready))
        self._silent = SessionTimeout(
            f"no {ready} within {timeout} s of connecting: the server accepted the connection "
            "and said nothing. For a server that never sends one, use wait_for_session=False"
        )
        self._log.warning("session did not start", seconds=timeout)
        transport.abort()

    # -- the session ---------------------------------------------------------------------

    def _open_session(self, sid: str | None, expires: int | None) -> None:
        self._cancel_timers()
        self._life.to(BusState.OPEN)
        self._ready.set()
        if expires is not None:
            self._schedule_expiry(sid, expires)

    def _on_ready(self, event: Any, attempt: int, old: str | None) -> None:
        """The session is established: note it, queue the configuration replay, release the
        writer, deliver the event, then announce the connection (in that order, so handlers of
        either see the new session)."""
        sid, expires = self._dialect.session_of(event)
        self.session_id, self.expires_at = sid, expires
        replay = self._dialect.replay
        if attempt > 1 and replay is not None and self._memory.config:
            # The new session starts from defaults: send the configuration again, first, once.
            self._outbound.set_replay(self._prepare(replay(self._memory.config)))
        already_open = self._ready.is_set()
        if not already_open:
            self._open_session(sid, expires)
        elif expires is not None:
            self._schedule_expiry(sid, expires)
        self._dispatcher.push(event)
        if not already_open:
            if attempt > 1:
                self.announce(Reconnected(old_session_id=old, new_session_id=sid, attempt=attempt))
            else:
                self.announce(Connected(session_id=sid, attempt=attempt))
        self._log.info("connected", session_id=sid, attempt=attempt, expires_at=expires)

    def _schedule_expiry(self, sid: str | None, expires_at: int) -> None:
        delay = max(0.0, expires_at - time.time() - self.settings.session_expiry_warning)

        def fire() -> None:
            left = max(0.0, expires_at - time.time())
            self.announce(SessionExpiring(session_id=sid, expires_at=expires_at, seconds_left=left))

        self._later(delay, fire)

    def _later(self, delay: float, fn: Callable[..., None], *args: Any) -> None:
        self._timers.append(asyncio.get_running_loop().call_later(delay, fn, *args))

    def _cancel_timers(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    # -- hand-over to a standby connection (Bus.open_standby / Bus.hand_over) ----------

    def _handed_over(self) -> bool:
        """Whether the connection just served was handed over to a standby connection."""
        return self._adopt is not None

    def _on_adopted(self, started: Any, old: str | None) -> None:
        """The bus now serves a standby connection whose session was made ready before."""
        sid, expires = self._dialect.session_of(started)
        self.session_id, self.expires_at = sid, expires
        self._open_session(sid, expires)
        self.announce(Rotated(old_session_id=old, new_session_id=sid))
        self._log.info("rotated", old_session_id=old, session_id=sid, expires_at=expires)

    def _retire(self, transport: Transport) -> None:
        """Close a handed-over connection with 1000 in the background (bounded)."""
        task = asyncio.create_task(transport.close(1000, "rotated"), name="retire-old-link")
        self._old_links.add(task)
        task.add_done_callback(self._old_links.discard)

    async def open_standby(self, timeout: float) -> StandbyConnection:
        """A second connection whose session has started (see :meth:`Bus.open_standby`)."""
        dialect = self._dialect
        transport = await self._opener()
        try:
            start = dialect.handshake.start
            if start is not None:
                await transport.send(
                    dialect.encoder.encode(self._prepare(start(self._memory.config)))
                )
            frame = await asyncio.wait_for(transport.recv(), timeout)
            started = dialect.decoder.decode(frame)
            if started.type not in dialect.handshake.ready:
                raise ConnectionLost(f"the standby session began with {started.type!r}")
        except BaseException:
            transport.abort()
            raise
        return StandbyConnection(transport, started, dialect=dialect, prepare=self._prepare)

    async def hand_over(
        self,
        standby: StandbyConnection,
        timeout: float,
        prepare: Callable[[], Awaitable[bool]] | None = None,
        settle: float = 0.25,
    ) -> bool:
        """Switch to ``standby``'s connection (see :meth:`Bus.hand_over`)."""
        handover = self._handover
        if handover is None or handover.done() or self._life.state is not BusState.OPEN:
            raise ConnectionLost(f"{self.settings.name} has no open connection to hand over")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._write_lock:  # the writer pauses after the frame it is writing
            # Let the old session answer what it was sent: wait for settle seconds in which
            # nothing arrived (bounded by the deadline).
            seen = self._stats.events_received
            while loop.time() < deadline:
                await asyncio.sleep(settle)
                if self._stats.events_received == seen:
                    break
                seen = self._stats.events_received
            if prepare is not None and not await prepare():
                return False
            if handover.done() or self._handover is not handover:
                raise ConnectionLost(
                    f"{self.settings.name} lost its connection during the hand-over"
                )
            transport = await standby.detach()
            self._adopt = (transport, standby.created)
            handover.set_result(None)
            while self.session_id != standby.session_id or self._life.state is not BusState.OPEN:
                if loop.time() > deadline:
                    raise TimeoutError(f"{self.settings.name} did not switch within {timeout} s")
                if self._life.stopping.is_set():
                    raise ConnectionLost(f"{self.settings.name} closed during the hand-over")
                await asyncio.sleep(0.005)
        return True

    # -- the writer ----------------------------------------------------------------------

    async def _write(self, transport: Transport) -> None:
        encode = self._dialect.encoder.encode
        start = self._dialect.handshake.start
        if start is not None:
            await transport.send(encode(self._prepare(start(self._memory.config))))
        await self._ready.wait()
        queue, stats, memory, tap = self._outbound, self._stats, self._memory, self.tap
        lock = self._write_lock
        while True:
            await queue.wait_readable()
            async with lock:  # a hand-over waits for the frame being written
                event = queue.take()
                frame = encode(event)
                try:
                    await transport.send(frame)
                except TransportClosed:
                    queue.requeue_front(event)
                    raise
            stats.frames_sent += 1
            if tap is not None:
                tap.sent(frame, event)
            memory.remember(event)
            stats.appends_merged = queue.frames_saved


def _text(exc: BaseException | None) -> str:
    if exc is None:
        return "closed"
    if isinstance(exc, TransportClosed):
        return exc.description
    if isinstance(exc, ConnectFailed | SessionTimeout):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
