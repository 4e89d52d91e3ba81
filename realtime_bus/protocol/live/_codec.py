"""GPT-Live frames to typed events and back, in one pass (the same rules as Realtime's codec).

``LiveDecoder.decode`` runs msgspec's typed decoder over the union of every Live server event;
only when that fails does it look closer, to tell an unknown event type (an
:class:`UnknownEvent`) from a broken frame (:class:`DecodeError`). One server decoder serves
every Live connection; the server side (:class:`LiveClientDecoder`) reads what one kind of
connection may send.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import msgspec

from .._base import ClientEvent, ServerEvent
from .._decoding import ClientEventDecoder, ServerEventDecoder, by_tag
from .._errors import EncodeError
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

# Events whose ``item`` may be a message with no ``type`` (the schema leaves it optional).
_ITEM_EVENTS = frozenset({"decision.item.created", "decision.item.create"})


def _message_item(kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """``payload`` with ``type: message`` added to an item that is a message without one (and
    without the event's own ``type``, for ``msgspec.convert``), or ``None`` if it has none."""
    item = payload.get("item")
    if kind not in _ITEM_EVENTS or not (
        isinstance(item, dict) and "type" not in item and "role" in item
    ):
        return None
    fixed = {**payload, "item": {**item, "type": "message"}}
    del fixed["type"]
    return fixed


class LiveDecoder(ServerEventDecoder):
    """Decodes GPT-Live server frames by the rules of :class:`realtime_bus.protocol.Decoder`.

    Keeps no state: one can serve every connection.

    >>> LiveDecoder().decode(b'{"type":"session.input_audio.muted","event_id":"e1"}').type
    'session.input_audio.muted'
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(by_tag(SERVER_EVENT_CLASSES), SERVER_EVENT_CLASSES)

    def _refit(self, kind: str, payload: dict[str, Any], frame: bytes | str) -> ServerEvent | None:
        """A decision item that is a message without its ``type``."""
        fixed = _message_item(kind, payload)
        return None if fixed is None else msgspec.convert(fixed, self._classes[kind])


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


class LiveClientDecoder(ClientEventDecoder):
    """Decodes client frames of one kind of Live connection (the server side).

    A frame whose type the connection does not take raises :class:`DecodeError` with
    ``unknown_type`` set; ``event_type`` and ``event_id`` are filled in when the frame had them.
    """

    __slots__ = ("channel",)

    _unknown = "is not a client event of this connection"

    def __init__(self, channel: LiveChannel = "primary") -> None:
        if channel not in _CLIENT_CLASSES:
            raise ValueError(
                f"unknown Live channel {channel!r}: expected 'primary', 'sideband' or 'fork'"
            )
        classes = _CLIENT_CLASSES[channel]
        self.channel: LiveChannel = channel
        super().__init__(by_tag(classes), classes)

    def _refit(self, kind: str, payload: dict[str, Any], frame: bytes | str) -> ClientEvent | None:
        """A decision item that is a message without its ``type``."""
        fixed = _message_item(kind, payload)
        return None if fixed is None else msgspec.convert(fixed, self._classes[kind])


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
