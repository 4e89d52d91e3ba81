"""Incoming webhooks: verify the Standard Webhooks signature, then decode the event.

A SIP call reaching the Realtime API is announced by a ``realtime.call.incoming`` webhook to
the application's URL. The signature scheme (``webhook-id``, ``webhook-timestamp``,
``webhook-signature`` headers, HMAC-SHA256 with a ``whsec_`` secret) is checked by the
``standardwebhooks`` package; this module adds distinct errors, a replay window on the
timestamp, refusal of deliveries already accepted (by ``webhook-id``), and typed events.
"""

from __future__ import annotations

import base64
import enum
import os
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import msgspec
from msgspec import UNSET, UnsetType
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ..protocol import Model
from ..protocol._base import install_type_names
from ._errors import (
    WebhookPayloadError,
    WebhookReplayError,
    WebhookSignatureError,
    WebhookTimestampError,
)
from ._replay import MemorySeenWebhooks, SeenWebhooks

__all__ = [
    "DEFAULT_TOLERANCE",
    "CallIncomingData",
    "LiveCallIncoming",
    "LiveConnectedData",
    "LiveIncomingData",
    "LiveTransportConnected",
    "LiveTransportIncoming",
    "RealtimeCallIncoming",
    "SipHeader",
    "UnknownWebhookEvent",
    "WebhookEvent",
    "WebhookVerifier",
    "generate_webhook_secret",
]

DEFAULT_TOLERANCE = 300.0
"""Seconds a webhook's timestamp may be off from the local clock (the scheme's 5 minutes)."""


class SipHeader(Model):
    """One header of the SIP INVITE that started a call."""

    name: str
    value: str


class CallIncomingData(Model):
    """``data`` of a ``realtime.call.incoming`` event."""

    call_id: str
    sip_headers: list[SipHeader]


class _Known(Model, tag_field="type"):
    type: ClassVar[str]
    id: str
    created_at: int


class _SipInvite:
    """What an incoming SIP call's event tells of the INVITE (its ``data.sip_headers``)."""

    __slots__ = ()
    data: CallIncomingData | LiveIncomingData

    @property
    def sip_headers(self) -> list[SipHeader]:
        """The SIP INVITE's headers, in the order they were sent (untrusted metadata)."""
        return self.data.sip_headers

    def sip_header(self, name: str) -> str | None:
        """The first SIP header called ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((h.value for h in self.data.sip_headers if h.name.lower() == wanted), None)


class RealtimeCallIncoming(_Known, _SipInvite, tag="realtime.call.incoming"):
    """A SIP call is waiting: accept, reject or refer it by :attr:`call_id`.

    >>> event.call_id, event.sip_header("From")  # doctest: +SKIP
    ('rtc_479a...', '<sip:+14155550123@sip.example>;tag=...')
    """

    data: CallIncomingData
    object: str | UnsetType = UNSET

    @property
    def call_id(self) -> str:
        """The id to pass to ``calls.accept`` and to open a WebSocket on the call."""
        return self.data.call_id


class LiveIncomingData(Model):
    """``data`` of a GPT-Live incoming SIP call (``live.transport.incoming``)."""

    session_id: str
    sip_headers: list[SipHeader]
    type: Literal["sip"] | UnsetType = UNSET
    sip_media_security: str | UnsetType | None = UNSET


class _LiveIncoming(_Known, _SipInvite):
    data: LiveIncomingData
    object: str | UnsetType | None = UNSET

    @property
    def session_id(self) -> str:
        """The ``session_id`` to pass to ``live.sessions.accept`` and to attach a sideband."""
        return self.data.session_id


class LiveTransportIncoming(_LiveIncoming, tag="live.transport.incoming"):
    """A SIP call is waiting for a GPT-Live session: accept, reject or refer it by
    :attr:`session_id` (``api.live.sessions.accept(...)``)."""


class LiveCallIncoming(_LiveIncoming, tag="live.call.incoming"):
    """The older name of :class:`LiveTransportIncoming`, still sent to existing
    subscriptions."""


class LiveConnectedData(Model):
    """``data`` of ``live.transport.connected``."""

    session_id: str
    type: Literal["webrtc"]


class LiveTransportConnected(_Known, tag="live.transport.connected"):
    """A GPT-Live session's WebRTC transport connected."""

    data: LiveConnectedData
    object: str | UnsetType | None = UNSET

    @property
    def session_id(self) -> str:
        """The session whose transport connected."""
        return self.data.session_id


