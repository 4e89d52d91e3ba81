"""The simulator's GPT-Live REST endpoints, and the Live sessions they create.

``POST /v1/live/sessions`` answers a WebRTC offer with a new session id; a phone session is
placed by :meth:`LiveRest.place_call`, which registers it ringing and sends the signed
``live.transport.incoming`` webhook, then ``accept`` / ``reject`` / ``refer`` / ``hangup``
drive it as the service does; ``fork`` starts a new session from a stored one, and
``GET .../content`` serves a stored session's recording (a WAV file of the audio the session
carried). The sessions live in :attr:`LiveRest.sessions`, where a sideband connection finds
the session it attaches to.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

import msgspec
from msgspec import UNSET, UnsetType

from ..protocol.live import ClientConfig, ResponsesDelegationChange, SessionConfig
from ._http import HttpRequest, HttpResponse
from ._ids import random_id
from ._registry import SipLeg
from ._rest_sip import SipControls
from ._rest_wire import (
    BadRequest,
    LiveIncomingData,
    RejectBody,
    decode_body,
    invalid,
    invite_headers,
    ring,
    sdp_answer,
    sip_header_bodies,
)

__all__ = [
    "LiveRest",
    "LiveSessionState",
    "PlacedLiveCall",
    "SimulatedLiveSession",
]

LiveSessionState = Literal["ringing", "active", "rejected", "referred", "ended"]

_Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]
_SAMPLE_RATE = 24_000


# ---------------------------------------------------------------------------------------------
# Bodies as the simulator reads them


class _WebRTC(msgspec.Struct):
    sdp: str
    type: Literal["webrtc"]


class _WakePolicy(msgspec.Struct):
    type: Literal["speech"]
    vad_threshold: float | UnsetType = UNSET


class _MediaSession(SessionConfig, kw_only=True):
    idle_timeout_s: int | UnsetType = UNSET
    wake_policy: _WakePolicy | UnsetType = UNSET


class _AcceptSession(SessionConfig, kw_only=True):
    type: Literal["live"]


class _ForkSession(msgspec.Struct):
    client: ClientConfig | UnsetType = UNSET
    delegation: ResponsesDelegationChange | UnsetType = UNSET
    store: bool | UnsetType = UNSET


def _startup_config(session: SessionConfig) -> SessionConfig:
    """The startup configuration in a request's ``session`` (without its request-only fields)."""
    return SessionConfig(**{f: getattr(session, f) for f in SessionConfig.__struct_fields__})


class _CreateBody(msgspec.Struct):
    session: _MediaSession
    transport: _WebRTC


class _ForkBody(msgspec.Struct):
    transport: _WebRTC
    session: _ForkSession | UnsetType = UNSET


class _AcceptBody(msgspec.Struct):
    session: _AcceptSession


class _RejectBody(RejectBody):
    status_code: int


# ---------------------------------------------------------------------------------------------
# Sessions


class _Running(Protocol):
    """The simulated side of a session (the Live server's), as ending it needs it."""

    def end(self, reason: Any, *, code: int | None = None, text: str = "") -> None: ...


@dataclass(slots=True)
class SimulatedLiveSession(SipLeg):
    """A GPT-Live session created over REST (WebRTC, a fork) or by the phone network (SIP).

    ``config`` is its startup configuration (set by ``accept`` for a phone session);
    ``recording`` the PCM16 audio a stored session keeps for ``GET .../content``; ``attached``
    the simulated side that sidebands attach to (started by the first one), ended with it.
    """

    session_id: str
    transport: Literal["webrtc", "sip", "websocket"]
    state: LiveSessionState = "active"
    config: SessionConfig | None = None
    parent_id: str | None = None
    sip_headers: list[tuple[str, str]] = field(default_factory=list)
    refer_to: str | None = None
    reject_status: int | None = None
    recording: bytearray = field(default_factory=bytearray, repr=False)
    attached: list[_Running] = field(default_factory=list, repr=False)

    @property
    def stored(self) -> bool:
        """Whether the session keeps its history and recording (``store: true``)."""
        return self.config is not None and self.config.store is True

    def end(self, code: int = 1000, reason: str = "The session has ended.") -> None:
        """End the session: its simulated side says ``session.closed`` (``remote_hangup``) to
        every attached connection and closes them."""
        self.state = "ended"
        for running in list(self.attached):
            running.end("remote_hangup", code=code, text=reason)

    def recording_wav(self) -> bytes:
        """The recording as a WAV file (PCM16, 24 kHz, mono)."""
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(_SAMPLE_RATE)
            wav.writeframes(bytes(self.recording))
        return out.getvalue()


