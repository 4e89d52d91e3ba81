"""Frames to typed events and back, in one pass.

``decode`` runs msgspec's typed decoder over the tagged union of every server event. Only when
that fails does it look closer, to tell an event type it does not know (delivered as
:class:`UnknownEvent`) from a frame that is broken (:class:`DecodeError`); the typed path pays
nothing for that.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, TypeAlias, Union

import msgspec

from ._base import ClientEvent, ServerEvent
from ._beta import BETA_REPLACEMENTS, beta_client_payload, ga_session_from_beta
from ._client_events import CLIENT_EVENT_CLASSES
from ._errors import DecodeError, EncodeError
from ._server_events import SERVER_EVENT_CLASSES, SessionCreated, SessionUpdated, UnknownEvent
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


_BAD_PROTOCOL = "unknown protocol {!r}: expected 'ga', 'beta' or 'translation'"


def _union(classes: Iterable[type[Any]]) -> Any:
    return Union[tuple(classes)]  # noqa: UP007 - built at run time from a tuple


# What msgspec raises for a frame it cannot decode: besides its own errors, UnicodeError for
# text that is not valid UTF-8 and RecursionError for JSON nested deeper than it will go.
_DECODE_FAILURES = (msgspec.ValidationError, msgspec.DecodeError, UnicodeError, RecursionError)


def _json_object(decoder: msgspec.json.Decoder[Any], frame: bytes | str) -> dict[str, Any]:
    """The frame as an untyped JSON object, or a DecodeError saying why it is not one."""
    try:
        payload = decoder.decode(frame)
    except RecursionError:
        raise DecodeError("frame is JSON nested too deeply to decode", frame) from None
    except Exception as exc:  # msgspec raises DecodeError, odd input may raise others
        raise DecodeError(f"frame is not valid JSON: {exc}", frame) from None
    if not isinstance(payload, dict):
        raise DecodeError(f"frame is JSON {type(payload).__name__}, not an object", frame)
    return payload


class Decoder:
    """Decodes server frames of one dialect. Reuse one per connection: building it is not free.

    >>> Decoder().decode(b'{"type":"response.done","event_id":"e1","response":{}}').type
    'response.done'
    """

    __slots__ = ("_decoder", "_json", "_known", "protocol")

    def __init__(self, protocol: Dialect = "ga") -> None:
        self.protocol: Dialect = protocol
        classes: list[type[ServerEvent]]
        if protocol == "translation":
            classes = list(TRANSLATION_SERVER_EVENT_CLASSES)
        elif protocol == "beta":
            # Session events carry a flat session on beta: they take the slow path below.
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
        elif protocol == "ga":
            classes = list(SERVER_EVENT_CLASSES)
        else:
            raise ValueError(
                f"unknown protocol {protocol!r}: expected 'ga', 'beta' or 'translation'"
            )
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(_union(classes))
        self._json = msgspec.json.Decoder()
        self._known = {cls.__struct_config__.tag for cls in classes}
        if protocol == "beta":
            self._known |= _SESSION_EVENTS.keys()

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
        payload = _json_object(self._json, frame)
        kind = payload.get("type")
        if not isinstance(kind, str):
            raise DecodeError("frame has no string 'type' field", frame)
        if kind not in self._known:
            event_id = payload.get("event_id")
            return UnknownEvent(
                type=kind,
                payload=payload,
                raw=frame,
                event_id=event_id if isinstance(event_id, str) else "",
            )
        if self.protocol == "beta" and kind in _SESSION_EVENTS:
            return self._beta_session_event(kind, payload, frame)
        raise DecodeError(f"{kind!r} event does not fit its schema: {exc}", frame)

    def _beta_session_event(
        self, kind: str, payload: dict[str, Any], frame: bytes | str
    ) -> ServerEvent:
        session = payload.get("session")
        if not isinstance(session, dict):
            raise DecodeError(f"{kind!r} event has no session object", frame)
        converted = dict(payload)
        converted["session"] = ga_session_from_beta(
            session, transcription=kind == "transcription_session.updated"
        )
        converted.pop("type")
        try:
            return msgspec.convert(converted, _SESSION_EVENTS[kind])
        except msgspec.ValidationError as exc:
            raise DecodeError(f"{kind!r} event does not fit its schema: {exc}", frame) from None


class Encoder:
    """Encodes client events for one dialect."""

    __slots__ = ("_encoder", "protocol")

    def __init__(self, protocol: Dialect = "ga") -> None:
        if protocol not in ("ga", "beta", "translation"):
            raise ValueError(
                f"unknown protocol {protocol!r}: expected 'ga', 'beta' or 'translation'"
            )
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


class ClientDecoder:
    """Decodes client frames: the server side of the protocol (the simulator uses it)."""

    __slots__ = ("_decoder", "_json", "_known")

    def __init__(self, protocol: Literal["ga", "translation"] = "ga") -> None:
        classes = (
            TRANSLATION_CLIENT_EVENT_CLASSES if protocol == "translation" else CLIENT_EVENT_CLASSES
        )
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(_union(classes))
        self._json = msgspec.json.Decoder()
        self._known = {cls.__struct_config__.tag for cls in classes}

    def decode(self, frame: bytes | str) -> ClientEvent:
        """Decode one client frame. Raises :class:`DecodeError` naming the problem.

        ``DecodeError.event_type`` and ``DecodeError.event_id`` are filled in when the frame
        was JSON with those fields, so a server can name them in its ``error`` reply.
        """
        try:
            event: ClientEvent = self._decoder.decode(frame)
        except _DECODE_FAILURES as exc:
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
                if isinstance(kind, str) and kind not in self._known:
                    err.message = f"Invalid value: {kind!r} is not a known client event type"
                    err.args = (err.message,)
                    err.unknown_type = True
            raise err from None
        return event


def encode_server(event: ServerEvent) -> bytes:
    """Encode one server event to a JSON frame (the simulator's side of the wire).

    The receive time a bus stamps on events (``received``) is left out: it is not protocol.
    """
    if event.received is not msgspec.UNSET:
        event = msgspec.structs.replace(event, received=msgspec.UNSET)
    return _server_encoder.encode(event)


_server_encoder = msgspec.json.Encoder()
