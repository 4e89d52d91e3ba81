"""Server-side state shared by the simulator's REST endpoints and its WebSocket.

:class:`SimulatedClientSecrets` holds the ephemeral keys (``ek_...``) the simulator issued: the
WebSocket handshake accepts a live one as the API key and starts the session with its
configuration; expired or unknown ones are refused with 401. :class:`SimulatedCalls` holds the
simulated SIP/WebRTC calls: a WebSocket opened with ``?call_id=`` attaches to the call's
session.

The REST endpoints (``POST /v1/realtime/client_secrets``, ``/v1/realtime/calls/...``) use these
registries through ``sim.client_secrets`` and ``sim.calls``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from ..protocol import RealtimeSession, TranscriptionSession, TranslationSession
from ._ids import random_id
from ._port import Connection

__all__ = [
    "CallState",
    "SimulatedCalls",
    "SimulatedClientSecret",
    "SimulatedClientSecrets",
    "SimulatedCall",
    "SimulatedTranslationSecret",
    "SipLeg",
]

DEFAULT_SECRET_TTL = 600
"""Client secrets expire after 10 minutes unless asked otherwise."""


@dataclass(slots=True)
class SimulatedClientSecret:
    """An ephemeral key the simulator issued. ``value`` is secret: it never appears in a repr."""

    value: str = field(repr=False)
    session: RealtimeSession | TranscriptionSession
    expires_at: int
    """Unix seconds."""
    created_at: int = field(default_factory=lambda: int(time.time()))

    @property
    def expired(self) -> bool:
        """Whether the key is past its expiry."""
        return time.time() >= self.expires_at


@dataclass(slots=True)
class SimulatedTranslationSecret:
    """An ephemeral key for a translation session (``/realtime/translations``)."""

    value: str = field(repr=False)
    session: TranslationSession
    expires_at: int
    """Unix seconds."""

    @property
    def expired(self) -> bool:
        """Whether the key is past its expiry."""
        return time.time() >= self.expires_at


S = TypeVar("S", SimulatedClientSecret, SimulatedTranslationSecret)


def _unexpired(secret: S | None) -> S | None:
    """``secret`` while it is valid; ``None`` when there is none or it has expired."""
    return None if secret is None or secret.expired else secret


class SimulatedClientSecrets:
    """The client secrets issued by one simulator."""

    def __init__(self) -> None:
        self._secrets: dict[str, SimulatedClientSecret] = {}
        self._translation: dict[str, SimulatedTranslationSecret] = {}

    def add_translation(self, secret: SimulatedTranslationSecret) -> None:
        """Register a translation session's key."""
        self._translation[secret.value] = secret

    def get_translation(self, value: str) -> SimulatedTranslationSecret | None:
        """The live translation key ``value``; ``None`` when unknown or expired."""
        return _unexpired(self._translation.get(value))

    def issue(
        self,
        session: RealtimeSession | TranscriptionSession | None = None,
        *,
        expires_after_seconds: float = DEFAULT_SECRET_TTL,
    ) -> SimulatedClientSecret:
        """Create a key for ``session`` (the default realtime session when ``None``)."""
        secret = SimulatedClientSecret(
            value=random_id("ek", 32),
            session=session if session is not None else RealtimeSession(),
            expires_at=int(time.time() + expires_after_seconds),
        )
        self._secrets[secret.value] = secret
        return secret

    def add(self, secret: SimulatedClientSecret) -> None:
        """Register a key made elsewhere."""
        self._secrets[secret.value] = secret

    def get(self, value: str) -> SimulatedClientSecret | None:
        """The live key ``value``; ``None`` when unknown or expired."""
        return _unexpired(self._secrets.get(value))

    def revoke(self, value: str) -> None:
        """Forget a key."""
        self._secrets.pop(value, None)

    def __len__(self) -> int:
        return len(self._secrets)

    def __iter__(self) -> Iterator[SimulatedClientSecret]:
        return iter(list(self._secrets.values()))


class SipLeg:
    """A call as its call-control requests change it (a dataclass declares the fields)."""

    state: str
    """``ringing``, then answered, rejected, referred or ended."""
    refer_to: str | None
    """Where ``refer`` transferred the call."""
    reject_status: int | None
    """The SIP status ``reject`` declined the call with."""

    def end(self, code: int = 1000, reason: str = "") -> None:
        """Hang up, closing whatever carries the call."""
        raise NotImplementedError

    def reject(self, status_code: int) -> None:
        """Decline the ringing call with the SIP ``status_code``."""
        self.reject_status = status_code
        self.state = "rejected"

    def refer(self, target_uri: str) -> None:
        """Transfer the answered call to ``target_uri``: what carried it ends."""
        self.refer_to = target_uri
        self.end(1000, "The call was transferred.")
        self.state = "referred"


CallState = Literal["ringing", "accepted", "rejected", "referred", "ended"]


@dataclass(slots=True)
class SimulatedCall(SipLeg):
    """A simulated incoming SIP (or WebRTC) call.

    ``session`` is the configuration a WebSocket opened with ``?call_id=`` starts with (set by
    accept); ``sessions`` are those WebSocket sessions.
    """

    call_id: str
    state: CallState = "ringing"
    session: RealtimeSession | None = None
    sip_headers: list[tuple[str, str]] = field(default_factory=list)
    sessions: list[Connection] = field(default_factory=list, repr=False)
    refer_to: str | None = None
    reject_status: int | None = None

    def end(self, code: int = 1000, reason: str = "") -> None:
        """Hang up: mark the call ended and close its WebSocket sessions."""
        self.state = "ended"
        for session in list(self.sessions):
            if not session.closed:
                session.close(code, reason)


class SimulatedCalls:
    """The simulated calls of one simulator, by ``call_id``."""

    def __init__(self) -> None:
        self._calls: dict[str, SimulatedCall] = {}

    def create(
        self,
        *,
        call_id: str | None = None,
        session: RealtimeSession | None = None,
        sip_headers: list[tuple[str, str]] | None = None,
        state: CallState = "ringing",
    ) -> SimulatedCall:
        """Register a new call (``rtc_...`` id unless given)."""
        call = SimulatedCall(
            call_id=call_id or random_id("rtc", 24),
            state=state,
            session=session,
            sip_headers=list(sip_headers or []),
        )
        self._calls[call.call_id] = call
        return call

    def get(self, call_id: str) -> SimulatedCall | None:
        """The call ``call_id``, if known."""
        return self._calls.get(call_id)

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[SimulatedCall]:
        return iter(list(self._calls.values()))