install_type_names(
    [RealtimeCallIncoming, LiveTransportIncoming, LiveCallIncoming, LiveTransportConnected]
)


class UnknownWebhookEvent(Model):
    """A correctly signed webhook of a type this library does not model; ``data`` is raw."""

    type: str
    id: str
    created_at: int
    data: Any = None
    object: str | UnsetType = UNSET


WebhookEvent = (
    RealtimeCallIncoming
    | LiveTransportIncoming
    | LiveCallIncoming
    | LiveTransportConnected
    | UnknownWebhookEvent
)
"""Everything :meth:`WebhookVerifier.unwrap` can return."""

_KNOWN: dict[str, type[Any]] = {
    cls.type: cls
    for cls in (
        RealtimeCallIncoming,
        LiveTransportIncoming,
        LiveCallIncoming,
        LiveTransportConnected,
    )
}


class _Envelope(msgspec.Struct):
    type: str


class _Default(enum.Enum):
    STORE = "a fresh MemorySeenWebhooks"


class WebhookVerifier:
    """Checks that a webhook came from the API, then decodes it.

    >>> verifier = WebhookVerifier()  # secret from OPENAI_WEBHOOK_SECRET  # doctest: +SKIP
    >>> event = verifier.unwrap(body, request.headers)  # doctest: +SKIP

    ``tolerance`` is how many seconds the ``webhook-timestamp`` may differ from the local
    clock (at most the scheme's 5 minutes): older requests are refused as replays.

    Within that window a delivery is accepted once: its ``webhook-id`` is remembered in
    ``seen`` (by default :class:`~realtime_bus.rest.MemorySeenWebhooks`, this process's
    memory) and a second delivery with the same id raises
    :class:`~realtime_bus.rest.WebhookReplayError`. Workers behind one URL share a store
    (any object with :meth:`~realtime_bus.rest.SeenWebhooks.add`); ``seen=None`` turns the
    check off.
    """

    __slots__ = ("_webhook", "seen", "tolerance")

    def __init__(
        self,
        secret: str | None = None,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        seen: SeenWebhooks | Literal[_Default.STORE] | None = _Default.STORE,
    ) -> None:
        key = secret if secret is not None else os.environ.get("OPENAI_WEBHOOK_SECRET")
        if not key:
            raise ValueError(
                "no webhook secret: pass secret=... or set OPENAI_WEBHOOK_SECRET "
                "(the whsec_... value from the webhook's settings)"
            )
        if not 0 < tolerance <= DEFAULT_TOLERANCE:
            raise ValueError(f"tolerance must be in (0, {DEFAULT_TOLERANCE:g}] seconds")
        try:
            # standardwebhooks skips characters that are not base64: a mangled secret would
            # quietly become another key and every signature would fail. Check it strictly.
            stem = key.removeprefix("whsec_").rstrip("=")
            if not base64.b64decode(stem + "=" * (-len(stem) % 4), validate=True):
                raise ValueError("empty")
            self._webhook = Webhook(key)
        except Exception as exc:  # binascii.Error, EmptyWebhookSecretError, ...
            # The message names the problem, never the secret.
            raise ValueError(
                f"webhook secret is not a whsec_ base64 secret ({type(exc).__name__})"
            ) from None
        self.tolerance = tolerance
        if seen is _Default.STORE:
            self.seen: SeenWebhooks | None = MemorySeenWebhooks()
        elif seen is None or isinstance(seen, SeenWebhooks):
            self.seen = seen
        else:
            raise TypeError(f"seen must have an add(webhook_id, ttl) method, got {seen!r}")

    def __repr__(self) -> str:
        return f"WebhookVerifier(tolerance={self.tolerance:g})"

    def verify(self, body: bytes | str, headers: Mapping[str, str]) -> None:
        """Raise a :class:`~realtime_bus.rest.WebhookError` unless the request is authentic.

        :class:`WebhookSignatureError` for a missing, malformed or wrong signature,
        :class:`WebhookTimestampError` for a missing or stale timestamp,
        :class:`WebhookPayloadError` for a body that is not UTF-8,
        :class:`WebhookReplayError` for a delivery already accepted (its ``webhook-id``).
        Only authentic deliveries are remembered, so a forged one cannot block a real one.
        """
        lowered = {k.lower(): v for k, v in headers.items()}
        if not lowered.get("webhook-id"):
            raise WebhookSignatureError("missing webhook-id header")
        if not lowered.get("webhook-signature"):
            raise WebhookSignatureError("missing webhook-signature header")
        self._check_timestamp(lowered.get("webhook-timestamp"))
        if isinstance(body, bytes):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise WebhookPayloadError("webhook body is not UTF-8") from None
        else:
            text = body
        try:
            self._webhook.verify(text, lowered, json_parse=False)
        except WebhookVerificationError as exc:
            raise WebhookSignatureError(f"webhook signature does not verify: {exc}") from None
        except ValueError:
            # A signature entry without "v1," or with broken base64.
            raise WebhookSignatureError("malformed webhook-signature header") from None
        # Remember the delivery only once it is known to be authentic. Twice the tolerance:
        # a timestamp may be up to `tolerance` in the future as well as in the past.
        if self.seen is not None and not self.seen.add(lowered["webhook-id"], 2 * self.tolerance):
            raise WebhookReplayError(
                "webhook delivery already accepted (same webhook-id): refused as a replay"
            )

    def unwrap(self, body: bytes | str, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify the request (see :meth:`verify`), then decode its event.

        A body that is not a webhook event raises :class:`WebhookPayloadError`; an event of
        another type comes back as :class:`UnknownWebhookEvent`.
        """
        self.verify(body, headers)
        try:
            kind = msgspec.json.decode(body, type=_Envelope).type
            cls = _KNOWN.get(kind, UnknownWebhookEvent)
            event: WebhookEvent = msgspec.json.decode(body, type=cls)
        except msgspec.DecodeError as exc:
            raise WebhookPayloadError(f"malformed webhook body: {exc}") from None
        except RecursionError:
            raise WebhookPayloadError("malformed webhook body: nested too deeply") from None
        return event

    def sign(
        self,
        body: bytes | str,
        *,
        webhook_id: str | None = None,
        timestamp: float | None = None,
    ) -> dict[str, str]:
        """The three headers that make ``body`` a signed webhook (for senders and tests)."""
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        msg_id = webhook_id or f"wh_{secrets.token_hex(12)}"
        seconds = int(time.time() if timestamp is None else timestamp)
        when = datetime.fromtimestamp(seconds, tz=UTC)
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(seconds),
            "webhook-signature": self._webhook.sign(msg_id, when, text),
        }

    def _check_timestamp(self, raw: str | None) -> None:
        if not raw:
            raise WebhookTimestampError("missing webhook-timestamp header")
        try:
            sent = int(raw)
        except ValueError:
            raise WebhookTimestampError("webhook-timestamp is not Unix seconds") from None
        skew = time.time() - sent
        if skew > self.tolerance:
            raise WebhookTimestampError(
                f"webhook timestamp is {skew:.0f} s old (tolerance {self.tolerance:g} s): "
                "refused as a possible replay"
            )
        if skew < -self.tolerance:
            raise WebhookTimestampError(
                f"webhook timestamp is {-skew:.0f} s in the future (tolerance {self.tolerance:g} s)"
            )


def generate_webhook_secret() -> str:
    """A fresh ``whsec_`` secret (for tests and for the simulator's webhooks)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
