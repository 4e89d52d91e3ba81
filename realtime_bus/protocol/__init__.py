"""The Realtime protocol as typed data: every event, every nested object, and the codec.

Sans-I/O: this package imports msgspec and nothing that touches a socket, so it can be tested,
benchmarked and reused (the simulator speaks through it) without a connection.
"""

from ._audio import (
    PCM16_BYTES_PER_SECOND,
    PCM16_SAMPLE_RATE,
    base64_from_pcm,
    pcm16_duration_ms,
    pcm_from_base64,
)
from ._base import ClientEvent, Model, ServerEvent
from ._beta import BETA_SERVER_RENAMES, ga_session_from_beta
from ._client_events import *  # noqa: F403
from ._client_events import __all__ as _client_all
from ._codec import ClientDecoder, Decoder, Encoder, Protocol, decode, encode, encode_server
from ._errors import DecodeError, EncodeError, RealtimeBusError
from ._models import *  # noqa: F403
from ._models import __all__ as _models_all
from ._server_events import *  # noqa: F403
from ._server_events import __all__ as _server_all
from ._translation import *  # noqa: F403
from ._translation import __all__ as _translation_all

__all__ = [
    "BETA_SERVER_RENAMES",
    "PCM16_BYTES_PER_SECOND",
    "PCM16_SAMPLE_RATE",
    "ClientDecoder",
    "ClientEvent",
    "DecodeError",
    "Decoder",
    "EncodeError",
    "Encoder",
    "Model",
    "Protocol",
    "RealtimeBusError",
    "ServerEvent",
    "base64_from_pcm",
    "decode",
    "encode",
    "encode_server",
    "ga_session_from_beta",
    "pcm16_duration_ms",
    "pcm_from_base64",
    *_client_all,
    *_models_all,
    *_server_all,
    *_translation_all,
]
