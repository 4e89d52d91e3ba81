"""The simulator's REST endpoints: client secrets, WebRTC and SIP calls, incoming-call webhooks.

Served on the simulator's port next to the WebSocket, under ``/v1/realtime/...`` (OpenAI) and
``/openai/v1/realtime/...`` (Azure's v1 API); the GPT-Live endpoints (``/v1/live/sessions``...)
are in :mod:`._rest_live`. Secrets and calls live in the simulator's
registries (``sim.client_secrets``, ``sim.calls``), so an ``ek_...`` key issued here opens a
WebSocket with its session, and a WebSocket opened with ``?call_id=`` joins an accepted call.

:meth:`SimulatedRest.place_call` plays the phone network: it registers a ringing call and sends
the signed ``realtime.call.incoming`` webhook to the application. :class:`RestFaults` makes
the next requests fail (429 with ``Retry-After``, 5xx) or answer late, for retry tests.

Importing this module needs only the core dependencies; placing a call needs the ``rest``
extra (the webhook is signed and sent with it).
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

import msgspec
from msgspec import UnsetType

from ..protocol import (
    InputAudioBufferAppend,
    RealtimeSession,
    TranscriptionSession,
    TranslationAudio,
    TranslationSession,
    encode,
)
from ._config import default_session, default_transcription_session
from ._http import HttpRequest, HttpResponse
from ._ids import random_id
from ._live_server import live_of
from ._registry import SimulatedCall, SimulatedTranslationSecret
from ._rest_faults import RestFaults
from ._rest_live import LiveRest
from ._rest_sip import SipControls
from ._rest_wire import (
    MISSING_KEY,
    BadRequest,
    IncomingData,
    SecretBody,
    TranslationSecretBody,
    check_session,
    check_ttl,
    decode_body,
    fault_message,
    invalid,
    invite_headers,
    parse_multipart,
    ring,
    sdp_answer,
    sip_header_bodies,
)
from ._speech import synthesize_speech

if TYPE_CHECKING:
    from ._simulator import Simulator

__all__ = [
    "PREFIXES",
    "PlacedCall",
    "RestFaults",
    "RestRequest",
    "SimulatedRest",
    "register_rest_routes",
    "rest_of",
]

PREFIXES = ("/v1", "/openai/v1")
"""Where the REST endpoints are served: OpenAI's paths, and Azure's v1 API."""

_Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


# ---------------------------------------------------------------------------------------------
# The endpoints


@dataclass(slots=True, frozen=True)
class RestRequest:
    """One REST request the simulator answered (for tests: ``rest_of(sim).requests``)."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    request_id: str
    body: bytes = field(default=b"", repr=False)


@dataclass(slots=True, frozen=True)
class PlacedCall:
    """A simulated incoming call: its id and how the application answered the webhook."""

    call: SimulatedCall
    webhook_status: int

    @property
    def call_id(self) -> str:
        """The ``rtc_...`` id."""
        return self.call.call_id


