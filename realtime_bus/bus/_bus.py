"""The bus: one connection, its handlers, its outbound queue, and its lifecycle.

:class:`Bus` speaks Realtime (or any dialect it is given); :class:`LiveBus` is the same bus
with GPT-Live's dialect and the few things Live adds. Both live here so that ``Bus.live(...)``
can return a ``LiveBus`` while ``LiveBus`` is built on ``Bus``, with no import circle.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, TypeVar, overload

import msgspec
from msgspec import UNSET, UnsetType

from .._log import get_logger
from ..protocol import ClientEvent, Dialect, Session, SessionUpdate
from ..protocol import live as L
from ..recording import Recorder, RecordTarget
from ..transport import (
    ConfigurationError,
    ConnectOptions,
    Connector,
    Endpoint,
    TokenProvider,
    Transport,
    azure_endpoint,
    endpoint_for_url,
    open_websocket,
    openai_endpoint,
)
from ..transport._endpoint import azure_headers, openai_base_and_headers
from ._backoff import ReconnectPolicy
from ._connection import Connection, ConnectionSettings
from ._dialect import DialectSpec, RealtimeHelpers, dialect_for
from ._dispatcher import BusStats, Dispatcher, ErrorReport
from ._errors import BusClosed
from ._handlers import HandlerMethods
from ._lifecycle import Closed, DerivedEvent
from ._live_config import (
    ENDS_THE_BUS,
    SETTINGS,
    LiveSessionClosed,
    azure_live_endpoint,
    live_endpoint,
    live_session_config,
    session_suffix,
)
from ._live_dialect import LIVE_ACKS  # noqa: F401 - importing it registers the Live dialects
from ._live_resources import (
    LiveDecisionResource,
    LiveHelpers,
    LiveResponseResource,
    LiveSessionResource,
    SidebandTransportResource,
)
from ._matching import EventKey, key_of
from ._outbound import OutboundQueue
from ._replay import SessionMemory
from ._router import Router
from ._sending import Outbox
from ._standby import StandbyConnection
from ._state import BusState, Lifecycle
from ._tap import FrameTap
from ._waiters import IN_DISPATCHER, Expectation, OverflowPolicy, Stream, WaiterSet

__all__ = ["Bus", "LiveBus"]

E = TypeVar("E")

_bus_ids = itertools.count(1)


async def _first_of(timeout: float | None, *waits: Coroutine[Any, Any, object]) -> bool:
    """Wait until one of ``waits`` is done (the others are then cancelled), for ``timeout``
    seconds at most; returns whether one was."""
    tasks = [asyncio.create_task(wait) for wait in waits]
    try:
        done, _ = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
    return bool(done)


class Bus(HandlerMethods):
    """An event bus over one Realtime WebSocket connection.

    ::

        bus = Bus.openai(model="gpt-realtime")

        @bus.on(ResponseDone)
        async def done(event: ResponseDone) -> None:
            print(event.response.status)

        async with bus:
            await bus.session.update(instructions="Be brief.")
            await bus.response.create()
            await bus.wait_for("response.done", timeout=30)

    The writer holds client events until the server's ``session.created`` has arrived (some
    deployments ignore a ``session.update`` sent earlier); ``wait_for_session=False`` is for
    compatible servers that never send one.

    One reader task and one writer task own the socket. Handlers run in the dispatcher task,
    one event at a time in arrival order (see :meth:`on`); plain handlers of an event that
    arrives while nothing else waits may run in the reader itself (they would block the loop
    in any task). Sending goes through a bounded outbound queue that survives reconnects (see
    :meth:`send`).

    The parts are composed, not inherited: a :class:`Connection` supervisor (reader, writer,
    reconnects) built over a connector that opens transports, a dispatcher with its router and
    waiters, the outbound queue, and one lifecycle state machine (:attr:`state`). What is
    protocol-specific is the dialect (``protocol=``, a name or a :class:`DialectSpec`).

    The first connect fails fast: an unreachable server raises :class:`ConnectFailed` (a
    :class:`ConnectionLost`), a refused handshake :class:`HandshakeRefused`, a server that
    accepts and says nothing :class:`SessionTimeout` after ``session_timeout`` seconds.
    Reconnects apply once a session was established; ``retry_first_connect=True`` retries the
    first connect too (for deployments that start before their server).

    Use it as ``async with bus:`` or run it as a long-running task with :meth:`run`. A bus is
    bound to the event loop it runs on and is not thread-safe; from other threads use
    :class:`realtime_bus.SyncBus`.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        api_key: str | None = None,
        query: Mapping[str, str] | None = None,
        endpoint: Endpoint | None = None,
        protocol: Dialect | DialectSpec = "ga",
        session: Session | None = None,
        reconnect: ReconnectPolicy | bool = True,
        retry_first_connect: bool = False,
        options: ConnectOptions | None = None,
        outbound_maxsize: int = 1024,
        inbound_maxsize: int = 100_000,
        inbound_max_bytes: int = 64 * 1024 * 1024,
        coalesce_audio: bool = True,
        slow_handler_seconds: float = 0.25,
        flush_timeout: float = 5.0,
        session_timeout: float | None = 15.0,
        session_expiry_warning: float = 60.0,
        wait_for_session: bool = True,
        connector: Connector | None = None,
        name: str | None = None,
        record: RecordTarget | FrameTap | None = None,
        record_audio: bool = True,
    ) -> None:
        """See the class docstring; the bounds:

        ``inbound_maxsize`` events or ``inbound_max_bytes`` bytes of frames (64 MiB) waiting for
        handlers pause reading until they are down to half (``bus.reading_paused``);
        ``session_timeout`` seconds (15) without ``session.created`` after connecting fail the
        attempt with :class:`SessionTimeout`; ``flush_timeout`` bounds the flush on close.
        ``connector`` replaces how connections are opened (an in-memory transport, or a
        :class:`realtime_bus.recording.Replayer` that plays a recording with no network).
        ``record="session.jsonl"`` (a path or an open file) records every frame and lifecycle
        change in the JSON Lines format of ``docs/recording.md``, without credentials;
        ``record_audio=False`` keeps only the size and duration of audio.
        """
        if endpoint is None:
            if url is not None:
                endpoint = endpoint_for_url(url, headers=headers, api_key=api_key, query=query)
            elif connector is not None:
                endpoint = Endpoint(url="memory:")
            else:
                raise TypeError("give a url (or use Bus.openai(...) / Bus.azure(...))")
        elif url is not None:
            raise TypeError("give either url or endpoint, not both")
        if inbound_maxsize < 2 or inbound_max_bytes < 2:
            raise ConfigurationError("inbound_maxsize and inbound_max_bytes must be at least 2")
        self.dialect = dialect_for(protocol)
        tap: FrameTap | None = None
        self.recorder: Recorder | None = None
        """The recorder writing this bus's recording, if ``record`` named a file."""
        if isinstance(record, Recorder) or record is None:
            self.recorder = record
        elif isinstance(record, (str, os.PathLike)) or hasattr(record, "write"):
            self.recorder, endpoint = Recorder.for_endpoint(
                record,  # type: ignore[arg-type]
                endpoint,
                dialect=self.dialect.name,
                audio=record_audio,
                options=options,
            )
        else:
            tap = record  # any FrameTap
        if self.recorder is not None:
            tap = self.recorder
        self.endpoint = endpoint
        self.connector: Connector = connector or open_websocket
        """Opens each connection (a replay transport plays a recording instead)."""
        self.protocol: Dialect = protocol if isinstance(protocol, str) else "ga"
        self.options = options or ConnectOptions()
        if isinstance(reconnect, bool):
            reconnect = ReconnectPolicy(enabled=reconnect)
        self.flush_timeout = flush_timeout
        self.name = name or f"bus-{next(_bus_ids)}"
        self.stats = BusStats()

        self._log = get_logger("realtime_bus.bus", bus=self.name, url=endpoint.safe_url)
        self._life = Lifecycle()
        self._router = Router()
        self._waiters = WaiterSet()
        self._dispatcher = Dispatcher(
            self._router,
            self._waiters,
            slow_threshold=slow_handler_seconds,
            log=self._log,
            stats=self.stats,
        )
        self._outbound = OutboundQueue(outbound_maxsize, coalesce=coalesce_audio)
        self._outbox = Outbox(self._outbound, self._waiters, self.dialect, self._life, self.name)
        self._memory = SessionMemory(self.dialect)
        if session is not None:
            self._memory.config = msgspec.to_builtins(session)
            if self.dialect.replay is not None:  # client-first dialects start with it anyway
                self._outbound.set_replay(self._prepare(SessionUpdate(session=session)))
        options = self.options
        if options.max_queue == "auto":
            options = replace(options, max_queue=options.queue_frames(inbound_max_bytes))
        self._connect_options = options
        self._connection = Connection(
            self._open,
            self.dialect,
            ConnectionSettings(
                name=self.name,
                reconnect=reconnect,
                retry_first_connect=retry_first_connect,
                wait_for_session=wait_for_session,
                session_timeout=session_timeout,
                flush_timeout=flush_timeout,
                close_timeout=self.options.close_timeout,
                session_expiry_warning=session_expiry_warning,
                inbound_maxsize=inbound_maxsize,
                inbound_max_bytes=inbound_max_bytes,
            ),
            lifecycle=self._life,
            dispatcher=self._dispatcher,
            waiters=self._waiters,
            outbound=self._outbound,
            memory=self._memory,
            prepare=self._prepare,
            stats=self.stats,
            log=self._log,
            tap=tap,
        )
        self._run_task: asyncio.Task[None] | None = None

        self.helpers: Any = self.dialect.helpers(self)
        """The dialect's typed helper namespace (for Realtime, the namespaces below)."""
        realtime = (
            self.helpers if isinstance(self.helpers, RealtimeHelpers) else RealtimeHelpers(self)
        )
        self.session = realtime.session
        self.response = realtime.response
        self.input_audio_buffer = realtime.input_audio_buffer
        self.conversation = realtime.conversation
        self.output_audio_buffer = realtime.output_audio_buffer

    async def _open(self) -> Transport:
        return await self.connector(self.endpoint, self._connect_options)

    @property
    def reconnect_policy(self) -> ReconnectPolicy:
        """When the bus reconnects (given as ``reconnect=``)."""
        return self._connection.settings.reconnect

    @property
    def state(self) -> BusState:
        """Where the bus is in its life (see :class:`BusState`)."""
        return self._life.state

    @property
    def session_id(self) -> str | None:
        """The current session's id, once the server has started it."""
        return self._connection.session_id

    @property
    def expires_at(self) -> int | None:
        """When the service will end the current session (Unix seconds), if it said."""
        return self._connection.expires_at

    # -- constructors -----------------------------------------------------------------------

    @classmethod
    def openai(
        cls,
        model: str | None = "gpt-realtime",
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        websocket_base_url: str | None = None,
        call_id: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        extra_query: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Bus:
        """A bus to the OpenAI Realtime API (``api_key`` defaults to ``OPENAI_API_KEY``).

        A missing key raises :class:`MissingCredentials` here, before any socket opens.
        ``call_id`` attaches to a SIP or WebRTC call (the model is then the call's).
        """
        endpoint = openai_endpoint(
            model=None if call_id is not None and model == "gpt-realtime" else model,
            api_key=api_key,
            base_url=base_url,
            websocket_base_url=websocket_base_url,
            call_id=call_id,
            organization=organization,
            project=project,
            extra_query=extra_query,
            extra_headers=extra_headers,
            beta=kwargs.get("protocol") == "beta",
        )
        return cls(endpoint=endpoint, **kwargs)

    @classmethod
    def azure(
        cls,
        *,
        endpoint: str,
        deployment: str,
        api_version: str | None = None,
        api_key: str | None = None,
        token_provider: TokenProvider | None = None,
        extra_query: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Bus:
        """A bus to an Azure OpenAI realtime deployment (see :func:`azure_endpoint`)."""
        resolved = azure_endpoint(
            endpoint=endpoint,
            deployment=deployment,
            api_version=api_version,
            api_key=api_key,
            token_provider=token_provider,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )
        return cls(endpoint=resolved, **kwargs)

    @staticmethod
    def live(model: str | None = "gpt-live-1", **kwargs: Any) -> LiveBus:
        """A :class:`LiveBus` to OpenAI's GPT-Live (``/v1/live/sessions``): see
        :meth:`LiveBus.openai`."""
        return LiveBus.openai(model, **kwargs)

    @staticmethod
    def azure_live(*, endpoint: str, **kwargs: Any) -> LiveBus:
        """A :class:`LiveBus` to GPT-Live on an Azure OpenAI resource: see :meth:`LiveBus.azure`."""
        return LiveBus.azure(endpoint=endpoint, **kwargs)

    @staticmethod
    def live_sideband(session_id: str, **kwargs: Any) -> LiveBus:
        """A :class:`LiveBus` attached to a running Live session: see :meth:`LiveBus.sideband`."""
        return LiveBus.sideband(session_id, **kwargs)

    @staticmethod
    def live_fork(session_id: str, **kwargs: Any) -> LiveBus:
        """A :class:`LiveBus` on a fork of a stored Live session: see :meth:`LiveBus.fork`."""
        return LiveBus.fork(session_id, **kwargs)

    def __repr__(self) -> str:
        return f"Bus(name={self.name!r}, url={self.endpoint.safe_url!r}, state={self.state.name})"

    # -- handlers -----------------------------------------------------------------------------

    def off(self, fn: Callable[[Any], Any], event: EventKey | None = None) -> bool:
        """Unregister ``fn`` (from ``event`` only, if given). Returns whether it was found."""
        return self._router.remove(fn, None if event is None else key_of(event)) > 0

    # -- hand-over to a standby connection (for session rotation) ----------------------------

    @property
    def session_config(self) -> dict[str, Any]:
        """The session configuration this bus has sent so far, merged (a copy).

        It is what the bus sends again after a reconnect.
        """
        config: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(self._memory.config))
        return config

    async def open_standby(self, *, timeout: float = 30.0) -> StandbyConnection:
        """Open a second connection to the same endpoint while the current one serves.

        Returns once its session has started (``session.created``). Its events do not reach
        this bus's handlers; prepare its session through it, then :meth:`hand_over` to it (or
        close it).
        """
        return await self._connection.open_standby(timeout)

    async def hand_over(
        self,
        standby: StandbyConnection,
        *,
        prepare: Callable[[], Awaitable[bool]] | None = None,
        settle: float = 0.25,
        timeout: float = 10.0,
    ) -> bool:
        """Switch this bus to ``standby``'s connection and close the current one with 1000.

        First the writer pauses (after the frame it is writing; events sent meanwhile wait in
        the queue, in order) and the current session gets ``settle`` seconds in which nothing
        arrives, so its answers to what it was sent reach the handlers. Then ``prepare`` runs,
        if given: the last chance to bring the standby session up to date; returning False
        cancels the switch (the writer resumes, nothing changed). Then the bus serves the
        standby connection: queued events go to the new session, in order; handlers see a
        ``bus.rotated`` event, then the new session's events. Returns whether it switched;
        ``timeout`` bounds it. Switch when it is quiet (no response in progress, the user not
        speaking): what the old session sends after the switch is not delivered.
        """
        return await self._connection.hand_over(standby, timeout, prepare, settle)

    def publish(self, event: DerivedEvent) -> None:
        """Deliver a derived event to handlers, waiters and streams, as received events are.

        For layers above the bus (the agent layer publishes ``agent.*`` events this way).
        Published from a handler, ``event`` is dispatched right after the event being handled,
        before events received since; published elsewhere, after what is already buffered.
        A waiter armed inside a handler is fed at once.
        """
        if not isinstance(event, DerivedEvent):
            raise TypeError(f"expected a DerivedEvent, got {type(event).__name__}")
        self._dispatcher.publish(event)

    def on_error(self, fn: Callable[[ErrorReport], Any]) -> Callable[[ErrorReport], Any]:
        """Register a handler for errors the bus survives: a handler that raised, a frame that
        could not be decoded, an unknown event type. It receives an :class:`ErrorReport` with
        the event or the raw frame attached. Everything is also logged."""
        self._dispatcher.error_handlers.append(fn)
        return fn

    # -- waiting --------------------------------------------------------------------------------

    @overload
    def expect(
        self, event: type[E], /, *, check: Callable[[E], bool] | None = ...
    ) -> Expectation[E]: ...

    @overload
    def expect(
        self, event: EventKey, /, *more: EventKey, check: Callable[[Any], bool] | None = ...
    ) -> Expectation[Any]: ...

    def expect(
        self, event: EventKey, /, *more: EventKey, check: Callable[[Any], bool] | None = None
    ) -> Expectation[Any]:
        """Arm a wait for the next matching event now; await it later.

        The form that cannot miss an event that arrives between a send and the wait::

            done = bus.expect(ResponseDone)
            await bus.response.create()
            event = await done.wait(timeout=30)
        """
        self._check_usable()
        keys = (key_of(event), *(key_of(k) for k in more))
        exp: Expectation[Any] = Expectation(
            keys, check, early=IN_DISPATCHER.get(), on_done=self._waiters.remove
        )
        self._waiters.add(exp)
        return exp

    @overload
    async def wait_for(
        self,
        event: type[E],
        /,
        *,
        check: Callable[[E], bool] | None = ...,
        timeout: float | None = ...,
    ) -> E: ...

    @overload
    async def wait_for(
        self,
        event: EventKey,
        /,
        *more: EventKey,
        check: Callable[[Any], bool] | None = ...,
        timeout: float | None = ...,
    ) -> Any: ...

    async def wait_for(
        self,
        event: EventKey,
        /,
        *more: EventKey,
        check: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The next matching event, received after this call.

        Raises ``TimeoutError`` after ``timeout`` seconds and :class:`BusClosed` if the bus
        closes first. To wait for the answer to something you send, arm the wait first with
        :meth:`expect` (or use :meth:`request`), so a fast answer cannot be missed.
        """
        return await self.expect(event, *more, check=check).wait(timeout)

    @asynccontextmanager
    async def stream(
        self,
        event: EventKey,
        /,
        *more: EventKey,
        check: Callable[[Any], bool] | None = None,
        maxsize: int = 256,
        overflow: OverflowPolicy = "wait",
    ) -> AsyncIterator[Stream[Any]]:
        """Iterate over matching events::

            async with bus.stream("response.output_text.delta") as deltas:
                async for delta in deltas:
                    ...

        The buffer holds ``maxsize`` events; ``overflow`` says what happens when the reader
        falls behind (see :class:`Stream`). Iteration ends when the bus closes.
        """
        self._check_usable()
        keys = (key_of(event), *(key_of(k) for k in more))
        stream: Stream[Any] = Stream(
            keys, check, maxsize=maxsize, overflow=overflow, early=IN_DISPATCHER.get()
        )
        self._dispatcher.streams.append(stream)
        try:
            yield stream
        finally:
            stream.end()
            if stream in self._dispatcher.streams:
                self._dispatcher.streams.remove(stream)

    # -- sending ----------------------------------------------------------------------------

    def _prepare(self, event: ClientEvent) -> ClientEvent:
        return self._outbox.prepare(event)

    def _check_usable(self) -> None:
        self._outbox.check_usable()

    async def send(self, event: ClientEvent) -> ClientEvent:
        """Queue ``event`` for sending; waits while the outbound queue is full.

        Returns the event, with the ``event_id`` the bus gave it if it had none. Events are
        written in order once the server's ``session.created`` has arrived. If the connection
        drops, events not yet written stay queued and go out, in order and once, after the
        reconnect; events already written are not sent again.
        """
        return await self._outbox.send(event)

    def send_nowait(self, event: ClientEvent) -> ClientEvent:
        """Queue ``event`` without waiting; raises :class:`QueueFull` when the queue is full."""
        return self._outbox.send_nowait(event)

    async def request(self, event: ClientEvent, *, timeout: float | None = 30.0) -> Any:
        """Send ``event`` and return the server event that acknowledges it.

        ``session.update`` -> ``session.updated``, ``conversation.item.create`` ->
        ``conversation.item.added``, ``input_audio_buffer.commit`` -> ``.committed``,
        ``response.create`` -> ``response.created``, ``response.cancel`` -> the cancelled
        ``response.done``, and so on (the dialect's acknowledgement table). Raises
        :class:`ServerError` when the server answers with an ``error`` naming this event,
        :class:`ConnectionLost` if the connection drops first, ``TimeoutError`` after
        ``timeout`` seconds.
        """
        return await self._outbox.request(event, timeout)

    # -- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> Bus:
        if self._run_task is not None or self._life.started:
            raise RuntimeError("a bus can be entered only once")
        self._run_task = asyncio.create_task(self.run(), name=f"{self.name}-run")
        opened = asyncio.create_task(self._life.opened.wait())
        try:
            await asyncio.wait({opened, self._run_task}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            # Cancelled (Ctrl-C) while connecting: stop the attempt at once.
            self._life.request_stop()
            raise
        finally:
            opened.cancel()
        if self._run_task.done():
            self._run_task.result()  # raises what stopped it
            raise BusClosed(f"{self.name} closed while connecting")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
        task, self._run_task = self._run_task, None
        if task is not None:
            try:
                await task
            except Exception:
                if exc_info[0] is None:
                    raise

    async def close(self) -> None:
        """Close cleanly: flush the outbound queue (up to ``flush_timeout`` seconds), close the
        socket with code 1000, dispatch what was already received, and stop every task. Never
        reconnects. Returns within a bounded time even if the server ignores the close, and at
        once while a connection attempt is still under way (the attempt is abandoned).

        Called from a handler (or a task a handler started), it starts the close and returns
        at once: the close waits for the dispatcher, which is busy running that very handler.
        """
        life = self._life
        if not life.started:
            life.to(BusState.CLOSED)
            self._outbound.close()
            if self._connection.tap is not None:
                self._connection.tap.close()
            return
        life.request_stop()
        if not IN_DISPATCHER.get():
            await life.finished.wait()

    async def run(self) -> None:
        """Connect and serve until :meth:`close`; for apps that keep the bus as a task::

            async with asyncio.TaskGroup() as tg:
                tg.create_task(bus.run())

        Raises what ended it for good: a failed first connect (:class:`ConnectFailed`,
        :class:`HandshakeRefused`, :class:`SessionTimeout`), a lost connection with reconnects
        off (:class:`ConnectionLost`), or :class:`ReconnectFailed`.
        """
        if self._life.started:
            raise RuntimeError("a bus runs only once")
        self._life.to(BusState.CONNECTING)
        dispatcher = asyncio.create_task(self._dispatcher.run(), name=f"{self.name}-dispatch")
        try:
            await self._connection.run()
        except BaseException as exc:
            self._life.failure = exc
            raise
        finally:
            await self._shutdown(dispatcher)

    async def _shutdown(self, dispatcher: asyncio.Task[None]) -> None:
        self._life.to(BusState.CLOSING)
        left = self._outbound.close()
        if left:
            self.stats.dropped_on_close += len(left)
            self._log.warning("closed with unsent events", dropped=len(left))
        failure = self._life.failure
        self._connection.announce(
            Closed(
                code=1000 if failure is None else None,
                reason="closed" if failure is None else type(failure).__name__,
                error=None if failure is None else str(failure),
            )
        )
        self._dispatcher.stop()
        try:
            await asyncio.wait_for(asyncio.shield(dispatcher), self.flush_timeout)
        except TimeoutError:
            dispatcher.cancel()
        except BaseException:
            dispatcher.cancel()
            raise
        finally:
            await self._dispatcher.cancel_tasks(self.flush_timeout)
            if not dispatcher.done():
                dispatcher.cancel()
                await asyncio.gather(dispatcher, return_exceptions=True)
            closed = BusClosed(f"{self.name} is closed")
            self._waiters.fail_all(closed)
            for stream in tuple(self._dispatcher.streams):
                stream.end(closed)
            tap = self._connection.tap
            if tap is not None:
                tap.close()
            self._life.to(BusState.CLOSED)
            self._log.info("closed", error=None if failure is None else repr(failure))

    async def wait_open(self, timeout: float | None = None) -> None:
        """Wait until the first session is established (for buses started with :meth:`run`).

        Raises what stopped the bus if it fails first, ``TimeoutError`` after ``timeout``.
        """
        life = self._life
        done = await _first_of(timeout, life.opened.wait(), life.finished.wait())
        if life.opened.is_set():
            return
        if life.failure is not None:
            raise life.failure
        if not done:
            raise TimeoutError(f"{self.name} did not open within {timeout} s")
        raise BusClosed(f"{self.name} closed before it opened")

    async def wait_idle(self, timeout: float | None = 10.0) -> None:
        """Wait until every event received so far has been dispatched to its handlers.

        For tests and replays: after the last frame arrived, ``await bus.wait_idle()`` returns
        once the handlers have seen it. Returns at once when the bus has finished (nothing more
        will be dispatched). Raises ``TimeoutError`` after ``timeout`` seconds, and
        ``RuntimeError`` when called from a handler (the dispatcher would wait for itself).
        """
        if IN_DISPATCHER.get():
            raise RuntimeError("wait_idle() cannot be awaited from a handler")
        if self._life.finished.is_set():
            return
        if not await _first_of(timeout, self._dispatcher.wait_idle(), self._life.finished.wait()):
            raise TimeoutError(f"{self.name} was not idle within {timeout} s")

    # -- helpers for lifecycle handlers -------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Whether a session is established right now."""
        return self.state is BusState.OPEN

    @property
    def failure(self) -> BaseException | None:
        """What closed the bus, if it closed because of a failure."""
        return self._life.failure


class LiveBus(Bus):
    """A :class:`~realtime_bus.Bus` over a GPT-Live connection (see the module docstring).

    ``bus.session``, ``bus.decision`` and ``bus.response`` are the Live helpers (and
    ``bus.transport`` on a sideband); everything else is the bus's.
    """

    session: LiveSessionResource  # type: ignore[assignment]
    response: LiveResponseResource  # type: ignore[assignment]
    decision: LiveDecisionResource
    transport: SidebandTransportResource | None

    def __init__(
        self,
        *,
        endpoint: Endpoint,
        config: L.SessionConfig | L.ForkSessionConfig | None = None,
        channel: L.LiveChannel = "primary",
        attached_to: str | None = None,
        **kwargs: Any,
    ) -> None:
        """``config``: what ``session.start`` carries (a fork's overrides for a fork);
        ``channel``: ``primary``, ``sideband`` or ``fork``; ``attached_to``: the session a
        sideband or fork connects to. Other arguments are :class:`~realtime_bus.Bus`'s."""
        name = {"primary": "live", "fork": "live_fork", "sideband": "live_sideband"}[channel]
        if channel == "sideband":
            kwargs.setdefault("wait_for_session", False)
        super().__init__(endpoint=endpoint, protocol=dialect_for(name), **kwargs)
        self.channel: L.LiveChannel = channel
        self.attached_to = attached_to
        """The session a sideband observes, or the one a fork was made from."""
        if config is not None:
            self._memory.config = msgspec.to_builtins(config)
        helpers: LiveHelpers = self.helpers
        self.session = helpers.session
        self.response = helpers.response
        self.decision = helpers.decision
        self.transport = getattr(helpers, "transport", None)
        self.usage: L.SessionUsage | None = None
        """The session's usage, from the latest ``session.usage.updated``."""
        self.context_usage_ratio: float | None = None
        """How full the model's context is (0 to 1), from the latest usage update."""
        self.close_reason: L.CloseReason | None = None
        """Why the last session closed, once one has."""
        self.on(L.SessionUsageUpdated)(self._note_usage)
        self.on(L.SessionClosed)(self._note_closed)

    @property
    def session_id(self) -> str | None:
        """The current session's id (a sideband's is the session it attached to)."""
        if self.channel == "sideband":
            return self.attached_to
        return super().session_id

    def _note_usage(self, event: L.SessionUsageUpdated) -> None:
        self.usage = event.usage
        if isinstance(event.context_window, L.ContextWindow):
            self.context_usage_ratio = event.context_window.usage_ratio

    async def _note_closed(self, event: L.SessionClosed) -> None:
        self.close_reason = event.reason
        self.usage = event.usage
        ends = event.reason in ENDS_THE_BUS or self.channel == "sideband"
        will_reconnect = not ends and self.reconnect_policy.enabled
        self._connection.announce(
            LiveSessionClosed(
                session_id=event.session.id,
                reason=event.reason,
                seconds=event.usage.seconds,
                will_reconnect=will_reconnect,
            )
        )
        if not will_reconnect:
            await self.close()  # from a handler: starts the close and returns

    # -- constructors ----------------------------------------------------------------------

    @classmethod
    def openai(
        cls,
        model: str | None = "gpt-live-1",
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        websocket_base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        extra_query: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        instructions: str | UnsetType = UNSET,
        voice: L.Voice | UnsetType = UNSET,
        audio_format: L.AudioFormat | UnsetType = UNSET,
        delegation: L.DelegationConfig | UnsetType = UNSET,
        triggers: list[L.DecisionTrigger] | UnsetType = UNSET,
        input: list[L.InitialItem] | UnsetType = UNSET,
        store: bool | UnsetType = UNSET,
        session: L.SessionConfig | None = None,
        **kwargs: Any,
    ) -> LiveBus:
        """A bus to OpenAI's GPT-Live (``api_key`` defaults to ``OPENAI_API_KEY``).

        The keyword settings (or ``session=``) make the ``session.start`` configuration.
        """
        endpoint = live_endpoint(
            "",
            openai_base_and_headers(
                api_key, base_url, websocket_base_url, organization, project, extra_headers
            ),
            extra_query,
        )
        config = live_session_config(
            model,
            instructions=instructions,
            voice=voice,
            audio_format=audio_format,
            delegation=delegation,
            triggers=triggers,
            input=input,
            store=store,
            session=session,
        )
        return cls(endpoint=endpoint, config=config, **kwargs)

    @classmethod
    def azure(
        cls,
        *,
        endpoint: str,
        model: str | None = "gpt-live-1",
        api_key: str | None = None,
        token_provider: TokenProvider | None = None,
        extra_query: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        session: L.SessionConfig | None = None,
        **kwargs: Any,
    ) -> LiveBus:
        """A bus to GPT-Live on an Azure OpenAI resource (``model`` is the deployment)."""
        settings = {k: kwargs.pop(k) for k in SETTINGS if k in kwargs}
        resolved = azure_live_endpoint(
            endpoint,
            azure_headers(api_key, token_provider, extra_headers),
            token_provider,
            extra_query,
        )
        config = live_session_config(model, session=session, **settings)
        return cls(endpoint=resolved, config=config, **kwargs)

    @classmethod
    def sideband(
        cls,
        session_id: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        websocket_base_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> LiveBus:
        """A bus attached to the running session ``session_id`` (``.../{id}/attach``)."""
        endpoint = live_endpoint(
            session_suffix(session_id, "attach"),
            openai_base_and_headers(
                api_key, base_url, websocket_base_url, None, None, extra_headers
            ),
        )
        return cls(endpoint=endpoint, channel="sideband", attached_to=session_id, **kwargs)

    @classmethod
    def fork(
        cls,
        session_id: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        websocket_base_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        session: L.ForkSessionConfig | None = None,
        **kwargs: Any,
    ) -> LiveBus:
        """A bus on a fork of the stored session ``session_id`` (``.../{id}/fork``);
        ``session`` holds what the fork changes (nothing, when left out)."""
        endpoint = live_endpoint(
            session_suffix(session_id, "fork"),
            openai_base_and_headers(
                api_key, base_url, websocket_base_url, None, None, extra_headers
            ),
        )
        return cls(
            endpoint=endpoint,
            config=session if session is not None else L.ForkSessionConfig(),
            channel="fork",
            attached_to=session_id,
            **kwargs,
        )
