"""The connection supervisor: connects, runs the reader and the writer, reconnects.

It is the half of :class:`Bus` that owns the socket. The reader only decodes and hands events
to the dispatcher; the writer only drains the outbound queue; neither runs user code except
plain handlers of an event that arrives alone (see :meth:`Dispatcher.dispatch_now`). State
transitions (:class:`BusState`) happen here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import msgspec
from msgspec.structs import force_setattr
from websockets.exceptions import ConnectionClosed

from ..protocol import DecodeError, Decoder, Encoder, SessionCreated, SessionUpdate, UnknownEvent
from ..transport import (
    ConnectOptions,
    Connector,
    Endpoint,
    HandshakeRefused,
    Transport,
    abort_transport,
)
from ._backoff import ReconnectPolicy
from ._dispatcher import BusStats, Dispatcher, ErrorReport
from ._errors import ConnectionLost, ReconnectFailed
from ._lifecycle import (
    BusState,
    Connected,
    Disconnected,
    LifecycleEvent,
    Reconnected,
    Reconnecting,
    Rotated,
    SessionExpiring,
)
from ._outbound import OutboundQueue
from ._standby import StandbyConnection
from ._tap import FrameTap
from ._waiters import WaiterSet

__all__ = ["ConnectionSupervisor"]


def _merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge a session update into the configuration kept for replay."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


class ConnectionSupervisor:
    """The connection half of :class:`Bus` (a mixin: the attributes are the bus's)."""

    endpoint: Endpoint
    options: ConnectOptions
    connector: Connector
    _tap: FrameTap | None
    reconnect_policy: ReconnectPolicy
    flush_timeout: float
    session_expiry_warning: float
    inbound_maxsize: int
    wait_for_session: bool
    name: str
    stats: BusStats
    state: BusState
    session_id: str | None
    expires_at: int | None
    _log: Any
    _waiters: WaiterSet
    _dispatcher: Dispatcher
    _outbound: OutboundQueue
    _decoder: Decoder
    _encoder: Encoder
    _session_config: dict[str, Any]
    _closing: asyncio.Event
    _opened: asyncio.Event
    _session_ready: asyncio.Event
    _expiry_timer: asyncio.TimerHandle | None = None
    # Hand-over to a standby connection (see open_standby / hand_over).
    _write_lock: asyncio.Lock
    _handover: asyncio.Future[None] | None = None
    _adopt: tuple[Transport, SessionCreated] | None = None
    _old_closers: set[asyncio.Task[None]]

    def _prepare(self, event: Any) -> Any:  # pragma: no cover - Bus provides it
        """Give ``event`` an id (implemented by :class:`Bus`)."""
        raise NotImplementedError

    def _announce(self, event: LifecycleEvent) -> None:
        """Deliver a lifecycle event (telling the recorder tap first, in wire order)."""
        if self._tap is not None:
            self._tap.lifecycle(event)
        self._dispatcher.push(event)

    async def _supervise(self) -> None:
        self._write_lock = asyncio.Lock()
        self._old_closers = set()
        try:
            await self._supervise_connections()
        finally:
            closers = tuple(self._old_closers)
            if closers:
                await asyncio.gather(*closers, return_exceptions=True)

    async def _supervise_connections(self) -> None:
        policy = self.reconnect_policy
        attempt = 0  # connections opened
        failures = 0  # failed attempts since the last good session
        lost_at: float | None = None
        cause: BaseException | None = None
        while not self._closing.is_set():
            ws: Transport | None = None
            adopted, self._adopt = self._adopt, None
            if adopted is not None:
                ws = adopted[0]  # a hand-over: that session is ready, serve it now
            else:
                self.state = BusState.CONNECTING if attempt == 0 else BusState.RECONNECTING
                try:
                    ws = await self.connector(self.endpoint, self.options)
                    attempt += 1
                except HandshakeRefused as exc:
                    if not exc.retryable:
                        raise
                    cause = exc
                except (OSError, TimeoutError, ConnectionClosed) as exc:
                    cause = exc
                except Exception as exc:  # websockets' other handshake failures
                    if type(exc).__module__.startswith("websockets"):
                        cause = exc
                    else:
                        raise
            if ws is not None:
                outcome = await self._serve(ws, attempt, adopted[1] if adopted else None)
                if self._closing.is_set():
                    return
                if self._handed_over():
                    continue
                established, cause = outcome
                if established:
                    failures = 0
                    lost_at = time.monotonic()
                if not self._announce_loss(cause):
                    raise ConnectionLost(f"connection lost: {_describe(cause)}") from cause
            if lost_at is None:
                lost_at = time.monotonic()
            failures += 1
            if not policy.allows(failures, time.monotonic() - lost_at):
                raise ReconnectFailed(
                    f"gave up after {failures - 1} reconnect attempts: {_describe(cause)}"
                ) from cause
            delay = policy.delay(failures)
            self.stats.reconnects += 1
            self._announce(Reconnecting(attempt=failures, delay=delay, cause=_describe(cause)))
            self._log.warning(
                "reconnecting", attempt=failures, delay=round(delay, 3), cause=_describe(cause)
            )
            try:
                await asyncio.wait_for(self._closing.wait(), delay)
            except TimeoutError:
                pass

    def _handed_over(self) -> bool:
        """Whether the connection just served was handed over to a standby connection."""
        return self._adopt is not None

    def _announce_loss(self, cause: BaseException | None) -> bool:
        """Announce a lost connection; returns whether the bus will reconnect."""
        will = self.reconnect_policy.enabled
        code, reason = _close_frame(cause)
        self._announce(
            Disconnected(code=code, reason=reason, cause=_describe(cause), will_reconnect=will)
        )
        return will

    async def _serve(
        self, ws: Transport, attempt: int, adopted: SessionCreated | None = None
    ) -> tuple[bool, BaseException | None]:
        """Run the reader and the writer on one connection until it ends (or is handed over).

        Returns whether a session was established, and what ended it.
        """
        self._session_ready.clear()
        old_session = self.session_id
        if adopted is not None:
            self._on_adopted(adopted, old_session)
        else:
            if self._tap is not None:
                self._tap.opened(attempt)
            if not self.wait_for_session:
                self.state = BusState.OPEN
                self._session_ready.set()
                self._opened.set()
                self._announce(Connected(session_id=None, attempt=attempt))
        reader = asyncio.create_task(
            self._read(ws, attempt, old_session, adopted is not None), name=f"{self.name}-read"
        )
        writer = asyncio.create_task(self._write(ws), name=f"{self.name}-write")
        closing = asyncio.create_task(self._closing.wait())
        handover = self._handover = asyncio.get_running_loop().create_future()
        handed_over = False
        try:
            await asyncio.wait(
                {reader, writer, closing, handover}, return_when=asyncio.FIRST_COMPLETED
            )
            if closing.done() and not reader.done():
                await self._close_connection(ws, writer)
            elif handover.done() and not reader.done() and not writer.done():
                async with self._write_lock:  # let the frame being written finish
                    writer.cancel()
                reader.cancel()
                await asyncio.gather(reader, writer, return_exceptions=True)
                closer = asyncio.create_task(self._close_old(ws), name=f"{self.name}-close-old")
                self._old_closers.add(closer)
                closer.add_done_callback(self._old_closers.discard)
                handed_over = True
                return True, None
            elif handover.done():
                self._adopt = None  # the connection failed at the same moment: reconnect
        finally:
            self._handover = None
            if not handover.done():
                handover.cancel()
            for task in (closing, writer):
                task.cancel()
            if not reader.done():
                reader.cancel()
            await asyncio.gather(reader, writer, closing, return_exceptions=True)
            if not handed_over:
                self._cancel_expiry_timer()
                abort_transport(ws)
        established = self._session_ready.is_set()
        cause: BaseException | None = None
        if reader.done() and not reader.cancelled():
            cause = reader.exception() or reader.result()
        elif writer.done() and not writer.cancelled():
            cause = writer.exception()
        self._waiters.fail_all(
            ConnectionLost(f"connection lost before the answer came: {_describe(cause)}"),
            only_requests=True,
        )
        self.state = BusState.RECONNECTING
        return established, cause

    async def _close_old(self, ws: Transport) -> None:
        try:
            await asyncio.wait_for(ws.close(1000, "rotated"), self.options.close_timeout + 1)
        except (TimeoutError, ConnectionClosed, OSError):
            abort_transport(ws)

    async def _close_connection(self, ws: Transport, writer: asyncio.Task[None]) -> None:
        """Clean close: let the writer flush (bounded), then the close handshake (bounded)."""
        if self._session_ready.is_set() and len(self._outbound) and not writer.done():
            flushed = asyncio.create_task(self._outbound.wait_empty())
            await asyncio.wait({flushed, writer}, timeout=self.flush_timeout)
            flushed.cancel()
            # Let the writer finish the frame it took last.
            await asyncio.sleep(0)
        writer.cancel()
        try:
            await asyncio.wait_for(ws.close(1000, "client closing"), self.options.close_timeout + 1)
        except (TimeoutError, ConnectionClosed, OSError):
            pass

    async def _read(
        self, ws: Transport, attempt: int, old_session: str | None, adopted: bool = False
    ) -> BaseException | None:
        decode = self._decoder.decode
        dispatcher = self._dispatcher
        push = dispatcher.push
        dispatch_now = dispatcher.dispatch_now
        early = self._waiters.early
        stats = self.stats
        tap = self._tap
        session_seen = adopted
        monotonic = time.monotonic
        while True:
            try:
                frame = await ws.recv(decode=False)
            except ConnectionClosed as exc:
                return exc
            received = monotonic()
            stats.events_received += 1
            try:
                event = decode(frame)
            except DecodeError as exc:
                if tap is not None:
                    tap.received(frame, None)
                stats.decode_errors += 1
                self._log.warning("undecodable frame", error=exc.message, size=len(frame))
                dispatcher.report(ErrorReport("decode", exc, frame=frame))
                continue
            force_setattr(event, "received", received)
            if tap is not None:
                tap.received(frame, event)
            if early:
                self._waiters.feed(early, event)
            if not session_seen and type(event) is SessionCreated:
                session_seen = True
                self._on_session_created(event, attempt, old_session)
            elif not dispatch_now(event):
                push(event)
            if type(event) is UnknownEvent:
                stats.unknown_events += 1
                self._log.info("unknown event type", event_type=event.type)
                problem = DecodeError(f"unknown event type {event.type!r}", frame)
                dispatcher.report(ErrorReport("unknown_event", problem, event=event))
            if len(dispatcher.inbound) >= self.inbound_maxsize:
                await self._wait_for_inbound_room()

    async def _wait_for_inbound_room(self) -> None:
        self._log.warning("inbound buffer full: handlers are behind", size=self.inbound_maxsize)
        # Polling is fine here: this only happens when handlers are far behind.
        while len(self._dispatcher.inbound) >= self.inbound_maxsize // 2:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    def _on_session_created(self, event: SessionCreated, attempt: int, old: str | None) -> None:
        """The session is established: note it, release the writer, deliver the event, then
        announce the connection (in that order, so handlers of either see the new session)."""
        session = event.session
        sid = session.id if isinstance(session.id, str) else None
        expires = session.expires_at if isinstance(session.expires_at, int) else None
        self.session_id, self.expires_at = sid, expires
        if attempt > 1 and self._session_config:
            # The new session starts from defaults: send the configuration again, first.
            replay = msgspec.convert(
                {"type": "session.update", "session": self._session_config}, SessionUpdate
            )
            self._outbound.requeue_front(self._prepare(replay))
        self.state = BusState.OPEN
        self._session_ready.set()
        self._opened.set()
        self._dispatcher.push(event)
        if not self.wait_for_session:
            pass  # connected was announced when the socket opened
        elif attempt > 1:
            self._announce(Reconnected(old_session_id=old, new_session_id=sid, attempt=attempt))
        else:
            self._announce(Connected(session_id=sid, attempt=attempt))
        self._log.info("connected", session_id=sid, attempt=attempt, expires_at=expires)
        if expires is not None:
            self._schedule_expiry(sid, expires)

    def _on_adopted(self, created: SessionCreated, old: str | None) -> None:
        """The bus now serves a standby connection whose session was made ready before."""
        session = created.session
        sid = session.id if isinstance(session.id, str) else None
        expires = session.expires_at if isinstance(session.expires_at, int) else None
        self.session_id, self.expires_at = sid, expires
        self.state = BusState.OPEN
        self._session_ready.set()
        self._announce(Rotated(old_session_id=old, new_session_id=sid))
        self._log.info("rotated", old_session_id=old, session_id=sid, expires_at=expires)
        if expires is not None:
            self._schedule_expiry(sid, expires)

    # -- hand-over (public: Bus.open_standby / Bus.hand_over) ---------------------------------

    @property
    def session_config(self) -> dict[str, Any]:
        """The session configuration this bus has sent so far, merged (a copy).

        It is what the bus sends again after a reconnect.
        """
        config: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(self._session_config))
        return config

    async def open_standby(self, *, timeout: float = 30.0) -> StandbyConnection:
        """Open a second connection to the same endpoint while the current one serves.

        Returns once its ``session.created`` has arrived. Its events do not reach this bus's
        handlers; prepare its session through it, then :meth:`hand_over` to it (or close it).
        """
        ws = await self.connector(self.endpoint, self.options)
        try:
            frame = await asyncio.wait_for(ws.recv(decode=False), timeout)
            created = self._decoder.decode(frame)
            if type(created) is not SessionCreated:
                raise ConnectionLost(
                    f"the standby session began with {getattr(created, 'type', '?')!r}"
                )
        except BaseException:
            abort_transport(ws)
            raise
        return StandbyConnection(
            ws, created, decoder=self._decoder, encoder=self._encoder, prepare=self._prepare
        )

    async def hand_over(self, standby: StandbyConnection, *, timeout: float = 10.0) -> None:
        """Switch this bus to ``standby``'s connection and close the current one with 1000.

        The frame being written finishes first; events still queued go to the new session, in
        order; handlers see a ``bus.rotated`` event, then the new session's events. Events the
        old session sends after the switch are not delivered (switch when it is quiet: no
        response in progress, the user not speaking).
        """
        handover = self._handover
        if handover is None or handover.done() or self.state is not BusState.OPEN:
            raise ConnectionLost(f"{self.name} has no open connection to hand over")
        ws = await standby.detach()
        self._adopt = (ws, standby.created)
        handover.set_result(None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.session_id != standby.session_id or self.state is not BusState.OPEN:
            if loop.time() > deadline:
                raise TimeoutError(f"{self.name} did not switch within {timeout} s")
            if self._closing.is_set():
                raise ConnectionLost(f"{self.name} closed during the hand-over")
            await asyncio.sleep(0.005)

    def _schedule_expiry(self, sid: str | None, expires_at: int) -> None:
        self._cancel_expiry_timer()
        delay = max(0.0, expires_at - time.time() - self.session_expiry_warning)

        def fire() -> None:
            left = max(0.0, expires_at - time.time())
            self._dispatcher.push(
                SessionExpiring(session_id=sid, expires_at=expires_at, seconds_left=left)
            )

        self._expiry_timer = asyncio.get_running_loop().call_later(delay, fire)

    def _cancel_expiry_timer(self) -> None:
        if self._expiry_timer is not None:
            self._expiry_timer.cancel()
            self._expiry_timer = None

    async def _write(self, ws: Transport) -> None:
        await self._session_ready.wait()
        queue = self._outbound
        encode = self._encoder.encode
        stats = self.stats
        tap = self._tap
        lock = self._write_lock
        while True:
            await queue.wait_readable()
            async with lock:  # a hand-over waits for the frame being written
                event = queue.take()
                frame = encode(event)
                try:
                    await ws.send(frame, text=True)
                except ConnectionClosed:
                    queue.requeue_front(event)
                    raise
            stats.frames_sent += 1
            if tap is not None:
                tap.sent(frame, event)
            if type(event) is SessionUpdate:
                self._session_config = _merge(
                    self._session_config, msgspec.to_builtins(event.session)
                )
            stats.appends_merged = queue.frames_saved


def _close_frame(exc: BaseException | None) -> tuple[int | None, str]:
    """The close code and reason the server sent, if it sent a close frame."""
    if isinstance(exc, ConnectionClosed) and exc.rcvd is not None:
        return exc.rcvd.code, exc.rcvd.reason
    return None, ""


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "closed"
    if isinstance(exc, ConnectionClosed):
        rcvd = exc.rcvd
        if rcvd is not None:
            return f"closed by server with code {rcvd.code}" + (
                f" ({rcvd.reason})" if rcvd.reason else ""
            )
        return "connection dropped without a close frame"
    return f"{type(exc).__name__}: {exc}"
