"""GPT-Live frames to typed events and back, in one pass (the same rules as Realtime's codec).

``LiveDecoder.decode`` runs msgspec's typed decoder over the union of every Live server event;
only when that fails does it look closer, to tell an unknown event type (an
:class:`UnknownEvent`) from a broken frame (:class:`DecodeError`). One server decoder serves
every Live connection; the server side (:class:`LiveClientDecoder`) reads what one kind of
connection may send.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, TypeAlias, Union

import msgspec

from .._base import ClientEvent, ServerEvent
from .._errors import DecodeError, EncodeError
from .._server_events import UnknownEvent
from ._client_events import (
    FORK_CLIENT_EVENT_CLASSES,
    PRIMARY_CLIENT_EVENT_CLASSES,
    SIDEBAND_CLIENT_EVENT_CLASSES,
)
from ._server_events import SERVER_EVENT_CLASSES

__all__ = [
    "LiveChannel",
    "LiveClientDecoder",
    "LiveDecoder",
    "LiveEncoder",
    "decode_live",
    "encode_live",
    "encode_live_server",
    "live_decoder",
    "live_encoder",
]

LiveChannel: TypeAlias = Literal["primary", "sideband", "fork"]
"""The kind of a Live connection: the session's own (``/v1/live/sessions``), a sideband
attached to it (``.../{id}/attach``), or a fork of it (``.../{id}/fork``)."""

_CLIENT_CLASSES: dict[str, tuple[type[ClientEvent], ...]] = {
    "primary": PRIMARY_CLIENT_EVENT_CLASSES,
    "sideband": SIDEBAND_CLIENT_EVENT_CLASSES,
    "fork": FORK_CLIENT_EVENT_CLASSES,
}

# What msgspec raises for a frame it cannot decode (see the Realtime codec).
_DECODE_FAILURES = (msgspec.ValidationError, msgspec.DecodeError, UnicodeError, RecursionError)

# Events whose ``item`` may be a message with no ``type`` (the schema leaves it optional).
_ITEM_EVENTS = frozenset({"decision.item.created", "decision.item.create"})


def _union(classes: Iterable[type[Any]]) -> Any:
    return Union[tuple(classes)]  # noqa: UP007 - built at run time from a tuple


def _payload(decoder: msgspec.json.Decoder[Any], frame: bytes | str) -> dict[str, Any]:
    try:
        payload = decoder.decode(frame)
    except RecursionError:
        raise DecodeError("frame is JSON nested too deeply to decode", frame) from None
    except Exception as exc:  # msgspec raises DecodeError, odd input may raise others
        raise DecodeError(f"frame is not valid JSON: {exc}", frame) from None
    if not isinstance(payload, dict):
        raise DecodeError(f"frame is JSON {type(payload).__name__}, not an object", frame)
    return payload


def _untyped_message(payload: dict[str, Any]) -> dict[str, Any] | None:
    """``payload`` with ``type: message`` added to an item that is a message without one."""
    item = payload.get("item")
    if isinstance(item, dict) and "type" not in item and "role" in item:
        return {**payload, "item": {**item, "type": "message"}}
    return None


class LiveDecoder:
    """Decodes GPT-Live server frames. Keeps no state: one can serve every connection.

    >>> LiveDecoder().decode(b'{"type":"session.input_audio.muted","event_id":"e1"}').type
    'session.input_audio.muted'
    """

    __slots__ = ("_classes", "_decoder", "_json")

    def __init__(self) -> None:
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(
            _union(SERVER_EVENT_CLASSES)
        )
        self._json = msgspec.json.Decoder()
        self._classes = {cls.type: cls for cls in SERVER_EVENT_CLASSES}

    def decode(self, frame: bytes | str) -> ServerEvent:
        """Decode one frame into its typed event.

        Returns an :class:`UnknownEvent` for a well-formed event whose ``type`` is not known.
        Raises :class:`DecodeError` (carrying the frame) for anything else that does not fit.
        """
        try:
            event: ServerEvent = self._decoder.decode(frame)
        except _DECODE_FAILURES as exc:
            return self._slow_path(frame, exc)
        return event

    def _slow_path(self, frame: bytes | str, exc: Exception) -> ServerEvent:
        payload = _payload(self._json, frame)
        kind = payload.get("type")
        if not isinstance(kind, str):
            raise DecodeError("frame has no string 'type' field", frame)
        cls = self._classes.get(kind)
        if cls is None:
            event_id = payload.get("event_id")
            return UnknownEvent(
                type=kind,
                payload=payload,
                raw=frame,
                event_id=event_id if isinstance(event_id, str) else "",
            )
        fixed = _untyped_message(payload) if kind in _ITEM_EVENTS else None
        if fixed is not None:
            del fixed["type"]
            try:
                return msgspec.convert(fixed, cls)
            except msgspec.ValidationError as again:
                exc = again
        raise DecodeError(f"{kind!r} event does not fit its schema: {exc}", frame)


class LiveEncoder:
    """Encodes Live client events (any connection: the events are the same on the wire)."""

    __slots__ = ("_encoder",)

    def __init__(self) -> None:
        self._encoder = msgspec.json.Encoder()

    def encode(self, event: ClientEvent) -> bytes:
        """Encode one client event to a JSON frame."""
        if not isinstance(event, ClientEvent):
            raise EncodeError(f"expected a client event, got {type(event).__name__}")
        try:
            return self._encoder.encode(event)
        except (TypeError, msgspec.EncodeError) as exc:
            raise EncodeError(f"cannot encode {event.type!r}: {exc}") from None


class LiveClientDecoder:
    """Decodes client frames of one kind of Live connection (the server side).

    A frame whose type the connection does not take raises :class:`DecodeError` with
    ``unknown_type`` set; ``event_type`` and ``event_id`` are filled in when the frame had them.
    """

    __slots__ = ("_by_type", "_decoder", "_json", "channel")

    def __init__(self, channel: LiveChannel = "primary") -> None:
        if channel not in _CLIENT_CLASSES:
            raise ValueError(
                f"unknown Live channel {channel!r}: expected 'primary', 'sideband' or 'fork'"
            )
        classes = _CLIENT_CLASSES[channel]
        self.channel: LiveChannel = channel
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(_union(classes))
        self._json = msgspec.json.Decoder()
        self._by_type = {cls.type: cls for cls in classes}

    def decode(self, frame: bytes | str) -> ClientEvent:
        """Decode one client frame. Raises :class:`DecodeError` naming the problem."""
        try:
            event: ClientEvent = self._decoder.decode(frame)
        except _DECODE_FAILURES as exc:
            return self._slow_path(frame, exc)
        return event

    def _slow_path(self, frame: bytes | str, exc: Exception) -> ClientEvent:
        try:
            payload = self._json.decode(frame)
        except Exception:
            raise DecodeError(f"frame is not valid JSON: {exc}", frame) from None
        err = DecodeError(str(exc), frame)
        if isinstance(payload, dict):
            kind = payload.get("type")
            event_id = payload.get("event_id")
            err.event_type = kind if isinstance(kind, str) else None
            err.event_id = event_id if isinstance(event_id, str) else None
            cls = self._by_type.get(kind) if isinstance(kind, str) else None
            if isinstance(kind, str) and cls is None:
                err.message = f"Invalid value: {kind!r} is not a client event of this connection"
                err.args = (err.message,)
                err.unknown_type = True
            elif cls is not None and kind in _ITEM_EVENTS:
                fixed = _untyped_message(payload)
                if fixed is not None:
                    del fixed["type"]
                    try:
                        return msgspec.convert(fixed, cls)
                    except msgspec.ValidationError:
                        pass
        raise err from None


def encode_live_server(event: ServerEvent) -> bytes:
    """Encode one Live server event to a JSON frame (the simulator's side of the wire)."""
    return _server_encoder.encode(event)


_server_encoder = msgspec.json.Encoder()
_decoder: LiveDecoder | None = None
_encoder: LiveEncoder | None = None


def live_decoder() -> LiveDecoder:
    """The shared Live decoder."""
    global _decoder
    if _decoder is None:
        _decoder = LiveDecoder()
    return _decoder


def live_encoder() -> LiveEncoder:
    """The shared Live encoder."""
    global _encoder
    if _encoder is None:
        _encoder = LiveEncoder()
    return _encoder


def decode_live(frame: bytes | str) -> ServerEvent:
    """Decode one Live server frame (see :meth:`LiveDecoder.decode`)."""
    return live_decoder().decode(frame)


def encode_live(event: ClientEvent) -> bytes:
    """Encode one Live client event to a JSON frame."""
    return live_encoder().encode(event)
