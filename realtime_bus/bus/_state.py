"""The bus's lifecycle as one state machine: every transition goes through :meth:`Lifecycle.to`.

::

    NEW -> CONNECTING -> OPEN <-> RECONNECTING
     |         |           |           |
     +---------+-----------+-----------+--> CLOSING -> CLOSED

``NEW`` may also go straight to ``CLOSED`` (closed before it ran). ``CONNECTING`` goes to
``RECONNECTING`` only when the first connect is retried (``retry_first_connect=True``).
"""

from __future__ import annotations

import asyncio
import enum

__all__ = ["BusState", "Flag", "IllegalTransition", "Lifecycle"]


class Flag:
    """A set/clear flag that tasks wait on, as :class:`asyncio.Event` but small and self-contained.

    An idle bus holds several of these, each awaited by one task at most. The standard event
    keeps its waiters in a deque (about 600 bytes even when empty) and its state in an instance
    dictionary; this keeps both in two slots and a list. It is used from the loop's thread only.
    """

    __slots__ = ("_value", "_waiters")

    def __init__(self) -> None:
        self._value = False
        self._waiters: list[asyncio.Future[bool]] = []

    def __repr__(self) -> str:
        state = "set" if self._value else "unset"
        waiting = f", waiters:{len(self._waiters)}" if self._waiters else ""
        return f"<Flag {state}{waiting}>"

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        """Set the flag and wake every waiter (once each)."""
        if self._value:
            return
        self._value = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        """Return ``True`` once the flag is set (at once if it is); cancellable."""
        if self._value:
            return True
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        finally:
            self._waiters.remove(waiter)


class BusState(enum.IntEnum):
    """Where a bus is in its life."""

    CONNECTING = 0
    OPEN = 1
    RECONNECTING = 2
    CLOSING = 3
    CLOSED = 4
    NEW = 5
    """Built, not started yet."""


_S = BusState
_ALLOWED: dict[BusState, frozenset[BusState]] = {
    _S.NEW: frozenset({_S.CONNECTING, _S.CLOSING, _S.CLOSED}),
    _S.CONNECTING: frozenset({_S.OPEN, _S.RECONNECTING, _S.CLOSING}),
    _S.OPEN: frozenset({_S.RECONNECTING, _S.CLOSING}),
    _S.RECONNECTING: frozenset({_S.OPEN, _S.RECONNECTING, _S.CLOSING}),
    _S.CLOSING: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A transition the lifecycle does not allow (a bug in the bus, never the user's fault)."""


class Lifecycle:
    """The state, and the signals other parts wait on, kept consistent with it.

    ``opened`` is set on the first ``OPEN``; ``stopping`` as soon as a close is asked for (or
    the bus ends); ``finished`` on ``CLOSED``. ``failure`` is what ended the bus, if anything.
    """

    __slots__ = ("established", "failure", "finished", "opened", "state", "stopping")

    def __init__(self) -> None:
        self.state = BusState.NEW
        self.established = False
        """Whether a session has been open at least once (reconnects apply from then on)."""
        self.failure: BaseException | None = None
        self.opened = Flag()
        self.stopping = Flag()
        self.finished = Flag()

    def to(self, new: BusState) -> None:
        """Move to ``new``; raises :class:`IllegalTransition` for a move the table forbids."""
        old = self.state
        if new is old and new is not BusState.RECONNECTING:
            return
        if new not in _ALLOWED[old]:
            raise IllegalTransition(f"{old.name} -> {new.name}")
        self.state = new
        if new is BusState.OPEN:
            self.established = True
            self.opened.set()
        elif new is BusState.CLOSING:
            self.stopping.set()
        elif new is BusState.CLOSED:
            self.stopping.set()
            self.finished.set()

    def request_stop(self) -> None:
        """Ask the bus to close; the supervisor then moves to ``CLOSING``."""
        self.stopping.set()

    @property
    def started(self) -> bool:
        """Whether the bus has left ``NEW``."""
        return self.state is not BusState.NEW

    @property
    def usable(self) -> bool:
        """Whether events may still be queued and awaited."""
        return not self.stopping.is_set()
