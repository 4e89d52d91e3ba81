"""The decoding rules every dialect's codec follows, written once (Realtime and GPT-Live).

A decoder runs msgspec's typed decoder over the tagged union of its events. Only when that
fails does it look closer: a server frame of a type it does not know is delivered as
:class:`UnknownEvent`, anything else that does not fit raises :class:`DecodeError`; a client
frame always raises, with what the frame said about itself (type, event id) filled in. A
dialect adds only its tables and, through ``_refit``, the repair of a known
event its service sends in an older or looser form. The typed path pays nothing for any of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar, Union

import msgspec

from ._base import ClientEvent, ServerEvent
from ._errors import DecodeError
from ._server_events import UnknownEvent

__all__: list[str] = []  # internal: each codec exports its own decoders

E = TypeVar("E", ServerEvent, ClientEvent)

# What msgspec raises for a frame it cannot decode: besides its own errors, UnicodeError for
# text that is not valid UTF-8 and RecursionError for JSON nested deeper than it will go.
DECODE_FAILURES = (msgspec.ValidationError, msgspec.DecodeError, UnicodeError, RecursionError)


def union(classes: Iterable[type[Any]]) -> Any:
    """The tagged union of ``classes``, for a typed decoder."""
    return Union[tuple(classes)]  # noqa: UP007 - built at run time from a tuple


def by_tag(classes: Iterable[type[Any]]) -> dict[str, type[Any]]:
    """Each class under its wire name."""
    return {cls.__struct_config__.tag: cls for cls in classes}


def misfit(kind: str, exc: Exception, frame: bytes | str) -> DecodeError:
    """The error for a known event type whose fields do not fit its schema."""
    return DecodeError(f"{kind!r} event does not fit its schema: {exc}", frame)


class EventDecoder(Generic[E]):
    """Decodes frames into the events of ``classes`` (one side of one dialect).

    ``classes`` maps each wire name to its class; a frame of a name outside it is unknown.
    """

    __slots__ = ("_classes", "_decoder", "_json")

    def __init__(self, classes: dict[str, type[E]], members: Iterable[type[E]]) -> None:
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(union(members))
        self._json = msgspec.json.Decoder()
        self._classes: dict[str, type[E]] = classes

    def decode(self, frame: bytes | str) -> E:
        """Decode one frame into its typed event.

        A server frame whose ``type`` is not known decodes to :class:`UnknownEvent`; anything
        else that does not fit raises :class:`DecodeError`, carrying the frame.
        """
        try:
            event: E = self._decoder.decode(frame)
        except DECODE_FAILURES as exc:
            return self._slow_path(frame, exc)
        return event

    def _slow_path(self, frame: bytes | str, exc: Exception) -> E:
        raise NotImplementedError  # pragma: no cover - each side has its own

    def _refit(self, kind: str, payload: dict[str, Any], frame: bytes | str) -> E | None:
        """The known event ``kind`` from a ``payload`` the typed pass refused, or ``None``.

        The dialect's hook for a form its service sends that the schema does not take; it
        raises :class:`msgspec.ValidationError` (or :class:`DecodeError`) when even that fails.
        """
        return None


class ServerEventDecoder(EventDecoder[ServerEvent]):
    """The client's side: unknown types are delivered, broken frames raise."""

    __slots__ = ()

    def _slow_path(self, frame: bytes | str, exc: Exception) -> ServerEvent:
        payload = self._json_object(frame)
        kind = payload.get("type")
        if not isinstance(kind, str):
            raise DecodeError("frame has no string 'type' field", frame)
        if kind not in self._classes:
            event_id = payload.get("event_id")
            return UnknownEvent(
                type=kind,
                payload=payload,
                raw=frame,
                event_id=event_id if isinstance(event_id, str) else "",
            )
        try:
            event = self._refit(kind, payload, frame)
        except msgspec.ValidationError as again:
            exc = again
        else:
            if event is not None:
                return event
        raise misfit(kind, exc, frame)

    def _json_object(self, frame: bytes | str) -> dict[str, Any]:
        """The frame as an untyped JSON object, or a DecodeError saying why it is not one."""
        try:
            payload = self._json.decode(frame)
        except RecursionError:
            raise DecodeError("frame is JSON nested too deeply to decode", frame) from None
        except Exception as exc:  # msgspec raises DecodeError, odd input may raise others
            raise DecodeError(f"frame is not valid JSON: {exc}", frame) from None
        if not isinstance(payload, dict):
            raise DecodeError(f"frame is JSON {type(payload).__name__}, not an object", frame)
        return payload


class ClientEventDecoder(EventDecoder[ClientEvent]):
    """The server's side: every frame that does not fit raises, naming what it can.

    ``DecodeError.event_type`` and ``DecodeError.event_id`` are filled in when the frame was
    JSON with those fields, so a server can name them in its ``error`` reply; a type this side
    does not take sets ``unknown_type``.
    """

    __slots__ = ()

    _unknown: ClassVar[str] = "is not a known client event type"
    """What the error says of a type this decoder does not take."""

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
            if isinstance(kind, str) and kind not in self._classes:
                err.message = f"Invalid value: {kind!r} {self._unknown}"
                err.args = (err.message,)
                err.unknown_type = True
            elif isinstance(kind, str):
                try:
                    event = self._refit(kind, payload, frame)
                except msgspec.ValidationError:
                    event = None
                if event is not None:
                    return event
        raise err from None
