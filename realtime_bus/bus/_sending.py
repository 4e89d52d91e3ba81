"""Sending: ids for client events, the outbound queue's front door, requests and their answers."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..protocol import ClientEvent
from ._dialect import DialectSpec
from ._errors import BusClosed, ServerError
from ._outbound import OutboundQueue
from ._state import Lifecycle
from ._waiters import IN_DISPATCHER, Expectation, WaiterSet

__all__ = ["Outbox"]


@dataclass(eq=False, repr=False, slots=True)
class Outbox:
    """Gives client events their ids, queues them, and correlates requests with answers."""

    _outbound: OutboundQueue
    _waiters: WaiterSet
    _dialect: DialectSpec
    _life: Lifecycle
    _name: str
    _prefix: str = field(init=False, default_factory=lambda: f"rb{secrets.token_hex(3)}_")
    _ids: Iterator[int] = field(init=False, default_factory=lambda: itertools.count(1))

    def prepare(self, event: ClientEvent) -> ClientEvent:
        """Check ``event`` is a client event and give it an ``event_id`` if it has none."""
        if not isinstance(event, ClientEvent):
            raise TypeError(f"expected a client event, got {type(event).__name__}")
        if event.event_id is msgspec.UNSET or event.event_id is None:
            event.event_id = f"{self._prefix}{next(self._ids)}"
        return event

    def check_usable(self) -> None:
        """Raise :class:`BusClosed` once the bus is closing."""
        if not self._life.usable:
            raise BusClosed(f"{self._name} is closed")

    async def send(self, event: ClientEvent) -> ClientEvent:
        """See :meth:`Bus.send`."""
        self.check_usable()
        queue = self._outbound
        if len(queue) < queue.maxsize:
            queue.put_nowait(self.prepare(event))  # room: no need to suspend
        else:
            await queue.put(self.prepare(event))
        return event

    def send_nowait(self, event: ClientEvent) -> ClientEvent:
        """See :meth:`Bus.send_nowait`."""
        self.check_usable()
        self._outbound.put_nowait(self.prepare(event))
        return event

    async def request(self, event: ClientEvent, timeout: float | None) -> Any:
        """See :meth:`Bus.request`."""
        self.check_usable()
        self.prepare(event)
        dialect = self._dialect
        rule = dialect.acknowledgement(event)
        if rule is None:
            raise ValueError(f"the server does not acknowledge {event.type!r}")
        ack_types, acknowledges = rule
        event_id = event.event_id
        error_types, names = dialect.error_types, dialect.error_event_id

        def answers(server_event: Any) -> bool:
            if server_event.type in error_types:
                return bool(names(server_event) == event_id)
            return acknowledges(server_event)

        exp: Expectation[Any] = Expectation(
            (*ack_types, *error_types),
            answers,
            early=IN_DISPATCHER.get(),
            fail_on_disconnect=True,
            on_done=self._waiters.remove,
        )
        self._waiters.add(exp)
        try:
            await self._outbound.put(event)
        except BaseException:
            exp.cancel()
            raise
        answer = await exp.wait(timeout)
        if answer.type in error_types:
            raise ServerError(answer)
        return answer
