"""The bus: handlers, waiters, streams, the outbound queue and the connection lifecycle."""

from ._backoff import ReconnectPolicy
from ._bus import Bus, LiveBus
from ._dialect import DialectSpec, Handshake, RealtimeHelpers, dialect_for, register_dialect
from ._dispatcher import BusStats, ErrorReport
from ._errors import (
    BusClosed,
    ConfigurationError,
    ConnectFailed,
    ConnectionLost,
    QueueFull,
    ReconnectFailed,
    ServerError,
    SessionTimeout,
    StreamOverflow,
    TransportClosed,
)
from ._lifecycle import (
    Closed,
    Connected,
    DerivedEvent,
    Disconnected,
    LifecycleEvent,
    ReadingPaused,
    ReadingResumed,
    Reconnected,
    Reconnecting,
    Rotated,
    SessionExpiring,
)
from ._live_config import LiveSessionClosed
from ._matching import EventKey, KeyMatcher
from ._outbound import OutboundQueue
from ._router import Router
from ._standby import StandbyConnection
from ._state import BusState
from ._tap import FrameTap
from ._waiters import Expectation, OverflowPolicy, Stream

__all__ = [
    "Bus",
    "BusClosed",
    "BusState",
    "BusStats",
    "Closed",
    "ConfigurationError",
    "ConnectFailed",
    "Connected",
    "ConnectionLost",
    "DerivedEvent",
    "DialectSpec",
    "Disconnected",
    "ErrorReport",
    "EventKey",
    "FrameTap",
    "Expectation",
    "Handshake",
    "KeyMatcher",
    "LifecycleEvent",
    "LiveBus",
    "LiveSessionClosed",
    "OutboundQueue",
    "OverflowPolicy",
    "QueueFull",
    "ReadingPaused",
    "ReadingResumed",
    "RealtimeHelpers",
    "ReconnectFailed",
    "ReconnectPolicy",
    "Reconnected",
    "Reconnecting",
    "Rotated",
    "Router",
    "ServerError",
    "SessionExpiring",
    "SessionTimeout",
    "StandbyConnection",
    "Stream",
    "StreamOverflow",
    "TransportClosed",
    "dialect_for",
    "register_dialect",
]
