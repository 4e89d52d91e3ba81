"""The values the service accepts where the schema leaves a string open, and the error it gives.

The protocol types voices, transcription models and a response's ``conversation`` as strings
(so a newer value still decodes), but the service accepts only the values it knows and refuses
others with an ``invalid_request_error`` naming the parameter. The lists are the catalog's.
"""

from __future__ import annotations

from collections.abc import Collection

from ..protocol import ErrorDetails, VoiceId
from ._errors import invalid_request

__all__ = [
    "RESPONSE_CONVERSATIONS",
    "TRANSCRIPTION_MODELS",
    "VOICES",
    "check_choice",
    "check_voice",
]

VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)
"""The built-in voices (a custom voice is given as ``{"id": "voice_..."}``)."""

TRANSCRIPTION_MODELS = (
    "whisper-1",
    "gpt-transcribe",
    "gpt-live-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-mini-transcribe-2025-12-15",
    "gpt-4o-transcribe",
    "gpt-4o-transcribe-diarize",
    "gpt-realtime-whisper",
)

RESPONSE_CONVERSATIONS = ("auto", "none")


def check_choice(param: str, value: object, allowed: Collection[str]) -> ErrorDetails | None:
    """The service's error when the string ``value`` of ``param`` is not one of ``allowed``."""
    if not isinstance(value, str) or value in allowed:
        return None
    supported = ", ".join(f"'{choice}'" for choice in allowed)
    return invalid_request(
        f"Invalid value: '{value}'. Supported values are: {supported}.",
        code="invalid_value",
        param=param,
    )


def check_voice(param: str, value: object) -> ErrorDetails | None:
    """A voice is a built-in name or a custom voice's id object."""
    if isinstance(value, VoiceId):
        return None
    return check_choice(param, value, VOICES)