@dataclass(slots=True)
class SimulatedRest(SipControls[SimulatedCall]):
    """The REST side of one simulator: its endpoints, faults, log and the phone network."""

    sim: Simulator
    webhook_secret: str = field(default="", repr=False)
    """The ``whsec_`` secret webhooks are signed with (generated when empty)."""
    faults: RestFaults = field(default_factory=RestFaults)
    requests: list[RestRequest] = field(default_factory=list)
    translation_secrets: dict[str, TranslationSession] = field(default_factory=dict, repr=False)
    live: LiveRest = field(init=False, repr=False)
    """The GPT-Live endpoints and the Live sessions they created (``rest.live.sessions``)."""

    def __post_init__(self) -> None:
        self.live = LiveRest(self)
        # A sideband attaching to a session created here finds it through the Live server.
        live = live_of(cast(Any, self.sim))
        live.external = self.live.get
        live.on_started = self.live.started_elsewhere
        if not self.webhook_secret:
            self.webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()

    # -- plumbing --------------------------------------------------------------------------

    def register(self) -> None:
        """Add every endpoint to ``sim.http_routes``."""
        routes: list[tuple[str, _Handler]] = [
            ("/realtime/client_secrets", self._client_secrets),
            ("/realtime/translations/client_secrets", self._translation_client_secrets),
            ("/realtime/calls", self._create_call),
            ("/realtime/calls/{call_id}/accept", self._accept),
            ("/realtime/calls/{call_id}/reject", self._reject),
            ("/realtime/calls/{call_id}/refer", self._refer),
            ("/realtime/calls/{call_id}/hangup", self._hangup),
        ]
        served = [("POST", path, handler) for path, handler in routes] + self.live.routes()
        for prefix in PREFIXES:
            for method, path, handler in served:
                self.sim.http_routes.add(method, prefix + path, self._wrap(handler))

    def _wrap(self, handler: _Handler) -> _Handler:
        async def serve(request: HttpRequest) -> HttpResponse:
            request_id = random_id("req", 24)
            fault = self.faults.take(request.path)
            if fault is not None and fault.delay:
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.status is not None:
                response = HttpResponse.error(
                    fault.status,
                    fault.message or fault_message(fault.status),
                    type="requests" if fault.status == 429 else "server_error",
                    code="rate_limit_exceeded" if fault.status == 429 else None,
                )
                if fault.retry_after is not None:
                    response.headers.append(("Retry-After", fault.retry_after))
            else:
                try:
                    response = await handler(request)
                except BadRequest as exc:
                    response = exc.response
            response.headers.append(("x-request-id", request_id))
            self.requests.append(
                RestRequest(
                    request.method,
                    request.path,
                    request.query,
                    response.status,
                    request_id,
                    request.body,
                )
            )
            return response

        return serve

    def _authorize(self, request: HttpRequest, *, ephemeral: bool = False) -> str:
        """The caller's key, or a 401 as the service gives it."""
        auth = request.header("authorization")
        key: str | None = None
        if auth is not None:
            scheme, _, value = auth.strip().partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                key = value.strip()
        elif (azure := request.header("api-key")) is not None and azure.strip():
            key = azure.strip()
        if key is None:
            raise BadRequest(HttpResponse.error(401, MISSING_KEY))
        if key.startswith("ek_"):
            if not ephemeral or self.sim.client_secrets.get(key) is None:
                raise BadRequest(
                    HttpResponse.error(
                        401, "Invalid or expired ephemeral key provided.", code="invalid_api_key"
                    )
                )
        elif self.sim.api_key is not None and key != self.sim.api_key:
            raise BadRequest(
                HttpResponse.error(401, "Incorrect API key provided.", code="invalid_api_key")
            )
        return key

    _answered: ClassVar[str] = "accepted"

    def _leg(self, request: HttpRequest) -> SimulatedCall:
        self._authorize(request)
        return self._call(request)

    def _call(self, request: HttpRequest) -> SimulatedCall:
        call_id = request.path_params["call_id"]
        call = self.sim.calls.get(call_id)
        if call is None:
            raise BadRequest(
                HttpResponse.error(404, f"Call '{call_id}' not found.", code="call_not_found")
            )
        return call

    def _require(self, call: SimulatedCall, action: str, *states: str) -> None:
        if call.state not in states:
            raise BadRequest(
                HttpResponse.error(
                    409,
                    f"Cannot {action} call '{call.call_id}': the call is {call.state}.",
                    code="call_state_conflict",
                )
            )

    # -- client secrets --------------------------------------------------------------------

    async def _client_secrets(self, request: HttpRequest) -> HttpResponse:
        self._authorize(request)
        body: SecretBody = decode_body(request, SecretBody)
        seconds = check_ttl(body.expires_after)
        requested = RealtimeSession() if isinstance(body.session, UnsetType) else body.session
        effective: RealtimeSession | TranscriptionSession
        if isinstance(requested, TranscriptionSession):
            effective = default_transcription_session(
                session_id=random_id("sess"), expires_at=0, base=requested
            )
        else:
            check_session(requested)
            model = requested.model if isinstance(requested.model, str) else self.sim.model
            effective = default_session(
                session_id=random_id("sess"), model=model, expires_at=0, base=requested
            )
            effective = msgspec.structs.replace(effective, object="realtime.session")
        secret = self.sim.client_secrets.issue(effective, expires_after_seconds=seconds)
        return HttpResponse.json(
            {"value": secret.value, "expires_at": secret.expires_at, "session": effective}
        )

    async def _translation_client_secrets(self, request: HttpRequest) -> HttpResponse:
        self._authorize(request)
        body: TranslationSecretBody = decode_body(request, TranslationSecretBody)
        seconds = check_ttl(body.expires_after)
        expires_at = int(time.time()) + seconds
        audio = (
            TranslationAudio() if isinstance(body.session.audio, UnsetType) else body.session.audio
        )
        session = TranslationSession(
            id=random_id("sess"), model=body.session.model, expires_at=expires_at, audio=audio
        )
        value = random_id("ek", 32)
        self.translation_secrets[value] = session
        # The key opens a translation WebSocket on this simulator.
        self.sim.client_secrets.add_translation(
            SimulatedTranslationSecret(value=value, session=session, expires_at=expires_at)
        )
        return HttpResponse.json({"value": value, "expires_at": expires_at, "session": session})

    # -- calls -----------------------------------------------------------------------------

    async def _create_call(self, request: HttpRequest) -> HttpResponse:
        key = self._authorize(request, ephemeral=True)
        content_type = (request.header("content-type") or "").lower()
        session: RealtimeSession | None = None
        if content_type.startswith("multipart/form-data"):
            fields = parse_multipart(request)
            if "sdp" not in fields:
                raise invalid("Missing required parameter: 'sdp'.", param="sdp")
            sdp = fields["sdp"].decode("utf-8", "replace")
            if "session" in fields:
                session = decode_body(request, RealtimeSession, fields["session"])
                check_session(session)
        elif content_type.startswith("application/sdp"):
            sdp = request.body.decode("utf-8", "replace")
        else:
            raise invalid("Expected a multipart/form-data or application/sdp body.")
        if not sdp.lstrip().startswith("v=0"):
            raise invalid("Invalid SDP offer: it must start with 'v=0'.", param="sdp")
        if session is None and key.startswith("ek_"):
            secret = self.sim.client_secrets.get(key)
            if secret is not None and isinstance(secret.session, RealtimeSession):
                session = secret.session
        call = self.sim.calls.create(session=session, state="accepted")
        prefix = "/openai/v1" if request.path.startswith("/openai/") else "/v1"
        return HttpResponse(
            status=201,
            headers=[
                ("Content-Type", "application/sdp"),
                ("Location", f"{prefix}/realtime/calls/{call.call_id}"),
            ],
            body=sdp_answer(sdp).encode(),
        )

    async def _accept(self, request: HttpRequest) -> HttpResponse:
        self._authorize(request)
        call = self._call(request)
        session: RealtimeSession = decode_body(request, RealtimeSession)
        check_session(session, prefix="")
        self._require(call, "accept", "ringing")
        call.session = session
        call.state = "accepted"
        return HttpResponse(status=200)

    # -- the phone network -----------------------------------------------------------------

    async def place_call(
        self,
        webhook_url: str,
        *,
        caller: str = "+14155550123",
        callee: str = "+14155550100",
        sip_headers: Sequence[tuple[str, str]] | None = None,
        secret: str | None = None,
        timeout: float = 10.0,
    ) -> PlacedCall:
        """Ring: register a call and POST its signed ``realtime.call.incoming`` webhook.

        Returns once the application has answered the webhook (any status is returned, not
        raised). ``sip_headers`` replaces the INVITE headers made up from ``caller`` and
        ``callee``; ``secret`` replaces :attr:`webhook_secret` (to test a wrong one).
        """
        headers = list(sip_headers) if sip_headers is not None else invite_headers(caller, callee)
        call = self.sim.calls.create(sip_headers=headers, state="ringing")
        status = await ring(
            webhook_url,
            "realtime.call.incoming",
            IncomingData(call_id=call.call_id, sip_headers=sip_header_bodies(headers)),
            secret=secret or self.webhook_secret,
            timeout=timeout,
        )
        return PlacedCall(call=call, webhook_status=status)

    def caller_says(self, call_id: str, text: str) -> None:
        """The caller speaks: ``text`` as synthesized speech into the call's session.

        On the real service the caller's audio comes over the SIP leg into the session's input
        buffer; here it enters the newest attached session as an audio append would, so server
        VAD, transcription and automatic responses follow as usual.
        """
        call = self.sim.calls.get(call_id)
        if call is None:
            raise LookupError(f"no call {call_id!r}")
        live = [session for session in call.sessions if not session.closed]
        if call.state != "accepted" or not live:
            raise RuntimeError(f"call {call_id!r} has no live session to speak into")
        append = InputAudioBufferAppend.from_pcm(synthesize_speech(text))
        live[-1].on_message(encode(append), True)


_REST: weakref.WeakKeyDictionary[Simulator, SimulatedRest] = weakref.WeakKeyDictionary()


def register_rest_routes(sim: Simulator) -> None:
    """Serve the REST endpoints on ``sim`` (the simulator calls this when it starts)."""
    rest = _REST.get(sim)
    if rest is None:
        rest = _REST[sim] = SimulatedRest(sim)
    rest.register()


def rest_of(sim: Simulator) -> SimulatedRest:
    """The REST side of ``sim``: its faults, its request log, and :meth:`place_call`."""
    rest = _REST.get(sim)
    if rest is None:
        rest = _REST[sim] = SimulatedRest(sim)
        rest.register()
    return rest
