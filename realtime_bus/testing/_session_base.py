"""What every simulated WebSocket session does alike, whatever it speaks.

:class:`ClientLink` is one client connection's life: open until the TCP connection is gone, then
closed with its close code. :class:`EventSession` adds the event traffic of the Realtime family
(a Realtime or transcription session, a translation session): each client frame is decoded and
handled in order, each server event is recorded and sent with a fresh ``event_id``, and a frame
that does not decode, or whose handler fails, is answered with an ``error`` as the service
answers it. A subclass names its decoder and logger and handles its events in
:meth:`EventSession._dispatch`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

import msgspec

from ..protocol import (
    ClientEvent,
    DecodeError,
    ErrorDetails,
    ErrorEvent,
    ServerEvent,
    pcm_from_base64,
)
from ..protocol.server import ClientDecoder
from ._errors import invalid_request, simulator_fault
from ._ids import IdFactory
from ._port import SessionHost
from ._validation import error_for_bad_frame
from ._wsconn import WebSocketConnection

__all__ = ["ClientLink", "EventSession", "client_event_id"]

_encode = msgspec.json.Encoder().encode


def client_event_id(event: ClientEvent) -> str | None:
    """The ``event_id`` the client gave ``event``, which an error about it names."""
    return event.event_id if isinstance(event.event_id, str) else None


class ClientLink:
    """One client WebSocket, open until its TCP connection is gone."""

    def __init__(self, ws: WebSocketConnection) -> None:
        self.ws = ws
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @property
    def closed(self) -> bool:
        """Whether the connection is gone."""
        return self._closed.done()

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code sent or received, if any."""
        return self.ws.close_code

    async def wait_closed(self, timeout: float | None = None) -> None:
        """Return once the connection is gone."""
        await asyncio.wait_for(asyncio.shield(self._closed), timeout)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.ws.abort()

    def _mark_closed(self) -> None:
        if not self._closed.done():
            self._closed.set_result(None)


class EventSession(ClientLink):
    """A session of JSON events: the traffic that the Realtime family's sessions share."""

    _decoder: ClassVar[ClientDecoder]
    """Decodes this session's client events."""
    _log: ClassVar[Any]
    """Where a failed handler is logged."""

    def __init__(
        self,
        sim: SessionHost,
        ws: WebSocketConnection,
        *,
        session_id: str,
        path: str,
        query: dict[str, str],
        client_secret: str | None,
        call_id: str | None = None,
    ) -> None:
        super().__init__(ws)
        self.sim = sim
        self._faults = sim.faults
        self._record = sim.record
        self._ids = IdFactory()
        self.id: str = session_id
        """The session id (``sess_...``)."""
        self.path = path
        self.query = query
        """The handshake's query parameters (``model``, ``call_id``, ...)."""
        self.call_id = call_id
        """The SIP/WebRTC call this session is attached to, if any."""
        self.client_secret = client_secret
        """The ephemeral key (``ek_...``) the client authenticated with, if any."""
        self.created_at = time.time()
        self.received: list[ClientEvent] = []
        """Every client event received, decoded, in order."""
        self.rejected: list[bytes] = []
        """Client frames that did not decode (each answered with an ``error``)."""
        self.sent: list[ServerEvent] = []
        """Every server event sent, in order."""
        self._waiters: list[tuple[str, asyncio.Future[ClientEvent]]] = []

    # -- reading the state -----------------------------------------------------------------

    def sent_types(self) -> list[str]:
        """The ``type`` of every server event sent, in order."""
        return [event.type for event in self.sent]

    def new_id(self, prefix: str) -> str:
        """A fresh id with ``prefix`` (``"event"``, ``"item"``, ``"resp"``, ...)."""
        return self._ids(prefix)

    async def wait_for_client_event(self, type_name: str, *, timeout: float = 5.0) -> ClientEvent:
        """The first client event of ``type_name`` received; waits for one if none has come."""
        for event in self.received:
            if event.type == type_name:
                return event
        future: asyncio.Future[ClientEvent] = asyncio.get_running_loop().create_future()
        self._waiters.append((type_name, future))
        return await asyncio.wait_for(future, timeout)

    # -- sending ---------------------------------------------------------------------------

    def emit(self, event: ServerEvent) -> None:
        """Send a server event to the client (and record it); an empty ``event_id`` is filled
        in with a fresh one."""
        if not event.event_id:
            # The event was built for this call: setting its id spares a copy per event.
            msgspec.structs.force_setattr(event, "event_id", self._ids("event"))
        if self._record:
            self.sent.append(event)
        self.ws.send_text(_encode(event))
        faults = self._faults
        if faults.armed:
            faults.after_send(self, event)

    def emit_error(self, details: ErrorDetails) -> None:
        """Send an ``error`` event."""
        self.emit(ErrorEvent(error=details))

    def send_raw(self, frame: bytes | str) -> None:
        """Send ``frame`` as a text frame exactly as given (it need not be valid JSON)."""
        self.ws.send_text(frame)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the WebSocket with ``code`` and ``reason`` (a clean closing handshake)."""
        self._stop_output()
        self.ws.close(code, reason)

    def _stop_output(self) -> None:
        """Stop what the session streams (its responses, its translations)."""
        raise NotImplementedError

    def stall(self) -> None:
        """Stop reading and sending (pings go unanswered) without closing."""
        self.ws.stall()

    def resume(self) -> None:
        """Undo :meth:`stall`."""
        self.ws.resume()

    def _mark_closed(self) -> None:
        for _, future in self._waiters:
            if not future.done():
                future.cancel()
        super()._mark_closed()

    # -- receiving -------------------------------------------------------------------------

    def on_message(self, data: bytes, is_text: bool) -> None:
        """One complete client message arrived."""
        if not is_text:
            self._reject(
                data,
                invalid_request(
                    "Binary messages are not supported: send events as JSON text.",
                    code="invalid_value",
                ),
            )
            return
        try:
            event = self._decoder.decode(data)
        except DecodeError as exc:
            self._reject(data, error_for_bad_frame(exc))
            return
        if self._record:
            self.received.append(event)
        if self._waiters:
            self._wake(event)
        try:
            self._dispatch(event)
        except Exception:  # a bug here must not kill the connection
            self._log.error("simulator_handler_failed", event_type=event.type, exc_info=True)
            self.emit_error(simulator_fault(client_event_id(event)))

    def _audio_of(self, event: ClientEvent, audio: str) -> bytes | None:
        """The PCM of an append's base64 ``audio``; ``None``, once answered, when it is not."""
        try:
            return pcm_from_base64(audio)
        except ValueError:
            self.emit_error(
                invalid_request(
                    "Invalid 'audio'. Expected base64-encoded audio bytes.",
                    code="invalid_value",
                    param="audio",
                    event_id=client_event_id(event),
                )
            )
            return None

    def _dispatch(self, event: ClientEvent) -> None:
        """Handle one decoded client event (each session kind has its table)."""
        raise NotImplementedError

    def _reject(self, data: bytes, details: ErrorDetails) -> None:
        if self._record:
            self.rejected.append(data)
        self.emit_error(details)

    def _wake(self, event: ClientEvent) -> None:
        for type_name, future in self._waiters:
            if type_name == event.type and not future.done():
                future.set_result(event)
        self._waiters = [w for w in self._waiters if not w[1].done()]
