"""The Realtime protocol as typed data: every event, every nested object, and the codec.

Sans-I/O: this package imports msgspec and nothing that touches a socket, so it can be tested,
benchmarked and reused (the simulator speaks through it) without a connection. The server's
side of the codec is in :mod:`realtime_bus.protocol.server`.

Each module below declares its public names once (an event module derives them from its
definitions); this package re-exports them all and its ``__all__`` is their concatenation. A
second family of events is one more module (or package), star-imported here.
"""

import typing

from ._audio import *
from ._base import *
from ._base import package_names as _package_names
from ._beta import *
from ._client_events import *
from ._codec import *
from ._errors import *
from ._items import *
from ._models import *
from ._server_events import *
from ._translation import *

if not typing.TYPE_CHECKING:  # type checkers take the star-imported names themselves
    __all__ = _package_names(globals())
