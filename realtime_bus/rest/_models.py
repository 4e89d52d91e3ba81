"""Request and response bodies of the Realtime REST endpoints, as msgspec structs.

Request bodies follow the protocol layer's rule: optional fields default to ``UNSET`` and stay
off the wire, ``None`` is sent only when set explicitly. They are validated when built, so a
wrong value fails in the caller with the field named, not on the server.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType

from ..protocol import (
    Model,
    RealtimeSession,
    TranscriptionSession,
    TranslationAudio,
    TranslationSession,
)
from ..protocol._base import validate_struct

__all__ = [
    "CallReferRequest",
    "CallRejectRequest",
    "ClientSecret",
    "ClientSecretCreateRequest",
    "CreatedCall",
    "ErrorObject",
    "ExpiresAfter",
    "SecretSession",
    "TranslationClientSecret",
    "TranslationClientSecretCreateRequest",
    "TranslationSessionRequest",
]

SecretSession: TypeAlias = RealtimeSession | TranscriptionSession
"""The session a client secret is issued for: speech-to-speech or transcription-only."""

_TtlSeconds = Annotated[int, msgspec.Meta(ge=10, le=7200)]
_SipStatus = Annotated[int, msgspec.Meta(ge=100, le=699)]


class _Request(Model):
    """A request body: checked field by field when built."""

    def __post_init__(self) -> None:
        validate_struct(self)


class ExpiresAfter(_Request):
    """When a client secret stops being accepted for new sessions.

    ``seconds`` (10 to 7200) is added to the secret's creation time; the service's default is
    600. A session started before the secret expires may run on after it.
    """

    seconds: _TtlSeconds | UnsetType = UNSET
    anchor: Literal["created_at"] | UnsetType = UNSET


class ClientSecretCreateRequest(_Request):
    """Body of ``POST /realtime/client_secrets``."""

    session: SecretSession | UnsetType = UNSET
    expires_after: ExpiresAfter | UnsetType = UNSET


class TranslationSessionRequest(_Request):
    """The translation session a translation client secret is issued for."""

    model: str
    audio: TranslationAudio | UnsetType = UNSET


class TranslationClientSecretCreateRequest(_Request):
    """Body of ``POST /realtime/translations/client_secrets``."""

    session: TranslationSessionRequest
    expires_after: ExpiresAfter | UnsetType = UNSET


class CallRejectRequest(_Request):
    """Body of ``POST /realtime/calls/{call_id}/reject``; the service sends 603 when unset."""

    status_code: _SipStatus | UnsetType = UNSET


class CallReferRequest(_Request):
    """Body of ``POST /realtime/calls/{call_id}/refer``: where to transfer the caller.

    ``target_uri`` becomes the SIP ``Refer-To`` header (``tel:+14155550123``,
    ``sip:agent@example.com``).
    """

    target_uri: Annotated[str, msgspec.Meta(min_length=1)]


class ClientSecret(Model):
    """An ephemeral key (``ek_...``) and the session it opens.

    Hand :attr:`value` to a browser or phone instead of the API key; it is accepted until
    :attr:`expires_at` (Unix seconds). :attr:`session` is the effective configuration the
    service will start sessions with. The value is left out of ``repr``.
    """

    _secret_fields: ClassVar[frozenset[str]] = frozenset({"value"})

    value: str
    expires_at: int
    session: SecretSession


class TranslationClientSecret(Model):
    """An ephemeral key for a translation session, and that session."""

    _secret_fields: ClassVar[frozenset[str]] = frozenset({"value"})

    value: str
    expires_at: int
    session: TranslationSession


class CreatedCall(Model):
    """The answer to a WebRTC offer: the SDP answer and the id of the new call.

    Use :attr:`call_id` for later control requests (``calls.hangup``) or to attach a
    WebSocket to the call's session.
    """

    call_id: str
    sdp: str


class ErrorObject(Model):
    """The ``error`` object of a failed REST response, as the server sent it.

    Every field is optional: a proxy or gateway in front of the service may send less.
    """

    message: str | UnsetType | None = UNSET
    type: str | UnsetType | None = UNSET
    code: str | int | UnsetType | None = UNSET
    param: str | UnsetType | None = UNSET
