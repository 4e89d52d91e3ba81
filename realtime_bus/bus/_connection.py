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
    SessionExpiring,
)
from ._outbound import OutboundQueue
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

    def _prepare(self, event: Any) -> Any:  # pragma: no cover - Bus provides it
        """Give ``event`` an id (implemented by :class:`Bus`)."""
        raise NotImplementedError

    def _announce(self, event: LifecycleEvent) -> None:
        """Deliver a lifecycle event (telling the recorder tap first, in wire order)."""
        if self._tap is not None:
            self._tap.lifecycle(event)
        self._dispatcher.push(event)

    async def _supervise(self) -> None:
        policy = self.reconnect_policy
        attempt = 0  # connections opened
        failures = 0  # failed attempts since the last good session
        lost_at: float | None = None
        cause: BaseException | None = None
        while not self._closing.is_set():
            self.state = BusState.CONNECTING if attempt == 0 else BusState.RECONNECTING
            try:
                ws = await self.connector(self.endpoint, self.options)
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
            else:
                attempt += 1
                outcome = await self._serve(ws, attempt)
                if self._closing.is_set():
                    return
                established, cause = outcome
                if established:
                    failures = 0
                    lost_at = time.monotonic()
                will = policy.enabled
                code, reason = _close_frame(cause)
                self._announce(
                    Disconnected(
                        code=code, reason=reason, cause=_describe(cause), will_reconnect=will
                    )
                )
                if not will:
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

    async def _serve(self, ws: Transport, attempt: int) -> tuple[bool, BaseException | None]:
        """Run the reader and the writer on one connection until it ends.

        Returns whether a session was established, and what ended it.
        """
        self._session_ready.clear()
        if self._tap is not None:
            self._tap.opened(attempt)
        if not self.wait_for_session:
            self.state = BusState.OPEN
            self._session_ready.set()
            self._opened.set()
            self._announce(Connected(session_id=None, attempt=attempt))
        old_session = self.session_id
        reader = asyncio.create_task(self._read(ws, attempt, old_session), name=f"{self.name}-read")
        writer = asyncio.create_task(self._write(ws), name=f"{self.name}-write")
        closing = asyncio.create_task(self._closing.wait())
        try:
            await asyncio.wait({reader, writer, closing}, return_when=asyncio.FIRST_COMPLETED)
            if closing.done() and not reader.done():
                await self._close_connection(ws, writer)
        finally:
            for task in (closing, writer):
                task.cancel()
            if not reader.done():
                reader.cancel()
            await asyncio.gather(reader, writer, closing, return_exceptions=True)
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
        self, ws: Transport, attempt: int, old_session: str | None
    ) -> BaseException | None:
        decode = self._decoder.decode
        dispatcher = self._dispatcher
        push = dispatcher.push
        dispatch_now = dispatcher.dispatch_now
        early = self._waiters.early
        stats = self.stats
        tap = self._tap
        session_seen = False
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
        while True:
            await queue.wait_readable()
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
