"""Session configuration: the service's defaults, merging ``session.update``, and checking it.

A ``session.update`` changes only the keys it carries; ``null`` clears a key (``turn_detection:
null`` turns VAD off). Nested objects without a ``type`` (``audio``, ``audio.input``) merge key
by key; typed ones (a turn detection, an audio format) replace the old value and get the
defaults of their type.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from ..protocol import (
    AudioConfig,
    AudioInputConfig,
    AudioOutputConfig,
    AudioPCM,
    ErrorDetails,
    FunctionTool,
    Model,
    RealtimeSession,
    SemanticVad,
    ServerVad,
    TranscriptionConfig,
    TranscriptionSession,
    TranscriptionSessionAudio,
)
from ..protocol._models import AudioFormat
from ._choices import TRANSCRIPTION_MODELS, check_choice, check_voice
from ._errors import invalid_request

__all__ = [
    "DEFAULT_INSTRUCTIONS",
    "DEFAULT_VOICE",
    "check_transcription",
    "check_update",
    "default_session",
    "default_transcription_session",
    "merge",
    "normalize",
    "session_expiry_reason",
]

DEFAULT_INSTRUCTIONS = (
    "You are a helpful, friendly voice assistant. Answer briefly and clearly, and call the "
    "tools you are given when they can answer the question."
)
DEFAULT_VOICE = "marin"

_S = TypeVar("_S", bound=Model)


def _server_vad_defaults(vad: ServerVad) -> ServerVad:
    return msgspec.structs.replace(
        vad,
        threshold=0.5 if vad.threshold is UNSET else vad.threshold,
        prefix_padding_ms=300 if vad.prefix_padding_ms is UNSET else vad.prefix_padding_ms,
        silence_duration_ms=200 if vad.silence_duration_ms is UNSET else vad.silence_duration_ms,
        idle_timeout_ms=None if vad.idle_timeout_ms is UNSET else vad.idle_timeout_ms,
        create_response=True if vad.create_response is UNSET else vad.create_response,
        interrupt_response=True if vad.interrupt_response is UNSET else vad.interrupt_response,
    )


def _semantic_vad_defaults(vad: SemanticVad) -> SemanticVad:
    return msgspec.structs.replace(
        vad,
        eagerness="auto" if vad.eagerness is UNSET else vad.eagerness,
        create_response=True if vad.create_response is UNSET else vad.create_response,
        interrupt_response=True if vad.interrupt_response is UNSET else vad.interrupt_response,
    )


def _format_default(fmt: AudioFormat | UnsetType | None) -> AudioFormat:
    """An audio format as the service reports it: PCM16 at 24 kHz unless another was set."""
    if fmt is UNSET or fmt is None or (isinstance(fmt, AudioPCM) and fmt.rate is UNSET):
        return AudioPCM(rate=24000)
    return fmt


def _input_defaults(audio_in: AudioInputConfig | None, *, vad: bool) -> AudioInputConfig:
    audio_in = audio_in or AudioInputConfig()
    turn = audio_in.turn_detection
    if turn is UNSET:
        turn = ServerVad() if vad else None
    if isinstance(turn, ServerVad):
        turn = _server_vad_defaults(turn)
    elif isinstance(turn, SemanticVad):
        turn = _semantic_vad_defaults(turn)
    return msgspec.structs.replace(
        audio_in,
        format=_format_default(audio_in.format),
        transcription=None if audio_in.transcription is UNSET else audio_in.transcription,
        noise_reduction=None if audio_in.noise_reduction is UNSET else audio_in.noise_reduction,
        turn_detection=turn,
    )


def _output_defaults(audio_out: AudioOutputConfig | None) -> AudioOutputConfig:
    audio_out = audio_out or AudioOutputConfig()
    return msgspec.structs.replace(
        audio_out,
        format=_format_default(audio_out.format),
        voice=DEFAULT_VOICE
        if audio_out.voice is UNSET or audio_out.voice is None
        else audio_out.voice,
        speed=1.0 if audio_out.speed is UNSET or audio_out.speed is None else audio_out.speed,
    )


def normalize(session: RealtimeSession) -> RealtimeSession:
    """Fill every key the service reports with its value or default."""
    audio = session.audio if isinstance(session.audio, AudioConfig) else AudioConfig()
    audio_in = audio.input if isinstance(audio.input, AudioInputConfig) else None
    audio_out = audio.output if isinstance(audio.output, AudioOutputConfig) else None

    def pick(value: Any, default: Any) -> Any:
        return default if value is UNSET else value

    return msgspec.structs.replace(
        session,
        object="realtime.session",
        output_modalities=pick(session.output_modalities, ["audio"]),
        instructions=pick(session.instructions, DEFAULT_INSTRUCTIONS),
        tools=pick(session.tools, []),
        tool_choice=pick(session.tool_choice, "auto"),
        max_output_tokens=pick(session.max_output_tokens, "inf"),
        tracing=pick(session.tracing, None),
        prompt=pick(session.prompt, None),
        truncation=pick(session.truncation, "auto"),
        include=pick(session.include, None),
        audio=AudioConfig(
            input=_input_defaults(audio_in, vad=audio.input is UNSET or audio_in is not None),
            output=_output_defaults(audio_out),
        ),
    )


def default_session(
    *, session_id: str, model: str, expires_at: int, base: RealtimeSession | None = None
) -> RealtimeSession:
    """The full configuration a new session starts with (``base`` overrides the defaults)."""
    session = base or RealtimeSession()
    session = msgspec.structs.replace(session, id=session_id, model=model, expires_at=expires_at)
    return normalize(session)


def default_transcription_session(
    *, session_id: str, expires_at: int, base: TranscriptionSession | None = None
) -> TranscriptionSession:
    """The full configuration of a new transcription session."""
    session = base or TranscriptionSession()
    audio = session.audio if isinstance(session.audio, TranscriptionSessionAudio) else None
    audio_in = (
        audio.input if audio is not None and isinstance(audio.input, AudioInputConfig) else None
    )
    return msgspec.structs.replace(
        session,
        id=session_id,
        object="realtime.transcription_session",
        expires_at=expires_at,
        include=None if session.include is UNSET else session.include,
        audio=TranscriptionSessionAudio(input=_input_defaults(audio_in, vad=True)),
    )


def merge(current: _S, update: _S) -> _S:
    """``current`` with the keys ``update`` sets; untyped nested objects merge key by key."""
    changes: dict[str, Any] = {}
    for name in update.__struct_fields__:
        value = getattr(update, name)
        if value is UNSET:
            continue
        old = getattr(current, name)
        if (
            isinstance(value, Model)
            and type(old) is type(value)
            and type(value).__struct_config__.tag is None
        ):
            value = merge(old, value)
        changes[name] = value
    return msgspec.structs.replace(current, **changes)


def _range_error(
    param: str, value: float, low: float | None, high: float | None, *, integer: bool
) -> ErrorDetails | None:
    kind = "integer" if integer else "decimal"
    if low is not None and value < low:
        return invalid_request(
            f"Invalid '{param}': {kind} below minimum value. Expected a value >= {low:g}, "
            f"but got {value:g} instead.",
            code=f"{kind}_below_min_value",
            param=param,
        )
    if high is not None and value > high:
        return invalid_request(
            f"Invalid '{param}': {kind} above maximum value. Expected a value <= {high:g}, "
            f"but got {value:g} instead.",
            code=f"{kind}_above_max_value",
            param=param,
        )
    return None


def check_transcription(audio_input: AudioInputConfig) -> ErrorDetails | None:
    """The service's error for an unknown transcription model, or ``None``."""
    transcription = audio_input.transcription
    if not isinstance(transcription, TranscriptionConfig):
        return None
    return check_choice(
        "session.audio.input.transcription.model", transcription.model, TRANSCRIPTION_MODELS
    )


