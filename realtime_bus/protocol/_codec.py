"""Frames to typed events and back, in one pass.

``decode`` runs msgspec's typed decoder over the tagged union of every server event. Only when
that fails does it look closer, to tell an event type it does not know (delivered as
:class:`UnknownEvent`) from a frame that is broken (:class:`DecodeError`); the typed path pays
nothing for that.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import msgspec

from ._base import ClientEvent, ServerEvent
from ._beta import BETA_REPLACEMENTS, beta_client_payload, ga_session_from_beta
from ._client_events import CLIENT_EVENT_CLASSES
from ._decoding import ClientEventDecoder, ServerEventDecoder, by_tag
from ._errors import DecodeError, EncodeError
from ._server_events import SERVER_EVENT_CLASSES, SessionCreated, SessionUpdated
from ._translation import TRANSLATION_CLIENT_EVENT_CLASSES, TRANSLATION_SERVER_EVENT_CLASSES

# The server's side (ClientDecoder, encode_server) is public from ``realtime_bus.protocol.server``.
__all__ = [
    "Decoder",
    "Dialect",
    "Encoder",
    "decode",
    "decoder_for",
    "encode",
    "encoder_for",
]

Dialect: TypeAlias = Literal["ga", "beta", "translation"]
"""Which dialect a connection speaks: the GA protocol, the older beta one, or translation."""

_SESSION_EVENTS: dict[str, type[ServerEvent]] = {
    "session.created": SessionCreated,
    "session.updated": SessionUpdated,
    "transcription_session.updated": SessionUpdated,
}


def _check_dialect(protocol: str) -> None:
    if protocol not in ("ga", "beta", "translation"):
        raise ValueError(f"unknown protocol {protocol!r}: expected 'ga', 'beta' or 'translation'")


def _server_classes(protocol: Dialect) -> list[type[ServerEvent]]:
    """What the typed pass of a dialect decodes into."""
    if protocol == "translation":
        return list(TRANSLATION_SERVER_EVENT_CLASSES)
    if protocol == "ga":
        return list(SERVER_EVENT_CLASSES)
    # Beta session events carry a flat session: they take the slow path (Decoder._refit).
    classes = [
        BETA_REPLACEMENTS.get(cls, cls)
        for cls in SERVER_EVENT_CLASSES
        if cls not in (SessionCreated, SessionUpdated)
    ]
    # Servers part-way between the dialects send some events under their GA names.
    classes += [
        ga
        for ga, beta in BETA_REPLACEMENTS.items()
        if ga.__struct_config__.tag != beta.__struct_config__.tag
    ]
    return classes


class Decoder(ServerEventDecoder):
    """Decodes server frames of one dialect. Reuse one per connection: building it is not free.

    :meth:`decode` returns an :class:`UnknownEvent` for a well-formed event whose ``type`` is
    not known, and raises :class:`DecodeError` (carrying the frame) for anything else that does
    not fit.

    >>> Decoder().decode(b'{"type":"response.done","event_id":"e1","response":{}}').type
    'response.done'
    """

    __slots__ = ("protocol",)

    def __init__(self, protocol: Dialect = "ga") -> None:
        _check_dialect(protocol)
        self.protocol: Dialect = protocol
        classes = _server_classes(protocol)
        known = by_tag(classes)
        if protocol == "beta":
            known.update(_SESSION_EVENTS)
        super().__init__(known, classes)

    def _refit(self, kind: str, payload: dict[str, Any], frame: bytes | str) -> ServerEvent | None:
        """A beta session event: its flat session turned into the GA one."""
        if self.protocol != "beta" or kind not in _SESSION_EVENTS:
            return None
        session = payload.get("session")
        if not isinstance(session, dict):
            raise DecodeError(f"{kind!r} event has no session object", frame)
        converted = dict(payload)
        converted["session"] = ga_session_from_beta(
            session, transcription=kind == "transcription_session.updated"
        )
        converted.pop("type")
        event: ServerEvent = msgspec.convert(converted, _SESSION_EVENTS[kind])
        return event


class Encoder:
    """Encodes client events for one dialect."""

    __slots__ = ("_encoder", "protocol")

    def __init__(self, protocol: Dialect = "ga") -> None:
        _check_dialect(protocol)
        self.protocol: Dialect = protocol
        self._encoder = msgspec.json.Encoder()

    def encode(self, event: ClientEvent) -> bytes:
        """Encode one client event to a JSON frame."""
        if not isinstance(event, ClientEvent):
            raise EncodeError(f"expected a client event, got {type(event).__name__}")
        try:
            if self.protocol == "beta" and event.type in _BETA_REWRITTEN:
                return self._encoder.encode(beta_client_payload(msgspec.to_builtins(event)))
            return self._encoder.encode(event)
        except (TypeError, msgspec.EncodeError) as exc:
            raise EncodeError(f"cannot encode {event.type!r}: {exc}") from None


_BETA_REWRITTEN = frozenset({"session.update", "response.create", "conversation.item.create"})

_decoders: dict[str, Decoder] = {}
_encoders: dict[str, Encoder] = {}


def decoder_for(protocol: Dialect = "ga") -> Decoder:
    """The shared decoder of a dialect (decoders keep no per-connection state)."""
    decoder = _decoders.get(protocol)
    if decoder is None:
        decoder = _decoders[protocol] = Decoder(protocol)
    return decoder


def encoder_for(protocol: Dialect = "ga") -> Encoder:
    """The shared encoder of a dialect."""
    encoder = _encoders.get(protocol)
    if encoder is None:
        encoder = _encoders[protocol] = Encoder(protocol)
    return encoder


def decode(frame: bytes | str, *, protocol: Dialect = "ga") -> ServerEvent:
    """Decode one server frame into its typed event (see :meth:`Decoder.decode`)."""
    return decoder_for(protocol).decode(frame)


def encode(event: ClientEvent, *, protocol: Dialect = "ga") -> bytes:
    """Encode one client event to a JSON frame (see :meth:`Encoder.encode`)."""
    return encoder_for(protocol).encode(event)


class ClientDecoder(ClientEventDecoder):
    """Decodes client frames: the server side of the protocol (the simulator uses it).

    :meth:`decode` raises :class:`DecodeError` naming the problem. ``DecodeError.event_type``
    and ``DecodeError.event_id`` are filled in when the frame was JSON with those fields, so a
    server can name them in its ``error`` reply.
    """

    __slots__ = ()

    def __init__(self, protocol: Literal["ga", "translation"] = "ga") -> None:
        classes = (
            TRANSLATION_CLIENT_EVENT_CLASSES if protocol == "translation" else CLIENT_EVENT_CLASSES
        )
        super().__init__(by_tag(classes), classes)


def encode_server(event: ServerEvent) -> bytes:
    """Encode one server event to a JSON frame (the simulator's side of the wire).

    The receive time a bus stamps on events (``received``) is left out: it is not protocol.
    """
    if event.received is not msgspec.UNSET:
        event = msgspec.structs.replace(event, received=msgspec.UNSET)
    return _server_encoder.encode(event)


_server_encoder = msgspec.json.Encoder()
