"""GPT-Live as typed data: every client and server event, every nested object, the codec.

GPT-Live (``/v1/live/sessions``, model ``gpt-live-1``) is OpenAI's second voice protocol. Its
events keep the Realtime guarantees: a field left out is ``msgspec.UNSET`` (not ``None``),
client events check their fields when built, an unknown event type decodes to
:class:`UnknownEvent` and a broken frame raises :class:`DecodeError`. Sans-I/O, msgspec only.
"""

import types
import typing

from .._errors import DecodeError as DecodeError
from .._errors import EncodeError as EncodeError
from ._client_events import *
from ._codec import *
from ._decisions import *
from ._server_events import *
from ._session import *
from ._tools import *

# As in ``realtime_bus.protocol``: the star-imported modules are this package's _modules, and
# its ``__all__`` is their names (and the two errors every codec raises).
_MODULES = tuple(
    value
    for name, value in globals().items()
    if name.startswith("_")
    and isinstance(value, types.ModuleType)
    and value.__name__.startswith(f"{__name__}._")
)

if not typing.TYPE_CHECKING:  # type checkers take the star-imported names themselves
    __all__ = sorted(
        {"DecodeError", "EncodeError"} | {name for module in _MODULES for name in module.__all__}
    )
