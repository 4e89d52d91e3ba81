"""The bus: handlers, waiters, streams, the outbound queue and the connection lifecycle."""

import typing

from ..protocol._base import reexported_names as _reexported_names
from ..transport import ConfigurationError as ConfigurationError
from ..transport import ConnectFailed as ConnectFailed
from ..transport import ConnectionLost as ConnectionLost
from ..transport import TransportClosed as TransportClosed
from ._backoff import ReconnectPolicy as ReconnectPolicy
from ._bus import Bus as Bus
from ._bus import LiveBus as LiveBus
from ._dialect import DialectSpec as DialectSpec
from ._dialect import Handshake as Handshake
from ._dialect import RealtimeHelpers as RealtimeHelpers
from ._dialect import dialect_for as dialect_for
from ._dialect import register_dialect as register_dialect
from ._dispatcher import BusStats as BusStats
from ._dispatcher import ErrorReport as ErrorReport
from ._errors import *
from ._lifecycle import Closed as Closed
from ._lifecycle import Connected as Connected
from ._lifecycle import DerivedEvent as DerivedEvent
from ._lifecycle import Disconnected as Disconnected
from ._lifecycle import LifecycleEvent as LifecycleEvent
from ._lifecycle import ReadingPaused as ReadingPaused
from ._lifecycle import ReadingResumed as ReadingResumed
from ._lifecycle import Reconnected as Reconnected
from ._lifecycle import Reconnecting as Reconnecting
from ._lifecycle import Rotated as Rotated
from ._lifecycle import SessionExpiring as SessionExpiring
from ._live_config import LiveSessionClosed as LiveSessionClosed
from ._matching import EventKey as EventKey
from ._matching import KeyMatcher as KeyMatcher
from ._outbound import OutboundQueue as OutboundQueue
from ._router import Router as Router
from ._standby import StandbyConnection as StandbyConnection
from ._state import BusState as BusState
from ._tap import FrameTap as FrameTap
from ._waiters import Expectation as Expectation
from ._waiters import OverflowPolicy as OverflowPolicy
from ._waiters import Stream as Stream

if not typing.TYPE_CHECKING:  # type checkers read the imports above themselves
    __all__ = _reexported_names(globals())
