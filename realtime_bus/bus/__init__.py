"""The bus: handlers, waiters, streams, the outbound queue and the connection lifecycle."""

from ._backoff import ReconnectPolicy
from ._bus import Bus
from ._dispatcher import BusStats, ErrorReport
from ._errors import (
    BusClosed,
    ConfigurationError,
    ConnectionLost,
    QueueFull,
    ReconnectFailed,
    ServerError,
    StreamOverflow,
)
from ._lifecycle import (
    BusState,
    Closed,
    Connected,
    DerivedEvent,
    Disconnected,
    LifecycleEvent,
    Reconnected,
    Reconnecting,
    Rotated,
    SessionExpiring,
)
from ._outbound import OutboundQueue
from ._router import Router
from ._standby import StandbyConnection
from ._waiters import Expectation, OverflowPolicy, Stream

__all__ = [
    "Bus",
    "BusClosed",
    "BusState",
    "BusStats",
    "Closed",
    "ConfigurationError",
    "Connected",
    "ConnectionLost",
    "DerivedEvent",
    "Disconnected",
    "ErrorReport",
    "Expectation",
    "LifecycleEvent",
    "OutboundQueue",
    "OverflowPolicy",
    "QueueFull",
    "ReconnectFailed",
    "ReconnectPolicy",
    "Reconnected",
    "Reconnecting",
    "Rotated",
    "Router",
    "ServerError",
    "SessionExpiring",
    "StandbyConnection",
    "Stream",
    "StreamOverflow",
]
