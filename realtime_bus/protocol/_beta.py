"""The older beta protocol, mapped onto the GA classes.

Servers that still speak beta (older Azure deployments, some compatible servers) send a few
events under other names and a flat session object. Decoding with ``protocol="beta"`` turns them
into the GA classes, so handlers written for GA names work unchanged; encoding for beta turns
GA client events back into what a beta server expects.
"""

from __future__ import annotations

from typing import Any

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


def ga_session_from_beta(flat: dict[str, Any], *, transcription: bool = False) -> dict[str, Any]:
    """Turn a beta (flat) session object into the GA (nested) shape.

    Keys without a GA counterpart (``temperature``, ``client_secret``) are dropped, and so are
    values the GA session cannot hold (a ``null`` id, an audio format or tool choice it does
    not know), so that one odd value does not cost the whole event.
    """
    audio_in: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    ga: dict[str, Any] = {"type": "transcription" if transcription else "realtime"}
    for key, value in flat.items():
        if key in ("id", "object", "expires_at"):
            if value is not None:
                ga[key] = value
        elif key in ("model", "instructions", "tools", "tracing"):
            if not transcription:
                ga[key] = value
        elif key == "include":
            ga["include"] = value
        elif key == "modalities" and not transcription:
            ga["output_modalities"] = value
        elif key == "max_response_output_tokens":
            ga["max_output_tokens"] = value
        elif key == "tool_choice" and value in (None, "none", "auto", "required"):
            ga["tool_choice"] = value
        elif key == "input_audio_format":
            fmt = _ga_format(value)
            if fmt is not None:
                audio_in["format"] = fmt
        elif key == "input_audio_noise_reduction":
            audio_in["noise_reduction"] = value
        elif key == "input_audio_transcription":
            audio_in["transcription"] = value
        elif key == "turn_detection":
            if isinstance(value, dict) and value.get("type") is None:
                value = {**value, "type": "server_vad"}
            audio_in["turn_detection"] = value
        elif key == "output_audio_format":
            fmt = _ga_format(value)
            if fmt is not None:
                audio_out["format"] = fmt
        elif key == "voice":
            audio_out["voice"] = value
        elif key == "speed":
            audio_out["speed"] = value
    audio: dict[str, Any] = {}
    if audio_in:
        audio["input"] = audio_in
    if audio_out and not transcription:
        audio["output"] = audio_out
    if audio:
        ga["audio"] = audio
    return ga


def _beta_session_from_ga(ga: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in ga.items():
        if key in ("model", "instructions", "tools", "tracing", "include", "tool_choice"):
            flat[key] = value
        elif key == "output_modalities":
            flat["modalities"] = value
        elif key == "max_output_tokens":
            flat["max_response_output_tokens"] = value
        elif key == "audio" and isinstance(value, dict):
            audio_in = value.get("input") or {}
            audio_out = value.get("output") or {}
            if "format" in audio_in:
                flat["input_audio_format"] = _beta_format(audio_in["format"])
            if "noise_reduction" in audio_in:
                flat["input_audio_noise_reduction"] = audio_in["noise_reduction"]
            if "transcription" in audio_in:
                flat["input_audio_transcription"] = audio_in["transcription"]
            if "turn_detection" in audio_in:
                flat["turn_detection"] = audio_in["turn_detection"]
            if "format" in audio_out:
                flat["output_audio_format"] = _beta_format(audio_out["format"])
            if "voice" in audio_out:
                flat["voice"] = audio_out["voice"]
            if "speed" in audio_out:
                flat["speed"] = audio_out["speed"]
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
