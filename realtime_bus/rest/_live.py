"""The GPT-Live REST endpoints without I/O: their bodies, answers and operations.

``POST /live/sessions`` starts a WebRTC session from a browser's SDP offer; a phone session
(an incoming SIP call announced by webhook) is answered with ``accept``, ``reject`` or
``refer`` and ended with ``hangup``; a stored session can be forked onto a new WebRTC
connection, and its recording downloaded. The session configurations are the protocol
layer's :mod:`realtime_bus.protocol.live` structs, so a configuration written for a
``session.start`` works here too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

import httpx2
import msgspec
from msgspec import UNSET, UnsetType

from ..protocol import Model
from ..protocol.live import ClientConfig, ResponsesDelegationChange, SessionConfig
from ._core import Operation, decode_body, path_segment
from ._models import _Request, _SipStatus

_S = TypeVar("_S", bound=SessionConfig)

__all__ = [
    "LiveAcceptRequest",
    "LiveAcceptSession",
    "LiveCreateRequest",
    "LiveForkRequest",
    "LiveForkSession",
    "LiveMediaSession",
    "LiveReferRequest",
    "LiveRejectRequest",
    "LiveSessionRef",
    "LiveWebRTC",
    "LiveWebRTCSession",
    "WakePolicy",
    "accept_live_session",
    "create_live_session",
    "download_live_recording",
    "fork_live_session",
    "hangup_live_session",
    "live_webrtc_session",
    "refer_live_session",
    "reject_live_session",
]

_encoder = msgspec.json.Encoder()


class WakePolicy(_Request):
    """When a paused WebRTC session resumes: on speech, above ``vad_threshold`` (0 to 1)."""

    type: Literal["speech"] = "speech"
    vad_threshold: Annotated[float, msgspec.Meta(ge=0, le=1)] | UnsetType = UNSET


class LiveMediaSession(SessionConfig, kw_only=True):
    """The startup configuration of a WebRTC session: a ``session.start`` configuration, and
    when an idle session pauses (``idle_timeout_s``) and what wakes it (``wake_policy``)."""

    idle_timeout_s: Annotated[int, msgspec.Meta(ge=1)] | UnsetType = UNSET
    wake_policy: WakePolicy | UnsetType = UNSET


class LiveAcceptSession(SessionConfig, kw_only=True):
    """The session that answers an incoming SIP call (SIP negotiates the audio format)."""

    type: Literal["live"] = "live"


class LiveForkSession(Model):
    """What a fork may change of the stored session it starts from; everything else is
    inherited."""

    client: ClientConfig | UnsetType = UNSET
    delegation: ResponsesDelegationChange | UnsetType = UNSET
    store: bool | UnsetType = UNSET


class LiveWebRTC(_Request):
    """A WebRTC transport: an SDP offer in a request, the answer in a response."""

    sdp: Annotated[str, msgspec.Meta(min_length=1)]
    type: Literal["webrtc"] = "webrtc"


class LiveCreateRequest(_Request):
    """Body of ``POST /live/sessions``."""

    session: LiveMediaSession
    transport: LiveWebRTC


class LiveForkRequest(_Request):
    """Body of ``POST /live/sessions/{session_id}/fork``."""

    transport: LiveWebRTC
    session: LiveForkSession | UnsetType = UNSET


class LiveAcceptRequest(_Request):
    """Body of ``POST /live/sessions/{session_id}/accept``."""

    session: LiveAcceptSession


class LiveRejectRequest(_Request):
    """Body of ``POST /live/sessions/{session_id}/reject``: the SIP status to answer with."""

    status_code: _SipStatus


class LiveReferRequest(_Request):
    """Body of ``POST /live/sessions/{session_id}/refer``: where to transfer the caller."""

    target_uri: Annotated[str, msgspec.Meta(min_length=1)]


class LiveSessionRef(Model):
    """A session, by id."""

    id: str


class LiveWebRTCSession(Model):
    """The answer to a WebRTC offer (a new session or a fork): the new session's id and the
    SDP answer to give the browser."""

    session: LiveSessionRef
    transport: LiveWebRTC

    @property
    def session_id(self) -> str:
        """The id to control the session with, or to attach a sideband connection to."""
        return self.session.id

    @property
    def sdp(self) -> str:
        """The SDP answer."""
        return self.transport.sdp


def _session_operation(
    session_id: str,
    action: str,
    body: msgspec.Struct | None = None,
    *,
    name: str | None = None,
    **options: Any,
) -> Operation:
    """``POST /live/sessions/{session_id}/{action}`` (``options``: the method, what it accepts)."""
    return Operation(
        name=name or f"live.sessions.{action}",
        path=f"/live/sessions/{path_segment('session_id', session_id)}/{action}",
        json=None if body is None else _encoder.encode(body),
        **options,
    )


def _webrtc(sdp: str) -> LiveWebRTC:
    if not isinstance(sdp, str) or not sdp.strip():
        raise ValueError("sdp must be a non-empty SDP offer")
    return LiveWebRTC(sdp=sdp)


def _configuration(session: SessionConfig, kind: type[_S]) -> _S:
    """``session`` as ``kind``: a plain ``session.start`` configuration is converted."""
    if not isinstance(session, SessionConfig):
        raise TypeError(f"session must be a {kind.__name__}, got {type(session).__name__}")
    return session if isinstance(session, kind) else kind(**msgspec.structs.asdict(session))


def create_live_session(session: SessionConfig, sdp: str) -> Operation:
    """``POST /live/sessions``: a WebRTC session from the browser's SDP offer.

    ``session`` is a :class:`LiveMediaSession`, or a plain ``session.start`` configuration.
    """
    body = LiveCreateRequest(
        session=_configuration(session, LiveMediaSession), transport=_webrtc(sdp)
    )
    return Operation(name="live.create", path="/live/sessions", json=_encoder.encode(body))


def accept_live_session(session_id: str, session: SessionConfig) -> Operation:
    """``POST /live/sessions/{session_id}/accept``: answer a ringing SIP call.

    ``session`` is a :class:`LiveAcceptSession`, or a plain ``session.start`` configuration.
    """
    body = LiveAcceptRequest(session=_configuration(session, LiveAcceptSession))
    return _session_operation(session_id, "accept", body, accept="*/*")


def reject_live_session(session_id: str, status_code: int) -> Operation:
    """``POST /live/sessions/{session_id}/reject``."""
    body = LiveRejectRequest(status_code=status_code)
    return _session_operation(session_id, "reject", body, accept="*/*")


def refer_live_session(session_id: str, target_uri: str) -> Operation:
    """``POST /live/sessions/{session_id}/refer``."""
    body = LiveReferRequest(target_uri=target_uri)
    return _session_operation(session_id, "refer", body, accept="*/*")


def hangup_live_session(session_id: str) -> Operation:
    """``POST /live/sessions/{session_id}/hangup``."""
    return _session_operation(session_id, "hangup", accept="*/*")


def fork_live_session(session_id: str, sdp: str, session: LiveForkSession | None) -> Operation:
    """``POST /live/sessions/{session_id}/fork``: a stored session on a new WebRTC link."""
    body = LiveForkRequest(transport=_webrtc(sdp), session=UNSET if session is None else session)
    return _session_operation(session_id, "fork", body)


def download_live_recording(session_id: str) -> Operation:
    """``GET /live/sessions/{session_id}/content``: a stored session's recording."""
    return _session_operation(
        session_id,
        "content",
        name="live.sessions.download_recording",
        method="GET",
        accept="application/binary",
    )


def live_webrtc_session(operation: Operation, response: httpx2.Response) -> LiveWebRTCSession:
    """The answer to ``live.create`` and ``live.sessions.fork``."""
    return decode_body(operation, response, LiveWebRTCSession)
