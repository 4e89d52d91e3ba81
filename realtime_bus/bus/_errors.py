"""Errors raised by the bus."""

from __future__ import annotations

from ..protocol import ErrorDetails, ErrorEvent, RealtimeBusError
from ..protocol.live import ErrorDetails as LiveErrorDetails
from ..protocol.live import ErrorEvent as LiveErrorEvent
from ..transport import ConnectionLost

__all__ = [
    "BusClosed",
    "QueueFull",
    "ReconnectFailed",
    "ServerError",
    "SessionTimeout",
    "StreamOverflow",
]


class ServerError(RealtimeBusError):
    """The server answered a request with an ``error`` event naming its ``event_id``."""

    def __init__(self, event: ErrorEvent | LiveErrorEvent) -> None:
        self.event = event
        self.error: ErrorDetails | LiveErrorDetails = event.error
        detail = f"{self.error.type}"
        if isinstance(self.error.code, str):
            detail += f"/{self.error.code}"
        if isinstance(self.error.param, str):
            detail += f" (param {self.error.param})"
        super().__init__(f"server error {detail}: {self.error.message}")


class SessionTimeout(ConnectionLost):
    """The server accepted the connection but never started the session (no ``session.created``
    within ``session_timeout`` seconds)."""


class BusClosed(RealtimeBusError):
    """The bus is closed (or closing): nothing more can be sent or awaited."""


class ReconnectFailed(RealtimeBusError):
    """The bus gave up reconnecting; ``__cause__`` is the last failure."""


class QueueFull(RealtimeBusError):
    """``send_nowait`` found the outbound queue full (nothing was queued)."""


class StreamOverflow(RealtimeBusError):
    """A stream's buffer overflowed and its policy is ``"raise"``."""
