"""Blocking forms of an armed wait (:class:`SyncExpectation`) and of a stream."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Generic, TypeVar, cast

from ..bus import Expectation, Stream
from ._portal import Portal

__all__ = ["SyncExpectation", "SyncStream"]

E = TypeVar("E")


class SyncExpectation(Generic[E]):
    """An armed one-shot wait, from :meth:`SyncBus.expect`.

    Arm it before sending what causes the event, then block on :meth:`wait`: a fast answer
    cannot slip through between the two::

        done = bus.expect(ResponseDone)
        bus.response.create()
        event = done.wait(timeout=30)

    Used as a context manager, it is disarmed on leaving if it never fired.
    """

    __slots__ = ("_expectation", "_portal")

    def __init__(self, portal: Portal, expectation: Expectation[E]) -> None:
        self._portal = portal
        self._expectation = expectation

    def wait(self, timeout: float | None = None) -> E:
        """Block until the event arrives and return it.

        Raises ``TimeoutError`` after ``timeout`` seconds (the wait is then disarmed) and
        :class:`~realtime_bus.BusClosed` if the bus closes first.
        """
        result: E = self._portal.invoke(self._expectation.wait, timeout, waits=True)
        return result

    def cancel(self) -> None:
        """Disarm the wait."""
        self._portal.call_on_loop(self._expectation.cancel)

    @property
    def done(self) -> bool:
        """Whether the wait has settled (an event arrived, it failed or it was disarmed)."""
        return self._expectation.done

    def __enter__(self) -> SyncExpectation[E]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._portal.call_on_loop(self._expectation.__exit__, None, None, None)


class SyncStream(Generic[E]):
    """Matching events, read with a plain ``for`` loop; from :meth:`SyncBus.stream`.

    The stream is armed when it is created, so events that arrive before the loop starts are
    buffered, not missed. ``with bus.stream(...) as events: for event in events: ...`` releases
    it deterministically on leaving the block; ``for event in bus.stream(...)`` releases it when
    the loop ends, breaks or raises. Iteration ends when the bus closes.

    While the buffer is full the bus's ``overflow`` policy applies (see
    :class:`~realtime_bus.Stream`): with the default ``"wait"``, a slow reader holds up every
    later event, which is backpressure by design.
    """

    def __init__(self, portal: Portal, source: AbstractAsyncContextManager[Stream[E]]) -> None:
        self._portal = portal
        self._cm: AbstractContextManager[Stream[E]] = portal.wrap_context(source)
        self._stream: Stream[E] = self._cm.__enter__()
        self._managed = False
        self._released = False

    @property
    def dropped(self) -> int:
        """Events discarded by the ``"drop_oldest"`` policy."""
        return self._stream.dropped

    def __len__(self) -> int:
        return len(self._stream)

    def __enter__(self) -> SyncStream[E]:
        self._managed = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[E]:
        try:
            while not self._released:
                more, event = self._portal.invoke(_next, self._stream, waits=True)
                if not more:
                    return
                yield cast(E, event)
        finally:
            if not self._managed:
                self.close()

    def close(self) -> None:
        """Stop taking events and release the stream. Safe to call more than once."""
        if self._released:
            return
        self._released = True
        self._portal.release_context(self._cm)


async def _next(stream: Stream[E]) -> tuple[bool, E | None]:
    # StopAsyncIteration must not cross the thread as an exception: it would end the portal task
    # in a way asyncio refuses, so the end of the stream travels as a flag.
    try:
        return True, await stream.__anext__()
    except StopAsyncIteration:
        return False, None
