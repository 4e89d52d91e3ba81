"""The older beta protocol, mapped onto the GA classes.

Servers that still speak beta (older Azure deployments, some compatible servers) send a few
events under other names and a flat session object. Decoding with ``protocol="beta"`` turns them
into the GA classes, so handlers written for GA names work unchanged; encoding for beta turns
GA client events back into what a beta server expects.
"""

from __future__ import annotations

from typing import Any, Literal

from ._server_events import (
    ResponseFunctionCallArgumentsDone,
    ResponseOutputAudioDelta,
    ResponseOutputAudioDone,
    ResponseOutputAudioTranscriptDelta,
    ResponseOutputAudioTranscriptDone,
    ResponseOutputTextDelta,
    ResponseOutputTextDone,
)

# BETA_SERVER_RENAMES is public from ``realtime_bus.protocol.server``; the rest is internal.
__all__ = ["ga_session_from_beta"]

BETA_SERVER_RENAMES: dict[str, str] = {
    "response.text.delta": "response.output_text.delta",
    "response.text.done": "response.output_text.done",
    "response.audio.delta": "response.output_audio.delta",
    "response.audio.done": "response.output_audio.done",
    "response.audio_transcript.delta": "response.output_audio_transcript.delta",
    "response.audio_transcript.done": "response.output_audio_transcript.done",
    "transcription_session.updated": "session.updated",
}
"""Beta server event names and the GA names they are delivered under."""


# Beta frames decode straight into these subclasses: the same fields under the beta tag. Each
# keeps the GA wire name as its ``type``, so routing and ``isinstance`` both see the GA event.
class _BetaTextDelta(ResponseOutputTextDelta, tag="response.text.delta", frozen=True):
    pass


class _BetaTextDone(ResponseOutputTextDone, tag="response.text.done", frozen=True):
    pass


class _BetaAudioDelta(ResponseOutputAudioDelta, tag="response.audio.delta", frozen=True):
    pass


class _BetaAudioDone(ResponseOutputAudioDone, tag="response.audio.done", frozen=True):
    pass


class _BetaTranscriptDelta(
    ResponseOutputAudioTranscriptDelta, tag="response.audio_transcript.delta", frozen=True
):
    pass


class _BetaTranscriptDone(
    ResponseOutputAudioTranscriptDone, tag="response.audio_transcript.done", frozen=True
):
    pass


class _BetaFunctionCallArgumentsDone(
    ResponseFunctionCallArgumentsDone,
    tag="response.function_call_arguments.done",
    kw_only=True,
    frozen=True,
):
    # Beta servers do not send the function's name here (it is on the output item).
    name: str = ""


BETA_REPLACEMENTS: dict[type[Any], type[Any]] = {
    ResponseOutputTextDelta: _BetaTextDelta,
    ResponseOutputTextDone: _BetaTextDone,
    ResponseOutputAudioDelta: _BetaAudioDelta,
    ResponseOutputAudioDone: _BetaAudioDone,
    ResponseOutputAudioTranscriptDelta: _BetaTranscriptDelta,
    ResponseOutputAudioTranscriptDone: _BetaTranscriptDone,
    ResponseFunctionCallArgumentsDone: _BetaFunctionCallArgumentsDone,
}
"""GA class -> the class that decodes its beta form."""

for _ga, _beta in BETA_REPLACEMENTS.items():
    _beta.type = _ga.type


_BETA_FORMATS = {"pcm16": "audio/pcm", "g711_ulaw": "audio/pcmu", "g711_alaw": "audio/pcma"}
_GA_FORMATS = {ga: beta for beta, ga in _BETA_FORMATS.items()}


def _ga_format(beta: Any) -> dict[str, Any] | None:
    if not isinstance(beta, str):
        return None
    ga = _BETA_FORMATS.get(beta, beta)
    if ga not in _GA_FORMATS:
        return None  # a name we cannot map is dropped rather than failing the whole event
    return {"type": ga, "rate": 24000} if ga == "audio/pcm" else {"type": ga}


def _beta_format(ga: Any) -> str | None:
    if isinstance(ga, dict) and isinstance(ga.get("type"), str):
        return _GA_FORMATS.get(ga["type"], ga["type"])
    return None


