"""The Realtime protocol as typed data: every event, every nested object, and the codec.

Sans-I/O: this package imports msgspec and nothing that touches a socket, so it can be tested,
benchmarked and reused (the simulator speaks through it) without a connection. The server's
side of the codec is in :mod:`realtime_bus.protocol.server`.

Each module below declares its public names once (an event module derives them from its
definitions); this package re-exports them all and its ``__all__`` is their concatenation. A
second family of events is one more module (or package), star-imported here.
"""

import types
import typing

from ._audio import *
from ._base import *
from ._beta import *
from ._client_events import *
from ._codec import *
from ._errors import *
from ._items import *
from ._models import *
from ._server_events import *
from ._translation import *

# Importing a submodule binds it here: the star-imported modules are this package's _modules.
_MODULES = tuple(
    value
    for name, value in globals().items()
    if name.startswith("_")
    and isinstance(value, types.ModuleType)
    and value.__name__.startswith(f"{__name__}._")
)

if not typing.TYPE_CHECKING:  # type checkers take the star-imported names themselves
    __all__ = sorted({name for module in _MODULES for name in module.__all__})
