"""realtime-bus: an asyncio event bus for the OpenAI Realtime protocol.

::

    from realtime_bus import Bus, ResponseDone

    bus = Bus.openai(model="gpt-realtime")

    @bus.on(ResponseDone)
    async def done(event: ResponseDone) -> None:
        print(event.response.status)

    async with bus:
        await bus.response.create()
        await bus.wait_for(ResponseDone, timeout=30)
"""

from .bus import (
    Bus,
    BusClosed,
    BusState,
    BusStats,
    Closed,
    ConfigurationError,
    Connected,
    ConnectionLost,
    Disconnected,
    ErrorReport,
    Expectation,
    LifecycleEvent,
    QueueFull,
    Reconnected,
    ReconnectFailed,
    Reconnecting,
    ReconnectPolicy,
    ServerError,
    SessionExpiring,
    Stream,
    StreamOverflow,
)
from .protocol import *  # noqa: F403
from .protocol import __all__ as _protocol_all
from .transport import ConnectOptions, Endpoint, HandshakeRefused, MissingCredentials

__all__ = [
    "Bus",
    "BusClosed",
    "BusState",
    "BusStats",
    "Closed",
    "ConfigurationError",
    "ConnectOptions",
    "Connected",
    "ConnectionLost",
    "Disconnected",
    "Endpoint",
    "ErrorReport",
    "Expectation",
    "HandshakeRefused",
    "LifecycleEvent",
    "MissingCredentials",
    "QueueFull",
    "ReconnectFailed",
    "ReconnectPolicy",
    "Reconnected",
    "Reconnecting",
    "ServerError",
    "SessionExpiring",
    "Stream",
    "StreamOverflow",
    *_protocol_all,
]
__version__ = "0.1.0"
