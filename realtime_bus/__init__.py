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

Every name of :mod:`realtime_bus.protocol` (events, models, codec) is also a name of this
package; the bus, the sync facade, the transport's public pieces and (on first use, with the
``rest`` extra) the REST client are listed below.
"""

import typing

from . import _log as _log  # installs the library's NullHandler
from .bus import Bus as Bus
from .bus import BusClosed as BusClosed
from .bus import BusState as BusState
from .bus import BusStats as BusStats
from .bus import Closed as Closed
from .bus import ConfigurationError as ConfigurationError
from .bus import Connected as Connected
from .bus import ConnectFailed as ConnectFailed
from .bus import ConnectionLost as ConnectionLost
from .bus import Disconnected as Disconnected
from .bus import ErrorReport as ErrorReport
from .bus import Expectation as Expectation
from .bus import LifecycleEvent as LifecycleEvent
from .bus import LiveBus as LiveBus
from .bus import LiveSessionClosed as LiveSessionClosed
from .bus import QueueFull as QueueFull
from .bus import ReadingPaused as ReadingPaused
from .bus import ReadingResumed as ReadingResumed
from .bus import Reconnected as Reconnected
from .bus import ReconnectFailed as ReconnectFailed
from .bus import Reconnecting as Reconnecting
from .bus import ReconnectPolicy as ReconnectPolicy
from .bus import Rotated as Rotated
from .bus import ServerError as ServerError
from .bus import SessionExpiring as SessionExpiring
from .bus import SessionTimeout as SessionTimeout
from .bus import Stream as Stream
from .bus import StreamOverflow as StreamOverflow
from .protocol import *
from .protocol._base import reexported_names as _reexported_names
from .sync import SyncBus as SyncBus
from .sync import SyncExpectation as SyncExpectation
from .sync import SyncLiveBus as SyncLiveBus
from .sync import SyncStream as SyncStream
from .transport import ConnectOptions as ConnectOptions
from .transport import Endpoint as Endpoint
from .transport import HandshakeRefused as HandshakeRefused
from .transport import MissingCredentials as MissingCredentials

if typing.TYPE_CHECKING:  # the REST side needs the optional "rest" extra: imported on first use
    from .rest import APIConnectionError as APIConnectionError
    from .rest import APIError as APIError
    from .rest import APITimeoutError as APITimeoutError
    from .rest import ClientSecret as ClientSecret
    from .rest import CreatedCall as CreatedCall
    from .rest import ExpiresAfter as ExpiresAfter
    from .rest import RealtimeAPI as RealtimeAPI
    from .rest import RealtimeCallIncoming as RealtimeCallIncoming
    from .rest import RetryPolicy as RetryPolicy
    from .rest import SyncRealtimeAPI as SyncRealtimeAPI
    from .rest import WebhookError as WebhookError
    from .rest import WebhookVerifier as WebhookVerifier

_REST_NAMES = (
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "ClientSecret",
    "CreatedCall",
    "ExpiresAfter",
    "RealtimeAPI",
    "RealtimeCallIncoming",
    "RetryPolicy",
    "SyncRealtimeAPI",
    "WebhookError",
    "WebhookVerifier",
)


if not typing.TYPE_CHECKING:  # type checkers read the imports above themselves
    # The protocol's names, the bus's, the sync facade's and the transport's bound above.
    __all__ = _reexported_names(globals(), *_REST_NAMES)

    # Hidden from type checkers too: a module __getattr__ would make every misspelt name
    # type-check as Any.
    def __getattr__(name: str) -> typing.Any:
        if name in _REST_NAMES:
            from . import rest

            return getattr(rest, name)
        raise AttributeError(f"module 'realtime_bus' has no attribute {name!r}")


__version__ = "0.1.0"
