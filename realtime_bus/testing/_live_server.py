"""The simulator's GPT-Live WebSockets: the primary, sideband and fork connections.

Served at ``/v1/live/sessions`` (also Azure's ``/openai/v1/live/sessions``), with
``.../{session_id}/attach`` for a sideband and ``.../{session_id}/fork`` for a fork. Keys are
checked as for Realtime. A primary or fork connection must send ``session.start`` first;
a sideband attaches to a running session (an unknown or ended one is refused with 404) and
sends no ``session.start``. :func:`live_of` gives a simulator's Live side: its sessions, the
responder, and the context window size usage is measured against.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from websockets.http11 import Request
from websockets.server import ServerProtocol

from .._log import get_logger
from .._secrets import RedactingLogger
from ..protocol import ClientEvent, DecodeError, ServerEvent
from ..protocol import live as L
from ._handshake import _api_key
from ._http import HttpResponse, RequestHead
from ._ids import random_id
from ._listener import Listener, accept_websocket
from ._live_responder import LiveResponder
from ._live_session import LiveSession
from ._session_base import ClientLink
from ._validation import error_for_bad_frame
from ._wsconn import WebSocketConnection

if TYPE_CHECKING:
    from ._live_ports import LiveSimulator as Simulator

__all__ = ["LiveConnection", "LiveServer", "is_live_target", "live_of", "upgrade_live"]

_log = get_logger("realtime_bus.testing.live")
_PATH = re.compile(
    r"^(?:/openai)?(?:/v1)?/live/sessions(?:/(?P<id>[^/]+)/(?P<action>attach|fork))?/?$"
)
_MAX_MESSAGE_BYTES = 32 * 1024 * 1024
_SUPPORTED = {
    channel: ", ".join(f"'{cls.type}'" for cls in classes)
    for channel, classes in (
        ("primary", L.PRIMARY_CLIENT_EVENT_CLASSES),
        ("sideband", L.SIDEBAND_CLIENT_EVENT_CLASSES),
        ("fork", L.FORK_CLIENT_EVENT_CLASSES),
    )
}


class ExternalSession(Protocol):
    """A session created outside the Live WebSockets, as a sideband attaching to it needs it."""

    @property
    def state(self) -> str:
        """``active`` while a sideband may attach."""
        ...

    @property
    def config(self) -> L.SessionConfig | None:
        """Its startup configuration."""
        ...

    @property
    def recording(self) -> bytearray:
        """The audio a stored session keeps; the simulated side appends to it."""
        ...

    @property
    def attached(self) -> list[Any]:
        """The simulated sides started for it (ended when it ends)."""
        ...


@dataclass(slots=True)
class LiveServer:
    """The Live side of one simulator."""

    sim: Simulator
    responder: LiveResponder = field(default_factory=LiveResponder)
    """What the simulated model says, delegates and decides (override it in a test)."""
    context_window_tokens: int = 32_000
    """The context size ``session.usage.updated`` reports its ratio against."""
    sessions: dict[str, LiveSession] = field(default_factory=dict)
    """Every Live session started on this simulator, by id."""
    external: Callable[[str], ExternalSession | None] | None = None
    """Where a sideband finds a session this server did not start (the REST side sets it)."""
    on_started: Callable[[str, L.SessionConfig | None, bytearray], None] | None = None
    """Told of every session that starts here, so the REST side can fork it and serve its
    recording (the REST side sets it)."""

    _waiters: list[asyncio.Future[None]] = field(default_factory=list, repr=False)

    def add(self, session: LiveSession) -> None:
        """Register a session that has started (wakes :meth:`wait_for_session`)."""
        self.sessions[session.id] = session
        if self.on_started is not None:
            self.on_started(session.id, session.config, session.recording)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    def get(self, session_id: str) -> LiveSession | None:
        """The session ``session_id``, if it was started here."""
        return self.sessions.get(session_id)

    async def wait_for_session(self, count: int = 1, *, timeout: float = 5.0) -> LiveSession:
        """Wait until ``count`` sessions have started; return the ``count``-th."""
        async with asyncio.timeout(timeout):
            while len(self.sessions) < count:
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                await waiter
        return list(self.sessions.values())[count - 1]


_SERVERS: weakref.WeakKeyDictionary[Simulator, LiveServer] = weakref.WeakKeyDictionary()


def live_of(sim: Simulator) -> LiveServer:
    """The Live side of ``sim`` (made on first use)."""
    server = _SERVERS.get(sim)
    if server is None:
        server = _SERVERS[sim] = LiveServer(sim)
    return server


class LiveConnection(ClientLink):
    """One Live WebSocket: ``channel`` is ``primary``, ``sideband`` or ``fork``.

    ``sent`` and ``received`` keep every event (when the simulator records), for tests.
    """

    call_id = None

    def __init__(
        self, sim: Simulator, ws: WebSocketConnection, channel: L.LiveChannel, session: LiveSession
    ) -> None:
        super().__init__(ws)
        self.sim = sim
        self.channel: L.LiveChannel = channel
        self.session = session
        self.id = f"{session.id}:{channel}:{ws.protocol.id.hex[:8]}"
        self.sent: list[ServerEvent] = []
        self.received: list[ClientEvent] = []
        self._decoder = L.LiveClientDecoder(channel)

    # -- the simulator's session interface -------------------------------------------------

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the WebSocket. Closing a primary or fork connection ends its session first
        (``session.closed``, reason ``connection_lost``, to every connection of it)."""
        if self.channel != "sideband" and not self.session.ended:
            self.session.end("connection_lost", code=code, text=reason)
        self.ws.close(code, reason)

    def close_link(self, code: int, reason: str) -> None:
        """Close the WebSocket, nothing else (the session is closing it)."""
        self.ws.close(code, reason)

    def connection_closed(self) -> None:
        """The TCP connection is gone (called by the connection glue)."""
        self._mark_closed()
        self.session.detach(self)
        self.sim._session_closed(self)

    # -- traffic ---------------------------------------------------------------------------

    def send(self, event: ServerEvent, frame: bytes) -> None:
        """Send one server event (already encoded as ``frame``)."""
        if not self.ws.open:
            return
        if self.sim.record:
            self.sent.append(event)
        self.ws.send_text(frame)

    def on_message(self, data: bytes, is_text: bool) -> None:
        """One complete client message arrived."""
        if not is_text:
            self.session.fail(
                self, "Binary messages are not supported: send JSON text.", code="invalid_value"
            )
            return
        try:
            event = self._decoder.decode(data)
        except DecodeError as exc:
            self._bad_frame(exc)
            return
        if self.sim.record:
            self.received.append(event)
        try:
            self.session.handle(self, event)
        except Exception:  # a bug here must not kill the connection
            _log.error("simulator_live_handler_failed", event_type=event.type, exc_info=True)
            self.session.fail(
                self, "The server had an error while processing your request.", code="server_error"
            )

    def _bad_frame(self, exc: DecodeError) -> None:
        if exc.unknown_type:
            self.session.fail(
                self,
                f"Invalid value: '{exc.event_type}'. Supported values are: "
                f"{_SUPPORTED[self.channel]}.",
                code="invalid_value",
                param="type",
                client_event_id=exc.event_id,
            )
            return
        details = error_for_bad_frame(exc)
        self.session.fail(
            self,
            details.message,
            code=details.code if isinstance(details.code, str) else "invalid_value",
            param=details.param if isinstance(details.param, str) else None,
            client_event_id=exc.event_id,
        )

    def __repr__(self) -> str:
        return f"LiveConnection({self.id!r}, closed={self.closed})"


