"""Twilio Media Streams to the Realtime API: one phone call, one bus.

:class:`TwilioApp` is an ASGI app (mount it in FastAPI or Starlette, or run
``realtime-bus twilio``) serving the media WebSocket (``.../media``) and the voice webhook
(``POST .../voice``, answering ``<Connect><Stream>``). Each call's session speaks G.711 mu-law
in and out, so audio crosses the bridge untouched; marks tell the call's
:class:`~realtime_bus.agent.Playback` what the caller heard, and barge-in clears Twilio's
buffer and truncates there.
"""

import typing

from ...protocol._base import package_names as _package_names
from ._app import *
from ._bridge import *
from ._call import *
from ._messages import *
from ._twiml import *

if not typing.TYPE_CHECKING:  # type checkers take the star-imported names themselves
    __all__ = _package_names(globals())
