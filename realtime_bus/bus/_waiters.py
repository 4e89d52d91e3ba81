"""One-shot waiters (``wait_for``, ``expect``, request acknowledgements) and streams.

A waiter armed outside any handler sees events in dispatch order, after the handlers of earlier
events have run, so state that handlers keep is up to date when it wakes. A waiter armed from
inside a handler (the handler then awaits it) is fed as events arrive instead: the dispatcher is
busy running that very handler and would otherwise never deliver the event it waits for.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, Literal, TypeVar

from ._errors import BusClosed, StreamOverflow
from ._matching import KeyMatcher

__all__ = ["IN_DISPATCHER", "Expectation", "OverflowPolicy", "Stream", "WaiterSet"]

E = TypeVar("E")

IN_DISPATCHER: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "realtime_bus_in_dispatcher", default=False
)
"""True in the dispatcher task (and tasks it starts): where handlers run."""

OverflowPolicy = Literal["wait", "drop_oldest", "raise"]


class Expectation(Generic[E]):
    """An armed one-shot wait for the next matching event.

    Arm it before sending what causes the event, then await it: the event cannot slip through
    between the two. ``await exp`` or ``await exp.wait(timeout=...)``; ``exp.cancel()`` disarms.
    """

    __slots__ = (
        "_future",
        "_matches",
        "_on_done",
        "check",
        "early",
        "fail_on_disconnect",
        "keys",
    )

    def __init__(
        self,
        keys: tuple[str, ...],
        check: Callable[[Any], bool] | None,
        *,
        early: bool,
        fail_on_disconnect: bool = False,
        on_done: Callable[[Expectation[Any]], None] | None = None,
    ) -> None:
        self.keys = keys
        self.check = check
        self.early = early
        self.fail_on_disconnect = fail_on_disconnect
        self._matches = KeyMatcher(keys).matches_event
        self._future: asyncio.Future[E] = asyncio.get_running_loop().create_future()
        self._on_done = on_done

    def offer(self, event: Any) -> bool:
        """Take ``event`` if it matches; returns True when this expectation is settled."""
        if self._future.done():
            return True
        if not self._matches(event):
            return False
        if self.check is not None:
            try:
                if not self.check(event):
                    return False
            except Exception as exc:  # a failing check fails the wait, not the bus
                self._future.set_exception(exc)
                return True
        self._future.set_result(event)
        return True

    def fail(self, exc: BaseException) -> None:
        """Settle with an error (the bus closed, the connection was lost, ...)."""
        if not self._future.done():
            self._future.set_exception(exc)

    def resolve(self, event: E) -> None:
        """Settle with ``event`` (used by request correlation)."""
        if not self._future.done():
            self._future.set_result(event)

    @property
    def done(self) -> bool:
        """Whether the expectation is settled."""
        return self._future.done()

    def cancel(self) -> None:
        """Disarm; a pending ``await`` raises ``CancelledError``."""
        self._future.cancel()
        if self._on_done is not None:
            self._on_done(self)

    async def wait(self, timeout: float | None = None) -> E:
        """The event, or ``TimeoutError`` after ``timeout`` seconds. A wait that times out or
        is cancelled disarms the expectation."""
        try:
            if timeout is None:
                return await asyncio.shield(self._future)
            async with asyncio.timeout(timeout):
                return await asyncio.shield(self._future)
        except TimeoutError:
            self.cancel()
            raise TimeoutError(f"no {' | '.join(self.keys)} event within {timeout} s") from None
        except asyncio.CancelledError:
            self.cancel()  # whoever waited is gone: stop filtering events for them
            raise
        finally:
            if self._future.done() and self._on_done is not None:
                self._on_done(self)

    def __await__(self) -> Any:
        return self.wait().__await__()

    def __enter__(self) -> Expectation[E]:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._future.done():
            self.cancel()
        # Retrieve the exception, if any, so asyncio does not report it as never retrieved.
        elif not self._future.cancelled():
            self._future.exception()


class WaiterSet:
    """The armed expectations of a bus, split by who feeds them (see the module docstring)."""

    __slots__ = ("early", "ordered")

    def __init__(self) -> None:
        self.ordered: list[Expectation[Any]] = []
        self.early: list[Expectation[Any]] = []

    def add(self, exp: Expectation[Any]) -> None:
        """Arm ``exp``."""
        (self.early if exp.early else self.ordered).append(exp)

    def remove(self, exp: Expectation[Any]) -> None:
        """Disarm ``exp`` (no error if it is gone already)."""
        group = self.early if exp.early else self.ordered
        try:
            group.remove(exp)
        except ValueError:
            pass

    @staticmethod
    def feed(group: list[Expectation[Any]], event: Any) -> None:
        """Offer ``event`` to every expectation in ``group``; settled ones leave it."""
        settled = [exp for exp in group if exp.offer(event)]
        for exp in settled:
            try:
                group.remove(exp)
            except ValueError:
                pass

    def fail_all(self, exc: BaseException, *, only_requests: bool = False) -> None:
        """Fail armed expectations (all, or only request acknowledgements)."""
        for group in (self.ordered, self.early):
            keep = []
            for exp in group:
                if only_requests and not exp.fail_on_disconnect:
                    keep.append(exp)
                else:
                    exp.fail(exc)
            group[:] = keep


class Stream(Generic[E]):
    """A bounded buffer of matching events, read with ``async for``.

    When the reader falls behind and the buffer is full, ``overflow`` decides: ``"wait"`` holds
    the dispatcher until there is room (backpressure on everything after), ``"drop_oldest"``
    discards the oldest buffered event (counted in :attr:`dropped`), ``"raise"`` ends the stream:
    the reader gets :class:`StreamOverflow` once the events buffered before it are read.
    """

    def __init__(
        self,
        keys: tuple[str, ...],
        check: Callable[[Any], bool] | None,
        *,
        maxsize: int,
        overflow: OverflowPolicy,
        early: bool,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        if overflow not in ("wait", "drop_oldest", "raise"):
            raise ValueError(f"unknown overflow policy {overflow!r}")
        self.keys = keys
        self.check = check
        self.maxsize = maxsize
        self.overflow: OverflowPolicy = overflow
        self.early = early
        self.dropped = 0
        self._matches = KeyMatcher(keys).matches_event
        self._buffer: deque[E] = deque()
        self._readable = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._end: BaseException | None = None
        self._closed = False

    def wants(self, event: Any) -> bool:
        """Whether ``event`` belongs in this stream."""
        if self._closed or not self._matches(event):
            return False
        return self.check is None or bool(self.check(event))

    def put_nowait(self, event: E) -> bool:
        """Buffer ``event`` unless the policy is ``"wait"`` and the buffer is full."""
        if len(self._buffer) >= self.maxsize:
            if self.overflow == "wait":
                return False
            if self.overflow == "drop_oldest":
                self._buffer.popleft()
                self.dropped += 1
            else:
                self.end(StreamOverflow(f"stream buffer of {self.maxsize} events overflowed"))
                return True
        self._buffer.append(event)
        self._readable.set()
        if len(self._buffer) >= self.maxsize:
            self._room.clear()
        return True

    async def put(self, event: E) -> None:
        """Buffer ``event``, waiting for room under the ``"wait"`` policy."""
        while not self.put_nowait(event):
            if self._closed:
                return
            self._room.clear()
            await self._room.wait()

    def end(self, exc: BaseException | None = None) -> None:
        """Stop taking events; the reader finishes the buffer, then stops (or gets ``exc``)."""
        if self._closed:
            return
        self._closed = True
        self._end = exc
        self._readable.set()
        self._room.set()

    def __aiter__(self) -> AsyncIterator[E]:
        return self

    async def __anext__(self) -> E:
        while not self._buffer:
            if self._closed:
                if self._end is not None and not isinstance(self._end, BusClosed):
                    exc, self._end = self._end, None
                    raise exc
                raise StopAsyncIteration
            self._readable.clear()
            await self._readable.wait()
        event = self._buffer.popleft()
        if not self._room.is_set() and len(self._buffer) < self.maxsize:
            self._room.set()
        return event

    def __len__(self) -> int:
        return len(self._buffer)