def is_live_target(target: str) -> bool:
    """Whether a request target is one of the Live WebSocket paths."""
    return _PATH.match(target.partition("?")[0]) is not None


def _refuse(listener: Listener, response: HttpResponse) -> None:
    listener.reply(response)


def upgrade_live(
    sim: Simulator, listener: Listener, head: RequestHead, raw: bytes
) -> WebSocketConnection | None:
    """Check a Live WebSocket upgrade; accept it and open its connection, or refuse it."""
    match = _PATH.match(head.target.partition("?")[0])
    assert match is not None
    refusal = sim.faults.take_refusal()
    if refusal is not None:
        _refuse(listener, HttpResponse.error(refusal, "The simulator refused this handshake."))
        return None
    key = _api_key(head)
    if isinstance(key, HttpResponse):
        _refuse(listener, key)
        return None
    if key is None or (sim.api_key is not None and key != sim.api_key):
        message = "Incorrect API key provided." if key else "You didn't provide an API key."
        _refuse(listener, HttpResponse.error(401, message, code="invalid_api_key"))
        return None
    live = live_of(sim)
    action, target_id = match.group("action"), match.group("id")
    parent: LiveSession | None = None
    if action is not None:
        parent = live.get(target_id)
        if parent is None and action == "attach":
            parent = _adopt_external(live, target_id)
        if parent is None or parent.ended:
            _refuse(
                listener,
                HttpResponse.error(
                    404, f"Live session '{target_id}' not found.", code="session_not_found"
                ),
            )
            return None
    channel: L.LiveChannel = "sideband" if action == "attach" else "fork" if action else "primary"
    protocol = ServerProtocol(
        max_size=_MAX_MESSAGE_BYTES, logger=RedactingLogger("websockets.server")
    )

    def attach(ws: WebSocketConnection, request: Request) -> LiveConnection:
        if channel == "sideband":
            assert parent is not None
            session = parent
        else:
            session = LiveSession(live, random_id("sess", 24), parent=parent)
        connection = LiveConnection(sim, ws, channel, session)
        session.connections.append(connection)
        _track(sim, connection)
        _log.info("simulator_live_connection_opened", channel=channel, session_id=session.id)
        return connection

    return accept_websocket(listener, protocol, raw, refuse=listener.reply, attach=attach)


def _adopt_external(live: LiveServer, session_id: str) -> LiveSession | None:
    """The simulated side of a session created elsewhere (over REST: a WebRTC offer, an
    accepted SIP call), started when a sideband first attaches; ending it there ends it."""
    external = live.external(session_id) if live.external is not None else None
    if external is None or external.state != "active" or external.config is None:
        return None
    session = LiveSession(live, session_id, parent=None)
    session.adopt(external.config)
    session.recording = external.recording  # one recording, served by GET .../content
    external.attached.append(session)
    return session


def _track(host: Simulator, connection: LiveConnection) -> None:
    """List the connection with the simulator's sessions (stop() closes it, tests find it):
    the bookkeeping the simulator does for the sessions it opens itself."""
    sim: Any = host
    sim.connections.append(connection)
    sim.history.append(connection)
    sim._opened += 1
    sim._by_ordinal[sim._opened] = connection
    if sim._arrivals is not None:
        asyncio.get_running_loop().create_task(sim._notify_arrival())
