"""Leaving audio out of a recording: empty the audio strings, keep their size and duration."""

from __future__ import annotations

import binascii
from typing import Any

import msgspec

__all__ = ["HOLDS_AUDIO", "AudioFormats", "cut_plain", "strip_audio", "strip_decoded"]

_AUDIO_KEYS = frozenset({"audio", "delta"})
_AUDIO_TYPES = frozenset(
    {
        "response.output_audio.delta",
        "response.audio.delta",
        "input_audio_buffer.append",
        "conversation.item.create",
        "conversation.item.added",
        "conversation.item.created",
        "conversation.item.done",
        "conversation.item.retrieved",
        "output_audio_buffer.append",
        "session.output_audio.delta",  # translation and GPT-Live
        "session.input_audio_buffer.append",  # translation
        "session.input_audio.append",  # GPT-Live (the client's, and the server's reflection)
    }
)
_FORMAT_TYPES = frozenset(
    {"session.created", "session.updated", "session.update", "session.start", "session.started"}
)
HOLDS_AUDIO = _AUDIO_TYPES | _FORMAT_TYPES
"""The event types :func:`strip_audio` changes or learns from: any other frame goes into a
recording without audio as it is."""
_PAD = ord("=")
_BYTES_PER_MS = {"audio/pcm": 48.0, "audio/pcmu": 8.0, "audio/pcma": 8.0}
_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


class AudioFormats:
    """The session's audio formats, followed from ``session.created`` / ``session.updated``
    (and ``session.update``; GPT-Live's ``session.start`` / ``session.started``, whose one
    format serves both ways and names its sample rate), so a byte count becomes a duration.

    ``input`` and ``output`` are the formats' bytes a millisecond."""

    __slots__ = ("input", "output")

    def __init__(self) -> None:
        self.input = self.output = _BYTES_PER_MS["audio/pcm"]

    def follow(self, event: dict[str, Any]) -> None:
        """Note the formats a session event sets."""
        audio = (event.get("session") or {}).get("audio") or {}
        both = _per_ms(audio.get("format"))  # GPT-Live: one format, both ways
        if both is not None:
            self.input = self.output = both
        for side in ("input", "output"):
            per_ms = _per_ms((audio.get(side) or {}).get("format"))
            if per_ms is not None:
                setattr(self, side, per_ms)

    def ms(self, nbytes: int, *, output: bool) -> float:
        """How long ``nbytes`` of audio play."""
        return round(nbytes / (self.output if output else self.input), 3)


def _per_ms(fmt: Any) -> float | None:
    """Bytes a millisecond of a format object (``{"type": ..., "rate": ...}``), if it names
    one we know: PCM16 is two bytes a sample, G.711 one; the rate is 24 kHz (8 kHz for G.711)
    unless it says."""
    if not isinstance(fmt, dict) or not isinstance(fmt.get("type"), str):
        return None
    per_ms = _BYTES_PER_MS.get(fmt["type"])
    rate = fmt.get("rate")
    if per_ms is None or not isinstance(rate, int) or isinstance(rate, bool) or rate <= 0:
        return per_ms
    return rate / 1000 * (2 if fmt["type"] == "audio/pcm" else 1)


def _b64_size(text: str) -> int:
    try:
        return len(binascii.a2b_base64(text))
    except (binascii.Error, ValueError):
        return 0


def _empty(node: Any, in_audio_type: bool) -> int:
    """Empty every audio string under ``node`` in place; returns the bytes they held."""
    total = 0
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and key in _AUDIO_KEYS and (key == "audio" or in_audio_type):
                total += _b64_size(value)
                node[key] = ""
            elif isinstance(value, (dict, list)):
                total += _empty(value, in_audio_type)
    elif isinstance(node, list):
        for value in node:
            total += _empty(value, in_audio_type)
    return total


def strip_audio(frame: bytes, formats: AudioFormats) -> tuple[bytes, float, int]:
    """``frame`` without its audio, the duration and bytes removed (0 when it had none), timed
    in the input or the output format by what the audio is (see :func:`_is_output`).

    Frames that are not JSON objects, or not of a type that carries audio, come back as they
    are. Session events update ``formats``.
    """
    if b"audio" not in frame:
        return frame, 0.0, 0
    try:
        event = _decode(frame)
    except msgspec.DecodeError:
        return frame, 0.0, 0
    if not isinstance(event, dict):
        return frame, 0.0, 0
    kind = event.get("type")
    if kind in _FORMAT_TYPES:
        formats.follow(event)
        return frame, 0.0, 0
    if kind not in _AUDIO_TYPES:
        return frame, 0.0, 0
    removed = _empty(event, kind.endswith("audio.delta"))
    if not removed:
        return frame, 0.0, 0
    return _encode(event), formats.ms(removed, output=_is_output(kind, event)), removed


def _is_output(kind: str, event: dict[str, Any]) -> bool:
    """Whether the audio of an event is the session's output: deltas and the output buffer's
    appends are; input appends are not; an item's is if the assistant said it."""
    if kind.endswith("audio.delta") or kind == "output_audio_buffer.append":
        return True
    item = event.get("item")
    return isinstance(item, dict) and item.get("role") == "assistant"


def cut_plain(frame: bytes, key: bytes) -> tuple[bytes, int] | None:
    """``frame`` with the string after its first ``key`` (``b'"delta":"'``) cut out, and the
    size that string decodes to as base64, read off the frame's bytes alone (no JSON or base64
    decode). ``None`` when the key is missing, or the string holds an escape or is not a
    whole number of base64 quads: then :func:`strip_audio` is the way."""
    start = frame.find(key)
    if start < 0:
        return None
    start += len(key)
    end = frame.find(b'"', start)  # with no escape in it, the first quote closes the string
    if end < 0 or frame.find(b"\\", start, end) >= 0:
        return None
    length = end - start
    if length % 4:
        return None
    if not length:
        return frame, 0
    size = length * 3 // 4 - (frame[end - 1] == _PAD) - (frame[end - 2] == _PAD)
    return frame[:start] + frame[end:], size


def strip_decoded(
    frame: bytes, text: str, key: bytes, formats: AudioFormats, *, output: bool
) -> tuple[bytes, float, int] | None:
    """:func:`strip_audio` for a frame already decoded, whose one audio string ``text`` is the
    value of ``key``: :func:`cut_plain`, checked against the decoded string. ``None`` when the
    frame's bytes do not hold ``text`` as plain ASCII right after the key."""
    if not text:
        return frame, 0.0, 0
    if len(text) % 4 or not text.isascii():
        return None
    cut = cut_plain(frame, key)
    if cut is None or len(frame) - len(cut[0]) != len(text):
        return None
    data, size = cut
    return data, formats.ms(size, output=output), size
