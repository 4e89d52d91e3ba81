"""A second connection, opened while the bus's current one serves, for the bus to switch to.

Realtime sessions end after an hour. To keep going, the next session is opened beside the
current one, made ready (configuration, history), then the bus switches to it at a quiet
moment (:meth:`Bus.hand_over`). Until then the standby connection is private to whoever
prepares it: its events never reach the bus's handlers, so they see one continuous stream.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from ..protocol import ClientEvent, DecodeError, ErrorEvent
from ..transport import ConnectionLost, Transport, TransportClosed
from ._dialect import DialectSpec
from ._errors import ServerError

__all__ = ["StandbyConnection"]


def _acknowledges(dialect: DialectSpec, event: ClientEvent) -> Callable[[Any], bool]:
    rule = dialect.acknowledgement(event)
    if rule is None:
        raise ValueError(f"the server does not acknowledge {event.type!r}")
    types, acknowledges = rule
    return lambda e: e.type in types and acknowledges(e)


class StandbyConnection:
    """An open connection with an established session, not yet serving the bus.

    Made by :meth:`Bus.open_standby`. :meth:`send` and :meth:`request` talk to its session
    directly (the events get ids from the bus, but skip its queue and its handlers). Either
    :meth:`Bus.hand_over` adopts it, or :meth:`close` closes it.
    """

    def __init__(
        self,
        ws: Transport,
        created: Any,
        *,
        dialect: DialectSpec,
        prepare: Callable[[ClientEvent], ClientEvent],
        backlog: int = 1000,
    ) -> None:
        self.created = created
        """The event the new session started with (``session.created`` for Realtime)."""
        self.session_id, self.expires_at = dialect.session_of(created)
        self._ws = ws
        self._dialect = dialect
        self._prepare = prepare
        self._events: deque[Any] = deque(maxlen=backlog)
        self._waiters: list[tuple[Callable[[Any], bool], asyncio.Future[Any]]] = []
        self._lost: BaseException | None = None
        self.adopted = False
        self._reader = asyncio.create_task(self._read(), name="standby-read")

    def __repr__(self) -> str:
        return f"StandbyConnection(session_id={self.session_id!r}, adopted={self.adopted})"

    @property
    def events(self) -> list[Any]:
        """The events this session sent so far (the most recent ``backlog``)."""
        return list(self._events)

    async def _read(self) -> None:
        try:
            while True:
                frame = await self._ws.recv()
                try:
                    event = self._dialect.decoder.decode(frame)
                except DecodeError:
                    continue
                self._events.append(event)
                for check, future in self._waiters:
                    if not future.done() and check(event):
                        future.set_result(event)
                self._waiters = [w for w in self._waiters if not w[1].done()]
        except TransportClosed as exc:
            self._lost = exc
            for _, future in self._waiters:
                if not future.done():
                    future.set_exception(ConnectionLost(f"standby connection lost: {exc}"))
            self._waiters.clear()

    async def send(self, event: ClientEvent) -> ClientEvent:
        """Write ``event`` to the standby session now."""
        if self.adopted:
            raise RuntimeError("this connection now serves the bus: send through the bus")
        if self._lost is not None:
            raise ConnectionLost(f"standby connection lost: {self._lost}")
        self._prepare(event)
        await self._ws.send(self._dialect.encoder.encode(event))
        return event

    def expect(self, check: Callable[[Any], bool]) -> asyncio.Future[Any]:
        """A future for the next event of the standby session that ``check`` accepts."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self._lost is not None:
            future.set_exception(ConnectionLost(f"standby connection lost: {self._lost}"))
        else:
            self._waiters.append((check, future))
        return future

    async def request(
        self,
        event: ClientEvent,
        *,
        answer: Callable[[Any], bool] | None = None,
        timeout: float = 10.0,
    ) -> Any:
        """Send ``event`` and return what acknowledges it (as :meth:`Bus.request` does).

        ``answer`` replaces the usual acknowledgement test. Raises :class:`ServerError` when
        the session answers with an ``error`` naming the event.
        """
        self._prepare(event)
        event_id = event.event_id
        test = answer if answer is not None else _acknowledges(self._dialect, event)

        def answers(e: Any) -> bool:
            if type(e) is ErrorEvent:
                return e.error.event_id == event_id
            return test(e)

        future = self.expect(answers)
        try:
            await self.send(event)
            result = await asyncio.wait_for(future, timeout)
        finally:
            future.cancel()
        if type(result) is ErrorEvent:
            raise ServerError(result)
        return result

    async def detach(self) -> Transport:
        """Stop reading (the bus reads from now on) and give the connection up."""
        self.adopted = True
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
        return self._ws

    async def close(self, code: int = 1000, reason: str = "standby not used") -> None:
        """Close the standby connection (bounded)."""
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
        if self.adopted:
            return
        self._lost = self._lost or ConnectionLost("the standby connection was closed")
        await self._ws.close(code, reason)  # bounded by the transport
