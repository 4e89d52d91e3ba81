"""What the typed helpers need from a bus: a leaf interface, so they never import the bus."""

from __future__ import annotations

from typing import Any, Protocol

from ..protocol import ClientEvent

__all__ = ["Sender"]


class Sender(Protocol):
    """Queues client events and sends requests (:class:`~realtime_bus.Bus` is one)."""

    async def send(self, event: ClientEvent) -> ClientEvent:
        """Queue ``event``; returns it with its ``event_id``."""
        ...

    async def request(self, event: ClientEvent, *, timeout: float | None = 30.0) -> Any:
        """Send ``event``; return the server event acknowledging it."""
        ...