@dataclass(slots=True, frozen=True)
class PlacedLiveCall:
    """A simulated incoming SIP call for a Live session, and the webhook's answer."""

    session: SimulatedLiveSession
    webhook_status: int

    @property
    def session_id(self) -> str:
        """The ``session_id`` the webhook carried."""
        return self.session.session_id


class _RestSide(Protocol):
    """What the Live endpoints use of the simulator's REST side (its ``SimulatedRest``)."""

    @property
    def webhook_secret(self) -> str: ...

    def _authorize(self, request: HttpRequest, *, ephemeral: bool = False) -> str: ...


class LiveRest(SipControls[SimulatedLiveSession]):
    """The Live endpoints of one simulator's REST side, and the sessions they created."""

    _answered: ClassVar[str] = "active"
    _reject_body: ClassVar[type[RejectBody]] = _RejectBody

    def __init__(self, rest: _RestSide) -> None:
        self._rest = rest
        self._sessions: dict[str, SimulatedLiveSession] = {}

    # -- the registry ----------------------------------------------------------------------

    @property
    def sessions(self) -> list[SimulatedLiveSession]:
        """Every Live session created over REST or by the phone network, oldest first."""
        return list(self._sessions.values())

    def get(self, session_id: str) -> SimulatedLiveSession | None:
        """The session ``session_id``, if known."""
        return self._sessions.get(session_id)

    def __iter__(self) -> Iterator[SimulatedLiveSession]:
        return iter(self.sessions)

    def started_elsewhere(
        self, session_id: str, config: SessionConfig | None, recording: bytearray
    ) -> None:
        """A session started on a Live WebSocket: known here too, so that a stored one can
        be forked and its recording downloaded."""
        if session_id not in self._sessions:
            self._add(
                SimulatedLiveSession(
                    session_id=session_id,
                    transport="websocket",
                    config=config,
                    recording=recording,
                )
            )

    def _add(self, session: SimulatedLiveSession) -> SimulatedLiveSession:
        self._sessions[session.session_id] = session
        return session

    def routes(self) -> list[tuple[str, str, _Handler]]:
        """(method, path below the API prefix, handler) for every Live endpoint."""
        return [
            ("POST", "/live/sessions", self._create),
            ("POST", "/live/sessions/{session_id}/accept", self._accept),
            ("POST", "/live/sessions/{session_id}/reject", self._reject),
            ("POST", "/live/sessions/{session_id}/refer", self._refer),
            ("POST", "/live/sessions/{session_id}/hangup", self._hangup),
            ("POST", "/live/sessions/{session_id}/fork", self._fork),
            ("GET", "/live/sessions/{session_id}/content", self._content),
        ]

    # -- endpoints -------------------------------------------------------------------------

    def _session(self, request: HttpRequest) -> SimulatedLiveSession:
        session_id = request.path_params["session_id"]
        session = self._sessions.get(session_id)
        if session is None:
            raise BadRequest(
                HttpResponse.error(
                    404, f"Session '{session_id}' not found.", code="session_not_found"
                )
            )
        return session

    def _leg(self, request: HttpRequest) -> SimulatedLiveSession:
        self._rest._authorize(request)
        return self._session(request)

    def _require(self, session: SimulatedLiveSession, action: str, *states: str) -> None:
        if session.transport != "sip":
            raise invalid(
                f"Cannot {action} session '{session.session_id}': it is not a SIP session.",
                code="invalid_session_transport",
            )
        if session.state not in states:
            raise BadRequest(
                HttpResponse.error(
                    409,
                    f"Cannot {action} session '{session.session_id}': it is {session.state}.",
                    code="session_state_conflict",
                )
            )

    @staticmethod
    def _offer(transport: _WebRTC) -> str:
        if not transport.sdp.lstrip().startswith("v=0"):
            raise invalid("Invalid SDP offer: it must start with 'v=0'.", param="transport.sdp")
        return transport.sdp

    @staticmethod
    def _answer(session: SimulatedLiveSession, offer: str) -> HttpResponse:
        return HttpResponse.json(
            {
                "session": {"id": session.session_id},
                "transport": {"type": "webrtc", "sdp": sdp_answer(offer)},
            }
        )

    async def _create(self, request: HttpRequest) -> HttpResponse:
        self._rest._authorize(request, ephemeral=True)
        body: _CreateBody = decode_body(request, _CreateBody)
        offer = self._offer(body.transport)
        config = _startup_config(body.session)
        session = self._add(
            SimulatedLiveSession(session_id=random_id("sess"), transport="webrtc", config=config)
        )
        return self._answer(session, offer)

    async def _accept(self, request: HttpRequest) -> HttpResponse:
        self._rest._authorize(request)
        session = self._session(request)
        body: _AcceptBody = decode_body(request, _AcceptBody)
        self._require(session, "accept", "ringing")
        session.config = _startup_config(body.session)
        session.state = "active"
        return HttpResponse(status=200)

    async def _fork(self, request: HttpRequest) -> HttpResponse:
        self._rest._authorize(request)
        parent = self._session(request)
        body: _ForkBody = decode_body(request, _ForkBody)
        offer = self._offer(body.transport)
        if not parent.stored:
            raise invalid(
                f"Session '{parent.session_id}' was not stored (start it with store: true) "
                "and cannot be forked.",
                code="session_not_stored",
            )
        assert parent.config is not None
        changes: dict[str, Any] = {}
        if not isinstance(body.session, UnsetType):
            for name in ("client", "store"):
                value = getattr(body.session, name)
                if not isinstance(value, UnsetType):
                    changes[name] = value
        config = msgspec.structs.replace(parent.config, **changes)
        child = self._add(
            SimulatedLiveSession(
                session_id=random_id("sess"),
                transport="webrtc",
                config=config,
                parent_id=parent.session_id,
            )
        )
        return self._answer(child, offer)

    async def _content(self, request: HttpRequest) -> HttpResponse:
        self._rest._authorize(request)
        session = self._session(request)
        if not session.stored:
            raise BadRequest(
                HttpResponse.error(
                    404,
                    f"No stored content for session '{session.session_id}'.",
                    code="session_not_stored",
                )
            )
        return HttpResponse(
            status=200,
            headers=[("Content-Type", "application/binary")],
            body=session.recording_wav(),
        )

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
    ) -> PlacedLiveCall:
        """Ring: register a SIP Live session and POST its signed ``live.transport.incoming``.

        Returns once the application has answered the webhook (any status is returned, not
        raised); ``secret`` replaces the REST side's webhook secret (to test a wrong one).
        """
        headers = list(sip_headers) if sip_headers is not None else invite_headers(caller, callee)
        session = self._add(
            SimulatedLiveSession(
                session_id=random_id("sess"), transport="sip", state="ringing", sip_headers=headers
            )
        )
        status = await ring(
            webhook_url,
            "live.transport.incoming",
            LiveIncomingData(session_id=session.session_id, sip_headers=sip_header_bodies(headers)),
            secret=secret or self._rest.webhook_secret,
            timeout=timeout,
        )
        return PlacedLiveCall(session=session, webhook_status=status)
