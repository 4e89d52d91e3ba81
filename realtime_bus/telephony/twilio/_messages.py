"""Twilio Media Streams messages, as data: what Twilio sends, and what the bridge sends back.

Written from Twilio's public description of the protocol. Twilio sends ``connected``, ``start``,
``media`` (base64 audio, mu-law 8 kHz mono), ``dtmf``, ``mark`` (a mark the bridge sent, once
the audio before it has played, or when a ``clear`` dropped it) and ``stop``. On a bidirectional
stream (``<Connect><Stream>``) the bridge may send ``media``, ``mark`` and ``clear``. Field
names are camelCase on the wire and snake_case here.
"""

from __future__ import annotations

from typing import TypeAlias

import msgspec

from ...protocol import base64_from_pcm

__all__ = [
    "TwilioConnected",
    "TwilioDtmfMessage",
    "TwilioMarkMessage",
    "TwilioMedia",
    "TwilioMediaFormat",
    "TwilioMessage",
    "TwilioStart",
    "TwilioStartInfo",
    "TwilioStop",
    "clear_message",
    "decode_message",
    "mark_message",
    "media_message",
]


class _Message(msgspec.Struct, tag_field="event", rename="camel", kw_only=True):
    pass


class _StreamMessage(_Message, kw_only=True):
    # Every message after ``connected`` names its stream and carries Twilio's running count.
    stream_sid: str = ""
    sequence_number: str = ""


class TwilioMediaFormat(msgspec.Struct, rename="camel", kw_only=True):
    """``start.mediaFormat``: always ``audio/x-mulaw`` at 8000 Hz, one channel, today."""

    encoding: str = "audio/x-mulaw"
    sample_rate: int = 8000
    channels: int = 1


class TwilioStartInfo(msgspec.Struct, rename="camel", kw_only=True):
    """``start.start``: which call and stream, and the ``<Parameter>`` values of the TwiML."""

    stream_sid: str = ""
    account_sid: str = ""
    call_sid: str = ""
    tracks: list[str] = msgspec.field(default_factory=lambda: ["inbound"])
    custom_parameters: dict[str, str] = msgspec.field(default_factory=dict)
    media_format: TwilioMediaFormat = msgspec.field(default_factory=TwilioMediaFormat)


class TwilioConnected(_Message, tag="connected"):
    """The first message on the socket."""

    protocol: str = ""
    version: str = ""


class TwilioStart(_StreamMessage, tag="start"):
    """The stream's metadata; sent once, right after ``connected``."""

    start: TwilioStartInfo


class _MediaBody(msgspec.Struct, rename="camel", kw_only=True):
    payload: str
    track: str = "inbound"
    chunk: str = ""
    timestamp: str = ""


class TwilioMedia(_StreamMessage, tag="media"):
    """Caller audio: ``media.payload`` is base64 mu-law, in order (``media.chunk`` counts up)."""

    media: _MediaBody


class _DtmfBody(msgspec.Struct, kw_only=True):
    digit: str
    track: str = "inbound_track"


class TwilioDtmfMessage(_StreamMessage, tag="dtmf"):
    """A key the caller pressed."""

    dtmf: _DtmfBody


class _MarkBody(msgspec.Struct, kw_only=True):
    name: str


class TwilioMarkMessage(_StreamMessage, tag="mark"):
    """A mark the bridge sent comes back: the audio before it played (or was cleared)."""

    mark: _MarkBody


class _StopBody(msgspec.Struct, rename="camel", kw_only=True):
    account_sid: str = ""
    call_sid: str = ""


class TwilioStop(_StreamMessage, tag="stop"):
    """The stream ended (the caller hung up, or the TwiML moved on)."""

    stop: _StopBody = msgspec.field(default_factory=_StopBody)


TwilioMessage: TypeAlias = (
    TwilioConnected | TwilioStart | TwilioMedia | TwilioDtmfMessage | TwilioMarkMessage | TwilioStop
)

_decoder = msgspec.json.Decoder(TwilioMessage)
_encoder = msgspec.json.Encoder()


def decode_message(frame: str | bytes) -> TwilioMessage:
    """One message from Twilio; raises :class:`msgspec.ValidationError` or
    :class:`msgspec.DecodeError` for a frame that is not one (unknown events included)."""
    return _decoder.decode(frame)


def media_message(stream_sid: str, audio: bytes | str) -> str:
    """``media`` to Twilio: ``audio`` as mu-law bytes, or already base64."""
    payload = audio if isinstance(audio, str) else base64_from_pcm(audio)
    return _encoder.encode(
        {"event": "media", "streamSid": stream_sid, "media": {"payload": payload}}
    ).decode()


def mark_message(stream_sid: str, name: str) -> str:
    """``mark`` to Twilio: it comes back once the audio sent before it has played."""
    return _encoder.encode(
        {"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}
    ).decode()


def clear_message(stream_sid: str) -> str:
    """``clear`` to Twilio: drop the audio it has buffered (pending marks come back)."""
    return _encoder.encode({"event": "clear", "streamSid": stream_sid}).decode()
