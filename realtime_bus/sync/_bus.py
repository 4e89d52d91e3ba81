"""The sync facade: the same :class:`~realtime_bus.Bus`, driven from any thread.

A :class:`SyncBus` owns one background thread running an asyncio loop, reached through an anyio
blocking portal. The bus lives on that loop; every blocking method runs the bus's own coroutine
there and waits for its result, so there is one implementation of the logic. Handlers run on
the background thread, where the bus calls them.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
import weakref
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar, overload

from .._log import get_logger
from ..bus import (
    Bus,
    BusClosed,
    BusState,
    BusStats,
    Closed,
    ErrorReport,
    LiveBus,
    OverflowPolicy,
    QueueFull,
)
from ..bus._handlers import HandlerMethods
from ..bus._router import EventKey
from ..protocol import ClientEvent
from ..protocol import live as L
from ..transport import Endpoint
from ._resources import (
    SyncConversationResource,
    SyncInputAudioBufferResource,
    SyncLiveDecisionResource,
    SyncLiveResponseResource,
    SyncLiveSessionResource,
    SyncOutputAudioBufferResource,
    SyncResponseResource,
    SyncSessionResource,
    SyncSidebandTransportResource,
)
from ._runner import LoopStopped, LoopThread, WouldBlock, run_without_waiting
from ._waiting import SyncExpectation, SyncStream

__all__ = ["SyncBus", "SyncLiveBus"]

E = TypeVar("E")
T = TypeVar("T")

_ON_BUS_THREAD = (
    "this call waits, and it was made on the bus's own thread (from a handler), where waiting "
    "would stop the bus; queue events without waiting (send, or a helper without wait=True), or "
    "register an async handler and await the async bus (sync_bus.async_bus) there"
)


_open_buses: set[SyncBus] = set()
_open_lock = threading.Lock()


@atexit.register
def _close_open_buses() -> None:
    # The loop threads are daemons: without this, a bus left open would be dropped mid-session
    # at exit instead of closing with code 1000.
    with _open_lock:
        buses = list(_open_buses)
    for bus in buses:
        try:
            bus.close()
        except BaseException:
            pass


class SyncBus(HandlerMethods):
    """A blocking bus for scripts, notebooks and threaded programs.

    ::

        with SyncBus.openai(model="gpt-realtime") as bus:
            bus.session.update(instructions="Be brief.", output_modalities=["text"])
            bus.conversation.item.create(user_message)
            done = bus.expect(ResponseDone)
            bus.response.create()
            print(done.wait(timeout=30).response.output)

    It takes the arguments of :class:`~realtime_bus.Bus` (or a ready ``bus=`` that has not been
    started) and mirrors its API with blocking methods. ``with bus:`` (or :meth:`connect`)
    starts one background thread and connects on it; leaving the block (or :meth:`close`)
    closes the connection cleanly and joins the thread.

    **Threads.** Every method may be called from any thread. Handlers run on the bus's thread,
    one event at a time in arrival order: a slow sync handler delays the next event (and every
    waiter and stream behind it) for as long as it runs. Async handlers are allowed too; they
    run on the bus's loop, where they can await :attr:`async_bus`. From a handler, queueing
    calls work (``send``, the helpers without ``wait=True``; :class:`~realtime_bus.QueueFull`
    if the queue is full), while calls that wait (``request``, ``wait_for``, ``stream``) raise
    ``RuntimeError``: waiting there would stop the bus.

    **Errors** raised on the bus's thread reach the caller with their own type and message:
    :class:`~realtime_bus.HandshakeRefused` from ``connect``, :class:`~realtime_bus.ServerError`
    from ``request``, ``TimeoutError`` from ``wait_for``.

    **Ctrl-C** (``KeyboardInterrupt``) while a call blocks closes the bus cleanly, joins its
    thread, then propagates. Buses still open when the interpreter exits are closed then.
    """

    def __init__(self, url: str | None = None, *, bus: Bus | None = None, **options: Any) -> None:
        if bus is None:
            bus = Bus(url, **options)
        elif url is not None or options:
            raise TypeError("give either bus= or the arguments for a new Bus, not both")
        self.async_bus = bus
        """The :class:`~realtime_bus.Bus` underneath; await it only from async handlers."""
        self._runner = LoopThread(f"realtime-bus-{bus.name}")
        self._portal = _BusPortal(self)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._close_started = False  # guarded by _lock: the first close() does the work
        self._background: set[asyncio.Task[None]] = set()
        self._streams: weakref.WeakSet[SyncStream[Any]] = weakref.WeakSet()
        self._log = get_logger("realtime_bus.sync", bus=bus.name)

        # The typed helpers: blocking views of the bus's own namespaces.
        portal = self._portal
        self.session = SyncSessionResource(bus.session, portal, "session")
        self.response = SyncResponseResource(bus.response, portal, "response")
        self.input_audio_buffer = SyncInputAudioBufferResource(
            bus.input_audio_buffer, portal, "input_audio_buffer"
        )
        self.conversation = SyncConversationResource(bus.conversation, portal, "conversation")
        self.output_audio_buffer = SyncOutputAudioBufferResource(
            bus.output_audio_buffer, portal, "output_audio_buffer"
        )

    # -- constructors -----------------------------------------------------------------------

    @classmethod
    def openai(cls, model: str | None = "gpt-realtime", **kwargs: Any) -> SyncBus:
        """A sync bus to the OpenAI Realtime API; takes the arguments of :meth:`Bus.openai`
        (``api_key`` defaults to ``OPENAI_API_KEY``; a missing key raises here)."""
        return cls(bus=Bus.openai(model, **kwargs))

    @classmethod
    def azure(cls, **kwargs: Any) -> SyncBus:
        """A sync bus to an Azure OpenAI deployment; takes the arguments of :meth:`Bus.azure`."""
        return cls(bus=Bus.azure(**kwargs))

    @staticmethod
    def live(model: str | None = "gpt-live-1", **kwargs: Any) -> SyncLiveBus:
        """A sync bus to GPT-Live; takes the arguments of :meth:`Bus.live`."""
        return SyncLiveBus(bus=Bus.live(model, **kwargs))

    @staticmethod
    def azure_live(*, endpoint: str, **kwargs: Any) -> SyncLiveBus:
        """A sync bus to GPT-Live on Azure; takes the arguments of :meth:`Bus.azure_live`."""
        return SyncLiveBus(bus=Bus.azure_live(endpoint=endpoint, **kwargs))

    @staticmethod
    def live_sideband(session_id: str, **kwargs: Any) -> SyncLiveBus:
        """A sync bus attached to a running Live session (see :meth:`Bus.live_sideband`)."""
        return SyncLiveBus(bus=Bus.live_sideband(session_id, **kwargs))

    @staticmethod
    def live_fork(session_id: str, **kwargs: Any) -> SyncLiveBus:
        """A sync bus on a fork of a stored Live session (see :meth:`Bus.live_fork`)."""
        return SyncLiveBus(bus=Bus.live_fork(session_id, **kwargs))

    def __repr__(self) -> str:
        return (
            f"SyncBus(name={self.name!r}, url={self.async_bus.endpoint.safe_url!r}, "
            f"state={self.state.name})"
        )

    # -- state ------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The bus's name (also in its log lines and its thread's name)."""
        return self.async_bus.name

    @property
    def endpoint(self) -> Endpoint:
        """Where the bus connects (its repr never shows credentials)."""
        return self.async_bus.endpoint

    @property
    def state(self) -> BusState:
        """Where the bus is in its life (connecting, open, reconnecting, closing, closed)."""
        return self.async_bus.state

    @property
    def is_open(self) -> bool:
        """Whether a session is established right now."""
        return self.async_bus.is_open

    @property
    def session_id(self) -> str | None:
        """The current session's id, once the server has sent ``session.created``."""
        return self.async_bus.session_id

    @property
    def expires_at(self) -> int | None:
        """When the service will end the current session (Unix seconds), if it said."""
        return self.async_bus.expires_at

    @property
    def stats(self) -> BusStats:
        """The bus's counters."""
        return self.async_bus.stats

    @property
    def failure(self) -> BaseException | None:
        """What closed the bus, if it closed because of a failure."""
        return self.async_bus.failure

    @property
    def thread(self) -> threading.Thread | None:
        """The bus's background thread, while it runs."""
        return self._runner.thread

    # -- lifecycle --------------------------------------------------------------------------

    def connect(self) -> SyncBus:
        """Start the background thread and connect; returns once the session is open.

        Raises what the connection attempt raised (:class:`~realtime_bus.HandshakeRefused` for
        a refused key, ...) after stopping the thread again. A bus connects only once.
        """
        with self._lock:
            state = self.async_bus.state
            if state in (BusState.CLOSING, BusState.CLOSED) or self._closed.is_set():
                raise RuntimeError(f"{self.name} is closed; a bus connects only once")
            if state is not BusState.NEW or self._runner.running:
                raise RuntimeError(f"{self.name} is already connected")
            self._runner.start()
            with _open_lock:
                _open_buses.add(self)
        try:
            self._blocking(self.async_bus.__aenter__)
        except BaseException as exc:
            # Closing re-raises the same failure internally; keep the traceback of the connect.
            traceback = exc.__traceback__
            self.close()
            exc.__traceback__ = traceback
            raise
        return self

    def close(self) -> None:
        """Close cleanly and join the background thread.

        The bus flushes its outbound queue (up to ``flush_timeout`` seconds), closes the socket
        with code 1000, dispatches what it had received, and stops every task; then the thread
        ends. Blocked calls in other threads get :class:`~realtime_bus.BusClosed` (streams just
        end). Safe to call more than once and from any thread. Called from a handler, it starts
        the close and returns at once (a handler cannot wait for its own bus to stop); the thread
        is then joined by the next ``close()`` from another thread, by leaving ``with``, or at
        exit.

        A failure that ended the bus earlier is not raised here (see :attr:`failure`).
        """
        if self._runner.in_loop_thread():
            task = asyncio.get_running_loop().create_task(self.async_bus.close())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return
        with self._lock:
            if self._close_started:
                first = False
            else:
                first = self._close_started = True
            started = self._runner.running
        if not first:
            self._closed.wait()
            return
        try:
            if not started:
                # Never started: mark it closed so that nothing more can be queued.
                if self.async_bus.state is BusState.NEW:
                    run_without_waiting(self.async_bus.close())
                return
            try:
                self._runner.call(self.async_bus.__aexit__, None, None, None)
            except LoopStopped:
                pass
            except Exception as exc:
                if exc is not self.async_bus.failure:
                    raise
            # The bus has ended its streams; release their tasks too.
            for stream in list(self._streams):
                stream.close()
        finally:
            try:
                self._runner.stop()
            finally:
                with _open_lock:
                    _open_buses.discard(self)
                self._closed.set()
                self._log.debug("sync bus closed", leftover_tasks=self._runner.leftover_tasks)

    def run(self) -> None:
        """Connect (unless connected), then block until the bus closes, and join its thread.

        For programs driven by handlers: it returns when a handler calls :meth:`close`, and on
        Ctrl-C it closes the bus and raises ``KeyboardInterrupt``. Like :meth:`Bus.run`, it
        raises what ended the bus for good (a refused handshake, a failed reconnect).
        """
        if self.async_bus.state is BusState.NEW:
            self.connect()
        try:
            self.wait_for(Closed)
        except BusClosed:
            pass
        self.close()
        failure = self.async_bus.failure
        if failure is not None:
            raise failure

    def __enter__(self) -> SyncBus:
        return self.connect()

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.close()
        failure = self.async_bus.failure
        if exc_type is None and failure is not None:
            raise failure

    # -- handlers ---------------------------------------------------------------------------

    def _registrar(self, *options: Any) -> Callable[[Callable[[Any], Any]], object]:
        # Checked here, registered on the loop (the router is not thread-safe).
        register = self.async_bus._registrar(*options)
        return lambda fn: self._call_on_loop(register, fn)

    def off(self, fn: Callable[[Any], Any], event: EventKey | None = None) -> bool:
        """Unregister ``fn`` (from ``event`` only, if given). Returns whether it was found."""
        found: bool = self._call_on_loop(self.async_bus.off, fn, event)
        return found

    def on_error(self, fn: Callable[[ErrorReport], Any]) -> Callable[[ErrorReport], Any]:
        """Register a handler for the errors the bus survives (see :meth:`Bus.on_error`); it
        runs on the bus's thread."""
        self._call_on_loop(self.async_bus.on_error, fn)
        return fn

    # -- waiting ----------------------------------------------------------------------------

    @overload
    def expect(
        self, event: type[E], /, *, check: Callable[[E], bool] | None = ...
    ) -> SyncExpectation[E]: ...

    @overload
    def expect(
        self, event: EventKey, /, *more: EventKey, check: Callable[[Any], bool] | None = ...
    ) -> SyncExpectation[Any]: ...

    def expect(
        self, event: EventKey, /, *more: EventKey, check: Callable[[Any], bool] | None = None
    ) -> SyncExpectation[Any]:
        """Arm a wait for the next matching event now; block on it later with ``.wait()``.

        The form that cannot miss an answer that arrives between a send and the wait::

            done = bus.expect(ResponseDone)
            bus.response.create()
            event = done.wait(timeout=30)
        """
        self._require_running()
        expectation = self._call_on_loop(self.async_bus.expect, event, *more, check=check)
        return SyncExpectation(self._portal, expectation)

    @overload
    def wait_for(
        self,
        event: type[E],
        /,
        *,
        check: Callable[[E], bool] | None = ...,
        timeout: float | None = ...,
    ) -> E: ...

    @overload
    def wait_for(
        self,
        event: EventKey,
        /,
        *more: EventKey,
        check: Callable[[Any], bool] | None = ...,
        timeout: float | None = ...,
    ) -> Any: ...

    def wait_for(
        self,
        event: EventKey,
        /,
        *more: EventKey,
        check: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Block until the next matching event received after this call; return it.

        Raises ``TimeoutError`` after ``timeout`` seconds and :class:`~realtime_bus.BusClosed`
        if the bus closes first. To wait for the answer to something you send, arm the wait
        first with :meth:`expect` (or use :meth:`request`).
        """
        return self._invoke(
            self.async_bus.wait_for, event, *more, check=check, timeout=timeout, waits=True
        )

    def wait_idle(self, timeout: float | None = 10.0) -> None:
        """Block until every event received so far has been dispatched to its handlers.

        Raises ``TimeoutError`` after ``timeout`` seconds; refused on the bus's own thread.
        """
        self._invoke(self.async_bus.wait_idle, timeout, waits=True)

    def call(self, func: Callable[[], Awaitable[T]], /, *, timeout: float | None = 30.0) -> T:
        """Run ``func()`` (a coroutine, built on the bus's loop) there; block until it finishes.

        This is how blocking code uses an async layer built on the bus, for example
        ``sync_bus.call(lambda: conversation.recreate(bus=sync_bus.async_bus), timeout=60)``.
        Returns its result or raises its exception; ``TimeoutError`` after ``timeout`` seconds
        (the coroutine is cancelled). Refused on the bus's own thread, which it would block.
        """

        async def bounded() -> T:
            return await asyncio.wait_for(func(), timeout)

        result: T = self._invoke(bounded, waits=True)
        return result

    def stream(
        self,
        event: EventKey,
        /,
        *more: EventKey,
        check: Callable[[Any], bool] | None = None,
        maxsize: int = 256,
        overflow: OverflowPolicy = "wait",
    ) -> SyncStream[Any]:
        """Iterate over matching events with a plain ``for`` loop::

            with bus.stream("response.output_text.delta") as deltas:
                for delta in deltas:
                    print(delta.delta, end="")

        ``for event in bus.stream(...)`` works too. The stream is armed when this returns;
        ``maxsize`` and ``overflow`` are those of :meth:`Bus.stream`. Iteration ends when the
        bus closes.
        """
        self._require_running()
        source = self.async_bus.stream(
            event, *more, check=check, maxsize=maxsize, overflow=overflow
        )
        stream = SyncStream(self._portal, source)
        self._streams.add(stream)
        return stream

    # -- sending ----------------------------------------------------------------------------

    def send(self, event: ClientEvent) -> ClientEvent:
        """Queue ``event`` for sending, blocking while the outbound queue is full.

        Returns the event, with the ``event_id`` the bus gave it if it had none. From handlers
        it does not block: it raises :class:`~realtime_bus.QueueFull` if the queue is full.
        Sending needs a connection; for the session's first configuration pass ``session=``
        to the constructor, which the bus sends as soon as the session opens (and again after
        a reconnect).
        """
        sent: ClientEvent = self._invoke(self.async_bus.send, event, waits=False)
        return sent

    def send_nowait(self, event: ClientEvent) -> ClientEvent:
        """Queue ``event`` without blocking; raises :class:`~realtime_bus.QueueFull` when the
        outbound queue is full."""
        if not self._runner.in_loop_thread() and not self._runner.running:
            raise self._not_running()
        sent: ClientEvent = self._call_on_loop(self.async_bus.send_nowait, event)
        return sent

    def request(self, event: ClientEvent, *, timeout: float | None = 30.0) -> Any:
        """Send ``event`` and block until the server acknowledges it (see :meth:`Bus.request`).

        Returns the acknowledging server event; raises :class:`~realtime_bus.ServerError` when
        the server answers with an ``error`` naming the event, ``TimeoutError`` after
        ``timeout`` seconds, :class:`~realtime_bus.ConnectionLost` if the connection drops.
        """
        return self._invoke(self.async_bus.request, event, timeout=timeout, waits=True)

    # -- crossing the thread ----------------------------------------------------------------

    def _invoke(
        self, func: Callable[..., Awaitable[Any]], /, *args: Any, waits: bool, **kwargs: Any
    ) -> Any:
        """Run the bus's coroutine function ``func`` on the bus's loop and return its result.

        On the bus's own thread, where blocking is impossible, queueing calls run at once
        without waiting (:class:`QueueFull` if they would have to) and calls that wait are
        refused.
        """
        runner = self._runner
        if runner.in_loop_thread():
            if waits:
                raise RuntimeError(_ON_BUS_THREAD)
            return self._queue_now(func(*args, **kwargs))
        if not runner.running:
            raise self._not_running()
        return self._blocking(func, *args, **kwargs)

    def _call_on_loop(self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run the plain function ``func`` where the bus's state lives: on its loop if it runs
        (the bus is not thread-safe), else right here, under the lock."""
        runner = self._runner
        if runner.in_loop_thread():
            return func(*args, **kwargs)
        if runner.running:
            try:
                result: T = self._blocking(func, *args, **kwargs)
                return result
            except LoopStopped:
                pass  # stopped in between: no other thread touches the bus any more
        with self._lock:
            if not runner.running:
                return func(*args, **kwargs)
        result = self._blocking(func, *args, **kwargs)
        return result

    def _blocking(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._runner.call(func, *args, **kwargs)
        except KeyboardInterrupt:
            self._close_after_interrupt()
            raise

    def _close_after_interrupt(self) -> None:
        self._log.info("interrupted; closing the bus")
        try:
            self.close()
        except KeyboardInterrupt:
            # Interrupted again: stop waiting for a clean close.
            self._runner.stop()
        except Exception as exc:
            self._log.warning("close after interrupt failed", error=repr(exc))

    @staticmethod
    def _queue_now(coro: Any) -> Any:
        try:
            return run_without_waiting(coro)
        except WouldBlock:
            raise QueueFull(
                "the outbound queue is full, and a handler cannot wait for room: "
                "the bus's thread would stop"
            ) from None

    def _require_running(self) -> None:
        if self._runner.in_loop_thread():
            raise RuntimeError(_ON_BUS_THREAD)
        if not self._runner.running:
            raise self._not_running()

    def _not_running(self) -> Exception:
        if self.async_bus.state is BusState.NEW and not self._close_started:
            return RuntimeError(
                f"{self.name} is not connected yet: use `with bus:` or `bus.connect()` first"
            )
        return BusClosed(f"{self.name} is closed")

    def _release_context(self, cm: AbstractContextManager[Any]) -> None:
        if not self._runner.running:
            return  # the loop has stopped, and stopping ended the stream's task
        try:
            cm.__exit__(None, None, None)
        except (RuntimeError, BusClosed, concurrent.futures.CancelledError):
            if self._runner.running:
                raise


class SyncLiveBus(SyncBus):
    """A blocking :class:`~realtime_bus.LiveBus`: ``bus.session.commentary.append(...)``,
    ``bus.decision.create()``, ``bus.response.create()`` (and ``bus.transport`` on a sideband)
    block as their async twins await.

    ::

        with SyncBus.live(model="gpt-live-1", instructions="Be brief.") as bus:
            bus.session.input_audio.append(pcm)
            print(bus.wait_for("session.output_transcript.delta", timeout=10).delta)
    """

    session: SyncLiveSessionResource
    response: SyncLiveResponseResource

    def __init__(self, *, bus: LiveBus) -> None:
        super().__init__(bus=bus)
        self.async_bus: LiveBus = bus
        portal = self._portal
        self.session = SyncLiveSessionResource(bus.session, portal, "session")
        self.response = SyncLiveResponseResource(bus.response, portal, "response")
        self.decision = SyncLiveDecisionResource(bus.decision, portal, "decision")
        self.transport = (
            SyncSidebandTransportResource(bus.transport, portal, "transport")
            if bus.transport is not None
            else None
        )

    @property
    def context_usage_ratio(self) -> float | None:
        """How full the model's context is (0 to 1), from the latest usage update."""
        return self.async_bus.context_usage_ratio

    @property
    def usage(self) -> L.SessionUsage | None:
        """The session's usage, from the latest update."""
        return self.async_bus.usage

    @property
    def close_reason(self) -> L.CloseReason | None:
        """Why the last session closed, once one has."""
        return self.async_bus.close_reason


class _BusPortal:
    """The :class:`~._portal.Portal` a sync bus gives its blocking views: its own crossing to
    the loop, so the views use no private part of the bus."""

    __slots__ = ("call_on_loop", "invoke", "release_context", "wrap_context")

    def __init__(self, bus: SyncBus) -> None:
        self.invoke = bus._invoke
        self.call_on_loop = bus._call_on_loop
        self.wrap_context = bus._runner.wrap_context
        self.release_context = bus._release_context
