"""``api.live``: the GPT-Live REST endpoints on the async and the blocking client.

Thin: each method builds its operation in :mod:`._live` and sends it through the client it
belongs to, so retries, errors and credentials are the same as for every other endpoint.
"""

from __future__ import annotations

from typing import Protocol

import httpx2

from ..protocol.live import SessionConfig
from . import _live
from ._core import Operation
from ._live import LiveAcceptSession, LiveForkSession, LiveMediaSession, LiveWebRTCSession

__all__ = ["Live", "LiveSessions", "SyncLive", "SyncLiveSessions"]


class _AsyncSender(Protocol):
    async def _send(self, operation: Operation) -> httpx2.Response: ...


class _SyncSender(Protocol):
    def _send(self, operation: Operation) -> httpx2.Response: ...


class LiveSessions:
    """``api.live.sessions``: control phone sessions, fork and download stored sessions."""

    def __init__(self, api: _AsyncSender) -> None:
        self._api = api

    async def accept(self, session_id: str, *, session: LiveAcceptSession | SessionConfig) -> None:
        """Answer a ringing SIP call with ``session`` (model, instructions, delegation...)."""
        await self._api._send(_live.accept_live_session(session_id, session))

    async def reject(self, session_id: str, *, status_code: int) -> None:
        """Decline a ringing SIP call with the SIP ``status_code`` (486 busy, 603 decline)."""
        await self._api._send(_live.reject_live_session(session_id, status_code))

    async def refer(self, session_id: str, *, target_uri: str) -> None:
        """Transfer a SIP call to ``target_uri`` (``tel:+14155550123``, ``sip:a@b.example``)."""
        await self._api._send(_live.refer_live_session(session_id, target_uri))

    async def hangup(self, session_id: str) -> None:
        """End a SIP call."""
        await self._api._send(_live.hangup_live_session(session_id))

    async def fork(
        self, session_id: str, *, sdp: str, session: LiveForkSession | None = None
    ) -> LiveWebRTCSession:
        """Start a new WebRTC session from a stored one (``store=True``) and its history."""
        operation = _live.fork_live_session(session_id, sdp, session)
        return _live.live_webrtc_session(operation, await self._api._send(operation))

    async def download_recording(self, session_id: str) -> bytes:
        """The recording of a stored session, as the service sends it."""
        response = await self._api._send(_live.download_live_recording(session_id))
        return response.content


class Live:
    """``api.live``: GPT-Live sessions over WebRTC, and control of existing sessions."""

    def __init__(self, api: _AsyncSender) -> None:
        self._api = api
        self.sessions = LiveSessions(api)
        """Phone-session control, forks and recordings."""

    async def create(
        self, *, session: LiveMediaSession | SessionConfig, sdp: str
    ) -> LiveWebRTCSession:
        """Start a WebRTC session from a browser's SDP offer; returns the answer and the id."""
        operation = _live.create_live_session(session, sdp)
        return _live.live_webrtc_session(operation, await self._api._send(operation))


class SyncLiveSessions:
    """``api.live.sessions`` on :class:`~realtime_bus.rest.SyncRealtimeAPI`."""

    def __init__(self, api: _SyncSender) -> None:
        self._api = api

    def accept(self, session_id: str, *, session: LiveAcceptSession | SessionConfig) -> None:
        """Answer a ringing SIP call with ``session``."""
        self._api._send(_live.accept_live_session(session_id, session))

    def reject(self, session_id: str, *, status_code: int) -> None:
        """Decline a ringing SIP call with the SIP ``status_code``."""
        self._api._send(_live.reject_live_session(session_id, status_code))

    def refer(self, session_id: str, *, target_uri: str) -> None:
        """Transfer a SIP call to ``target_uri``."""
        self._api._send(_live.refer_live_session(session_id, target_uri))

    def hangup(self, session_id: str) -> None:
        """End a SIP call."""
        self._api._send(_live.hangup_live_session(session_id))

    def fork(
        self, session_id: str, *, sdp: str, session: LiveForkSession | None = None
    ) -> LiveWebRTCSession:
        """Start a new WebRTC session from a stored one and its history."""
        operation = _live.fork_live_session(session_id, sdp, session)
        return _live.live_webrtc_session(operation, self._api._send(operation))

    def download_recording(self, session_id: str) -> bytes:
        """The recording of a stored session, as the service sends it."""
        return self._api._send(_live.download_live_recording(session_id)).content


class SyncLive:
    """``api.live`` on :class:`~realtime_bus.rest.SyncRealtimeAPI`."""

    def __init__(self, api: _SyncSender) -> None:
        self._api = api
        self.sessions = SyncLiveSessions(api)
        """Phone-session control, forks and recordings."""

    def create(self, *, session: LiveMediaSession | SessionConfig, sdp: str) -> LiveWebRTCSession:
        """Start a WebRTC session from a browser's SDP offer; returns the answer and the id."""
        operation = _live.create_live_session(session, sdp)
        return _live.live_webrtc_session(operation, self._api._send(operation))
