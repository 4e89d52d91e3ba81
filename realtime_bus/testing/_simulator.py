"""The simulator: a local Realtime server on loopback, WebSocket and REST on one port."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

from websockets.http11 import Request
from websockets.server import ServerProtocol
from websockets.typing import Subprotocol

from .._address import ServerAddresses
from .._log import get_logger
from .._secrets import RedactingLogger
from ..protocol import RealtimeSession, TranscriptionSession
from ..recording import Recorder
from ._config import default_session, default_transcription_session, expires_at
from ._faults import Faults
from ._handshake import Admission, admit, select_subprotocol
from ._http import HttpResponse, HttpRoutes, RequestHead
from ._listener import Listener, accept_websocket
from ._live_server import is_live_target, upgrade_live
from ._registry import SimulatedCalls, SimulatedClientSecrets
from ._responder import DefaultResponder, Responder
from ._session import SimulatedSession
from ._session_recording import finish_recording, start_recording
from ._translation_session import SimulatedTranslationSession, open_translation_session
from ._wsconn import WebSocketConnection

__all__ = ["MAX_MESSAGE_BYTES", "Simulator"]

_log = get_logger("realtime_bus.testing.simulator")


def _refusal_reason(response: HttpResponse) -> str:
    """The message a refused client reads in the body (the service's error shape)."""
    try:
        return str(json.loads(response.body)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.body.decode("utf-8", "replace")[:200]


MAX_MESSAGE_BYTES = 32 * 1024 * 1024
"""Largest client message read. Appends over the protocol's 15 MiB of audio (about 20 MiB of
JSON) get an ``error`` event; messages over this size close the connection with 1009."""

_T = TypeVar("_T")


class Simulator(ServerAddresses):
    """A protocol-faithful Realtime server on loopback, for offline development and tests.

    >>> async with Simulator() as sim:                       # doctest: +SKIP
    ...     client = AsyncOpenAI(api_key="sk-test", websocket_base_url=sim.ws_base_url)
    ...     async with client.realtime.connect(model="gpt-realtime") as conn: ...

    Parameters: ``api_key`` (only that key is accepted; ``None`` accepts any non-empty key),
    ``responder`` (what the assistant says; :class:`DefaultResponder` when ``None``),
    ``realtime_factor`` (output pacing: 1.0 real time, 0.5 twice as fast, 0 as fast as
    possible, the default here; ``realtime-bus serve`` defaults to 1.0; server VAD's
    ``idle_timeout_ms`` runs on the same clock), ``max_session_seconds`` (sessions close with
    1001 after this long), ``host``,
    ``port`` (0 picks a free port), ``model`` (when the client names none), ``audio_chunk_ms``
    (duration of each output audio delta), ``record`` (keep every event that crosses the wire in
    each session's ``received`` / ``sent``; turn it off for long-running servers),
    ``keep_closed`` (how many closed sessions stay in :attr:`history` for tests to inspect,
    their audio included; older ones are freed; ``None`` keeps them all), ``request_timeout``
    (seconds a connection may take to deliver a whole HTTP request, and may sit idle between
    requests, before it is closed: a slow or silent client cannot hold a connection forever),
    ``record_dir`` (record each session there, one recording per session, in the format of
    ``docs/recording.md``).
    """

    _server_name = "the simulator"

    def __init__(
        self,
        api_key: str | None = None,
        responder: Responder | None = None,
        realtime_factor: float = 0.0,
        max_session_seconds: float = 3600,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        model: str = "gpt-realtime",
        audio_chunk_ms: int = 100,
        record: bool = True,
        keep_closed: int | None = 100,
        request_timeout: float = 10.0,
        record_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if realtime_factor < 0:
            raise ValueError("realtime_factor cannot be negative")
        if max_session_seconds <= 0:
            raise ValueError("max_session_seconds must be positive")
        if keep_closed is not None and keep_closed < 0:
            raise ValueError("keep_closed cannot be negative")
        if request_timeout <= 0:
            raise ValueError("request_timeout must be positive")
        self._api_key = api_key
        self.responder: Responder = responder if responder is not None else DefaultResponder()
        """What new sessions' assistants say (each session may get its own)."""
        self.realtime_factor = realtime_factor
        """Output pacing: 1.0 real time, 0 as fast as possible. Settable at any time."""
        self.max_session_seconds = max_session_seconds
        self.host = host
        self._requested_port = port
        self.model = model
        self.audio_chunk_ms = audio_chunk_ms
        self.record = record
        """Whether sessions keep every event in ``received`` / ``sent`` (for tests)."""
        self.connections: list[SimulatedSession] = []
        """The live sessions, oldest first."""
        self.history: list[SimulatedSession] = []
        """The sessions this simulator has had, oldest first: the live ones and the last
        ``keep_closed`` closed ones."""
        self.translations: list[SimulatedTranslationSession] = []
        """The live translation sessions (``/v1/realtime/translations``), oldest first."""
        self.keep_closed = keep_closed
        self.record_dir = record_dir
        """Where each session is recorded (``SESSION_ID.jsonl``), if anywhere."""
        self._recorders: dict[str, tuple[Recorder, WebSocketConnection]] = {}
        self.request_timeout = request_timeout
        """Seconds an HTTP connection may take to deliver a request, or sit idle."""
        self._opened = 0
        self._by_ordinal: dict[int, SimulatedSession] = {}
        self.faults = Faults(self)
        """Fault injection switches (see :class:`Faults`)."""
        self.http_routes = HttpRoutes()
        """The HTTP endpoints served next to the WebSocket (the REST side registers here)."""
        self.client_secrets = SimulatedClientSecrets()
        """Ephemeral keys issued by this simulator; accepted at the WebSocket handshake."""
        self.calls = SimulatedCalls()
        """Simulated calls; a WebSocket opened with ``?call_id=`` attaches to one."""
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._arrivals: asyncio.Condition | None = None
        self._portal: Any = None

    # -- addresses -------------------------------------------------------------------------

    @property
    def http_url(self) -> str:
        """``http://HOST:PORT/v1``: the ``base_url`` of a REST client."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def api_key(self) -> str | None:
        """The only key accepted, or ``None`` (any non-empty key). Never shown in a repr."""
        return self._api_key

    # -- running ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on ``host:port``; register the REST endpoints when they are available."""
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        self._loop = asyncio.get_running_loop()
        self._arrivals = asyncio.Condition()
        self._register_rest()
        self._server = await self._loop.create_server(
            lambda: Listener(self), self.host, self._requested_port
        )
        self._port = self._server.sockets[0].getsockname()[1]
        _log.info("simulator_started", url=self.url)

    async def stop(self) -> None:
        """Close every session (1001, going away) and stop listening."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for session in list(self.connections):
            session.close(1001, "The server is shutting down.")
        pending = [s.wait_closed() for s in list(self.connections)]
        if pending:
            done = await asyncio.wait([asyncio.ensure_future(p) for p in pending], timeout=2.0)
            for task in done[1]:
                task.cancel()
        for session in list(self.connections):
            session.abort()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2.0)
        _log.info("simulator_stopped")

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @contextlib.contextmanager
    def run_in_thread(self) -> Iterator[Simulator]:
        """Run the simulator on an event loop in a background thread, for synchronous code.

        >>> with Simulator().run_in_thread() as sim:     # doctest: +SKIP
        ...     url = sim.url

        Use :meth:`call` to act on it (faults, sessions) from the calling thread.
        """
        from anyio.from_thread import start_blocking_portal

        with start_blocking_portal() as portal:
            portal.call(self.start)
            self._portal = portal
            try:
                yield self
            finally:
                self._portal = None
                portal.call(self.stop)

    def call(self, func: Callable[..., _T], *args: Any) -> _T:
        """Run ``func(*args)`` on the simulator's loop and return its result (thread-safe).

        From the simulator's own thread it simply calls ``func``. Coroutine functions are
        awaited.
        """
        if self._portal is None:
            return func(*args)
        result: _T = self._portal.call(func, *args)
        return result

    # -- sessions --------------------------------------------------------------------------

    async def wait_for_connection(
        self, count: int = 1, *, timeout: float = 5.0
    ) -> SimulatedSession:
        """Wait until at least ``count`` sessions have opened; return the ``count``-th.

        Raises :class:`LookupError` when that session has closed and been freed (see
        ``keep_closed``).
        """
        assert self._arrivals is not None, "the simulator is not running"
        async with self._arrivals:
            await asyncio.wait_for(self._arrivals.wait_for(lambda: self._opened >= count), timeout)
        try:
            return self._by_ordinal[count]
        except KeyError:
            raise LookupError(
                f"session {count} has closed and was freed (keep_closed={self.keep_closed})"
            ) from None

    def _session_closed(self, session: SimulatedSession) -> None:
        recording = self._recorders.pop(session.id, None)
        if recording is not None:
            finish_recording(*recording)
        if session in self.connections:
            self.connections.remove(session)
        if session.call_id is not None:
            call = self.calls.get(session.call_id)
            if call is not None and session in call.sessions:
                call.sessions.remove(session)
        self._forget_closed()
        _log.info("simulator_session_closed", session_id=session.id, code=session.close_code)

    def _forget_closed(self) -> None:
        """Free the oldest closed sessions beyond ``keep_closed``."""
        if self.keep_closed is None:
            return
        live = {id(s) for s in self.connections}
        closed = [s for s in self.history if id(s) not in live]
        excess = len(closed) - self.keep_closed
        if excess <= 0:
            return
        freed = {id(s) for s in closed[:excess]}
        self.history = [s for s in self.history if id(s) not in freed]
        self._by_ordinal = {n: s for n, s in self._by_ordinal.items() if id(s) not in freed}

    def _refuse(self, listener: Listener, head: RequestHead, response: HttpResponse) -> None:
        """Answer a refused upgrade, and log it with the reason the client is given."""
        _log.info(
            "simulator_handshake_refused",
            status=response.status,
            reason=_refusal_reason(response),
            path=urlsplit(head.target).path,
        )
        listener.reply(response)

    def upgrade(
        self, listener: Listener, head: RequestHead, raw: bytes
    ) -> WebSocketConnection | None:
        """Check a WebSocket upgrade; accept it and start a session, or refuse it."""
        if is_live_target(head.target):
            return upgrade_live(self, listener, head, raw)
        refusal = self.faults.take_refusal()
        if refusal is not None:
            self._refuse(
                listener,
                head,
                HttpResponse.error(refusal, "The simulator refused this handshake (fault)."),
            )
            return None
        admission = admit(
            head,
            api_key=self._api_key,
            secrets=self.client_secrets,
            calls=self.calls,
            default_model=self.model,
        )
        if isinstance(admission, HttpResponse):
            self._refuse(listener, head, admission)
            return None
        protocol = ServerProtocol(
            logger=RedactingLogger("websockets.server"),
            subprotocols=[Subprotocol("realtime")],
            select_subprotocol=_select_subprotocol,
            max_size=MAX_MESSAGE_BYTES,
        )
        return accept_websocket(
            listener,
            protocol,
            raw,
            refuse=lambda response: self._refuse(listener, head, response),
            attach=lambda ws, request: self._attach(ws, request, admission),
        )

    def _attach(
        self, ws: WebSocketConnection, request: Request, admission: Admission
    ) -> SimulatedSession | SimulatedTranslationSession:
        """Start the session an accepted upgrade asked for (and its recording, if any)."""
        if admission.kind == "translation":
            return open_translation_session(
                self,
                ws,
                path=admission.path,
                query=admission.query,
                model=admission.model,
                secret=admission.translation_secret,
                max_session_seconds=self.max_session_seconds,
            )
        recorder = None
        if self.record_dir is not None:
            recorder = start_recording(
                self.record_dir,
                ws,
                request,
                base_url=f"ws://{self.host}:{self.port}",
                session_id=session_id_for(ws),
                secrets=[
                    s for s in (self._api_key, admission.secret and admission.secret.value) if s
                ],
            )
        session = self._open_session(ws, admission)
        if recorder is not None:
            self._recorders[session.id] = (recorder, ws)
        return session

    def _open_session(self, ws: WebSocketConnection, admission: Admission) -> SimulatedSession:
        ids_session = session_id_for(ws)
        expiry = expires_at(self.max_session_seconds)
        base: RealtimeSession | TranscriptionSession | None = None
        if admission.secret is not None:
            base = admission.secret.session
        elif admission.call is not None and admission.call.session is not None:
            base = admission.call.session
        config: RealtimeSession | TranscriptionSession
        if (
            isinstance(base, TranscriptionSession)
            or admission.query.get("intent") == "transcription"
        ):
            config = default_transcription_session(
                session_id=ids_session,
                expires_at=expiry,
                base=base if isinstance(base, TranscriptionSession) else None,
            )
        else:
            model = base.model if base is not None and isinstance(base.model, str) else None
            config = default_session(
                session_id=ids_session,
                model=model or admission.model,
                expires_at=expiry,
                base=base,
            )
        session = SimulatedSession(
            self,
            ws,
            config=config,
            path=admission.path,
            query=admission.query,
            call_id=admission.call.call_id if admission.call is not None else None,
            client_secret=admission.secret.value if admission.secret is not None else None,
        )
        if admission.call is not None:
            admission.call.sessions.append(session)
        self.connections.append(session)
        self.history.append(session)
        self._opened += 1
        self._by_ordinal[self._opened] = session
        self.faults.apply_to(session)
        session.start()
        _log.info("simulator_session_opened", session_id=session.id, model=admission.model)
        if self._arrivals is not None:
            asyncio.get_running_loop().create_task(self._notify_arrival())
        return session

    async def _notify_arrival(self) -> None:
        assert self._arrivals is not None
        async with self._arrivals:
            self._arrivals.notify_all()

    def _register_rest(self) -> None:
        try:
            module = importlib.import_module(f"{__package__}._rest")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}._rest":
                raise
            return
        register: Callable[[Simulator], None] = module.register_rest_routes
        register(self)

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "not running"
        return f"<Simulator {where} sessions={len(self.connections)}>"


def _select_subprotocol(
    _protocol: ServerProtocol, offered: Sequence[Subprotocol]
) -> Subprotocol | None:
    chosen = select_subprotocol(offered)
    return None if chosen is None else Subprotocol(chosen)


def session_id_for(ws: WebSocketConnection) -> str:
    """The id of the session on ``ws`` (derived from the connection's id)."""
    return f"sess_{ws.protocol.id.hex[:21]}"