def check_update(
    current: RealtimeSession, update: RealtimeSession, *, has_assistant_audio: bool
) -> ErrorDetails | None:
    """The error the service gives for ``update``, or ``None`` when it may be applied."""
    mods = update.output_modalities
    if isinstance(mods, list) and sorted(set(mods)) not in (["text"], ["audio"]):
        return invalid_request(
            f"Invalid modalities: {mods!r}. Supported combinations are: ['text'] and ['audio'].",
            code="invalid_value",
            param="session.output_modalities",
        )
    tokens = update.max_output_tokens
    if isinstance(tokens, int) and (
        err := _range_error("session.max_output_tokens", tokens, 1, 4096, integer=True)
    ):
        return err
    if isinstance(update.tools, list):
        for index, tool in enumerate(update.tools):
            if isinstance(tool, FunctionTool) and not tool.name:
                return invalid_request(
                    f"Missing required parameter: 'session.tools[{index}].name'.",
                    code="missing_required_parameter",
                    param=f"session.tools[{index}].name",
                )
    audio = update.audio
    if not isinstance(audio, AudioConfig):
        return None
    if isinstance(audio.input, AudioInputConfig):
        if err := check_transcription(audio.input):
            return err
        turn = audio.input.turn_detection
        prefix = "session.audio.input.turn_detection"
        if isinstance(turn, ServerVad):
            checks: list[tuple[str, Any, float | None, float | None, bool]] = [
                ("threshold", turn.threshold, 0.0, 1.0, False),
                ("prefix_padding_ms", turn.prefix_padding_ms, 0, None, True),
                ("silence_duration_ms", turn.silence_duration_ms, 0, None, True),
                ("idle_timeout_ms", turn.idle_timeout_ms, 5000, 30000, True),
            ]
            for name, value, low, high, integer in checks:
                if isinstance(value, (int, float)) and (
                    err := _range_error(f"{prefix}.{name}", value, low, high, integer=integer)
                ):
                    return err
    if isinstance(audio.output, AudioOutputConfig):
        out = audio.output
        if err := check_voice("session.audio.output.voice", out.voice):
            return err
        speed = out.speed
        if isinstance(speed, (int, float)) and (
            err := _range_error("session.audio.output.speed", speed, 0.25, 1.5, integer=False)
        ):
            return err
        current_out = current.audio.output if isinstance(current.audio, AudioConfig) else None
        current_voice = current_out.voice if isinstance(current_out, AudioOutputConfig) else UNSET
        if has_assistant_audio and out.voice not in (UNSET, None) and out.voice != current_voice:
            return invalid_request(
                "Cannot update a conversation's voice if assistant audio is present.",
                code="cannot_update_voice",
                param="session.audio.output.voice",
            )
    return None


def session_expiry_reason(max_seconds: float) -> str:
    """The close reason at the session's maximum duration, in the service's words."""
    if max_seconds >= 60 and max_seconds % 60 == 0:
        minutes = int(max_seconds // 60)
        return f"Your session hit the maximum duration of {minutes} minutes."
    return f"Your session hit the maximum duration of {max_seconds:g} seconds."


def expires_at(max_seconds: float) -> int:
    """Unix time at which a session started now expires."""
    return int(time.time() + max_seconds)
