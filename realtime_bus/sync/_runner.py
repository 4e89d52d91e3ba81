"""One event loop on one background thread, reached through an anyio blocking portal.

The loop thread is a daemon, so a bus that is never closed cannot keep the interpreter from
exiting; :mod:`realtime_bus.sync._bus` closes such buses cleanly at exit instead.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import CancelledError, Future
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, TypeVar

from anyio.from_thread import BlockingPortal, start_blocking_portal

from .._log import get_logger
from ..bus import BusClosed

__all__ = ["LoopStopped", "LoopThread", "WouldBlock", "run_without_waiting"]

T = TypeVar("T")


class LoopStopped(BusClosed):
    """The loop thread is not running (it was never started, or it has stopped)."""


class WouldBlock(Exception):
    """The coroutine had to wait, and the caller cannot (it is on the bus's own thread)."""


def run_without_waiting(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` up to its first real wait; return its result if it never waits.

    Used where blocking is impossible (the loop's own thread, or before the loop exists) for
    calls that normally finish without waiting, such as queueing an event while the outbound
    queue has room. If ``coro`` has to wait, it is closed at that point and :class:`WouldBlock`
    is raised. It is used only for queueing calls, whose one possible wait (for room in the
    outbound queue) comes before anything is queued, so a closed coroutine has done nothing.
    """
    try:
        coro.send(None)
    except StopIteration as finished:
        result: T = finished.value
        return result
    coro.close()
    raise WouldBlock


class LoopThread:
    """An asyncio loop on a named daemon thread, driven through a :class:`BlockingPortal`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.leftover_tasks: tuple[str, ...] = ()
        """Names of the tasks still pending when the loop was stopped (cancelled then)."""
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None
        self._thread: threading.Thread | None = None
        self._baseline: frozenset[asyncio.Task[Any]] = frozenset()
        self._log = get_logger("realtime_bus.sync", thread=name)

    @property
    def running(self) -> bool:
        """Whether the loop thread is up and accepting calls."""
        return self._portal is not None

    @property
    def thread(self) -> threading.Thread | None:
        """The loop's thread while it runs."""
        return self._thread

    def in_loop_thread(self) -> bool:
        """Whether the caller is on the loop's own thread (in a handler, for instance)."""
        thread = self._thread
        return thread is not None and thread is threading.current_thread()

    def start(self) -> None:
        """Start the thread and its loop; returns once calls can be made."""
        if self._portal_cm is not None:
            raise RuntimeError("the loop thread is already running")
        cm = start_blocking_portal("asyncio", name=self.name)
        portal = cm.__enter__()
        self._portal_cm = cm
        self._thread, self._baseline = portal.call(_thread_and_tasks)
        self._portal = portal

    def call(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run ``func`` on the loop (awaiting it if it is a coroutine function) and return its
        result, or raise its exception, in the calling thread.

        If the wait is interrupted (``KeyboardInterrupt`` in the main thread), the call on the
        loop is cancelled before the interruption propagates.
        """
        portal = self._portal
        if portal is None:
            raise LoopStopped(f"{self.name} is not running")
        try:
            future: Future[Any] = portal.start_task_soon(_run, func, args, kwargs)
        except RuntimeError as exc:  # stopped between the check and the call
            raise LoopStopped(f"{self.name} is not running") from exc
        try:
            return future.result()
        except CancelledError:
            raise LoopStopped(f"{self.name} stopped while this call waited") from None
        except BaseException:
            if not future.done():
                future.cancel()
            raise

    def wrap_context(self, cm: AbstractAsyncContextManager[T]) -> AbstractContextManager[T]:
        """A blocking context manager that enters and leaves ``cm`` in one task on the loop."""
        portal = self._portal
        if portal is None:
            raise LoopStopped(f"{self.name} is not running")
        return portal.wrap_async_context_manager(cm)

    def stop(self) -> None:
        """Cancel whatever still runs on the loop, stop it, and join the thread.

        Tasks other than the portal's own that are still pending are recorded in
        :attr:`leftover_tasks` and logged: after a clean close there should be none.
        """
        cm, portal = self._portal_cm, self._portal
        if cm is None or portal is None:
            return
        self._portal = None
        try:
            pending = portal.call(_pending_tasks, self._baseline)
            if pending:
                self.leftover_tasks = pending
                self._log.warning("tasks still pending at stop; cancelling", tasks=pending)
            portal.call(portal.stop, True)
        finally:
            self._portal_cm = None
            self._thread = None
            # Joins the thread; the portal is already stopped, so this does not wait for calls.
            cm.__exit__(None, None, None)


async def _run(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # Await coroutines only: the portal would also await any other awaitable a plain function
    # returns, and an armed Expectation is one.
    result = func(*args, **kwargs)
    if inspect.iscoroutine(result):
        result = await result
    return result


def _thread_and_tasks() -> tuple[threading.Thread, frozenset[asyncio.Task[Any]]]:
    current = asyncio.current_task()
    return threading.current_thread(), frozenset(t for t in asyncio.all_tasks() if t is not current)


def _pending_tasks(baseline: frozenset[asyncio.Task[Any]]) -> tuple[str, ...]:
    current = asyncio.current_task()
    return tuple(
        sorted(
            t.get_name()
            for t in asyncio.all_tasks()
            if t is not current and t not in baseline and not t.done()
        )
    )