# Each beta (flat) session key and where the GA (nested) session keeps it: at the top, or in
# ``audio.input`` / ``audio.output``. Both directions read this one table.
_SESSION_KEYS: dict[str, tuple[Literal["session", "input", "output"], str]] = {
    "model": ("session", "model"),
    "instructions": ("session", "instructions"),
    "tools": ("session", "tools"),
    "tracing": ("session", "tracing"),
    "include": ("session", "include"),
    "tool_choice": ("session", "tool_choice"),
    "modalities": ("session", "output_modalities"),
    "max_response_output_tokens": ("session", "max_output_tokens"),
    "input_audio_format": ("input", "format"),
    "input_audio_noise_reduction": ("input", "noise_reduction"),
    "input_audio_transcription": ("input", "transcription"),
    "turn_detection": ("input", "turn_detection"),
    "output_audio_format": ("output", "format"),
    "voice": ("output", "voice"),
    "speed": ("output", "speed"),
}
_GA_KEYS = {ga_key: beta for beta, (place, ga_key) in _SESSION_KEYS.items() if place == "session"}
_AUDIO_KEYS = {
    place: [(ga_key, beta) for beta, (where, ga_key) in _SESSION_KEYS.items() if where == place]
    for place in ("input", "output")
}
_REALTIME_ONLY = frozenset({"model", "instructions", "tools", "tracing", "modalities"})
_TOOL_CHOICES = (None, "none", "auto", "required")


def _ga_turn_detection(value: Any) -> Any:
    if isinstance(value, dict) and value.get("type") is None:
        return {**value, "type": "server_vad"}  # beta's default
    return value


def ga_session_from_beta(flat: dict[str, Any], *, transcription: bool = False) -> dict[str, Any]:
    """Turn a beta (flat) session object into the GA (nested) shape.

    Keys without a GA counterpart (``temperature``, ``client_secret``) are dropped, and so are
    values the GA session cannot hold (a ``null`` id, an audio format or tool choice it does
    not know), so that one odd value does not cost the whole event.
    """
    ga: dict[str, Any] = {"type": "transcription" if transcription else "realtime"}
    audio: dict[str, dict[str, Any]] = {"input": {}, "output": {}}
    for key, value in flat.items():
        if key in ("id", "object", "expires_at"):
            if value is not None:
                ga[key] = value
            continue
        if key not in _SESSION_KEYS or (transcription and key in _REALTIME_ONLY):
            continue
        if key == "tool_choice" and value not in _TOOL_CHOICES:
            continue
        place, ga_key = _SESSION_KEYS[key]
        if place == "session":
            ga[ga_key] = value
        elif ga_key == "format":
            fmt = _ga_format(value)
            if fmt is not None:
                audio[place]["format"] = fmt
        else:
            audio[place][ga_key] = _ga_turn_detection(value) if key == "turn_detection" else value
    if transcription:
        del audio["output"]
    nested = {place: values for place, values in audio.items() if values}
    if nested:
        ga["audio"] = nested
    return ga


def _beta_session_from_ga(ga: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in ga.items():
        if key in _GA_KEYS:
            flat[_GA_KEYS[key]] = value
        elif key == "audio" and isinstance(value, dict):
            for place, keys in _AUDIO_KEYS.items():
                nested = value.get(place) or {}
                for ga_key, beta in keys:
                    if ga_key in nested:
                        item = nested[ga_key]
                        flat[beta] = _beta_format(item) if ga_key == "format" else item
    return flat


_BETA_CONTENT_TYPES = {"output_text": "text", "output_audio": "audio"}


def _beta_item(item: Any) -> Any:
    if isinstance(item, dict) and isinstance(item.get("content"), list):
        for part in item["content"]:
            if isinstance(part, dict) and part.get("type") in _BETA_CONTENT_TYPES:
                part["type"] = _BETA_CONTENT_TYPES[part["type"]]
    return item


def beta_client_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a GA client event (as builtins) into its beta form, in place where possible."""
    kind = payload.get("type")
    if kind == "session.update":
        session = payload.get("session") or {}
        if session.get("type") == "transcription":
            payload["type"] = "transcription_session.update"
        payload["session"] = _beta_session_from_ga(session)
    elif kind == "response.create" and isinstance(payload.get("response"), dict):
        response = payload["response"]
        if "output_modalities" in response:
            response["modalities"] = response.pop("output_modalities")
        audio = response.pop("audio", None)
        if isinstance(audio, dict) and isinstance(audio.get("output"), dict):
            out = audio["output"]
            if "voice" in out:
                response["voice"] = out["voice"]
            if "format" in out:
                response["output_audio_format"] = _beta_format(out["format"])
        if "max_output_tokens" in response:
            response["max_response_output_tokens"] = response.pop("max_output_tokens")
        for item in response.get("input") or ():
            _beta_item(item)
    elif kind == "conversation.item.create":
        _beta_item(payload.get("item"))
    return payload
