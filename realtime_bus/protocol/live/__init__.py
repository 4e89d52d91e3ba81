"""GPT-Live as typed data: every client and server event, every nested object, the codec.

GPT-Live (``/v1/live/sessions``, model ``gpt-live-1``) is OpenAI's second voice protocol. Its
events keep the Realtime guarantees: a field left out is ``msgspec.UNSET`` (not ``None``),
client events check their fields when built, an unknown event type decodes to
:class:`UnknownEvent` and a broken frame raises :class:`DecodeError`. Sans-I/O, msgspec only.
"""

import typing

from .._base import package_names as _package_names
from .._errors import DecodeError as DecodeError
from .._errors import EncodeError as EncodeError
from ._client_events import *
from ._codec import *
from ._decisions import *
from ._server_events import *
from ._session import *
from ._tools import *

if not typing.TYPE_CHECKING:  # type checkers take the star-imported names themselves
    __all__ = _package_names(globals(), "DecodeError", "EncodeError")
