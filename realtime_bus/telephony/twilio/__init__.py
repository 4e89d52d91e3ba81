"""Twilio Media Streams to the Realtime API: one phone call, one bus.

:class:`TwilioApp` is an ASGI app (mount it in FastAPI or Starlette, or run
``realtime-bus twilio``) serving the media WebSocket (``.../media``) and the voice webhook
(``POST .../voice``, answering ``<Connect><Stream>``). Each call's session speaks G.711 mu-law
in and out, so audio crosses the bridge untouched; marks tell the call's
:class:`~realtime_bus.agent.Playback` what the caller heard, and barge-in clears Twilio's
buffer and truncates there.
"""

from ._app import TwilioApp
from ._bridge import BridgeOptions, MediaSocket, SocketClosed, run_call
from ._call import CallStats, TwilioCall, TwilioCallStarted, TwilioCallStopped, TwilioDtmf
from ._messages import (
    TwilioConnected,
    TwilioDtmfMessage,
    TwilioMarkMessage,
    TwilioMedia,
    TwilioMediaFormat,
    TwilioMessage,
    TwilioStart,
    TwilioStartInfo,
    TwilioStop,
    clear_message,
    decode_message,
    mark_message,
    media_message,
)
from ._twiml import connect_stream_twiml, twilio_signature, valid_signature

__all__ = [
    "BridgeOptions",
    "CallStats",
    "MediaSocket",
    "SocketClosed",
    "TwilioApp",
    "TwilioCall",
    "TwilioCallStarted",
    "TwilioCallStopped",
    "TwilioConnected",
    "TwilioDtmf",
    "TwilioDtmfMessage",
    "TwilioMarkMessage",
    "TwilioMedia",
    "TwilioMediaFormat",
    "TwilioMessage",
    "TwilioStart",
    "TwilioStartInfo",
    "TwilioStop",
    "clear_message",
    "connect_stream_twiml",
    "decode_message",
    "mark_message",
    "media_message",
    "run_call",
    "twilio_signature",
    "valid_signature",
]
