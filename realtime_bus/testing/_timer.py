"""A callback due after a delay on the running loop, that arming again or cancelling replaces.

The simulator's time limits (an HTTP request's deadline, server VAD's idle timeout) are each
one such timer: at most one pending call, forgotten once it has fired.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["Timer"]


class Timer:
    """At most one pending call: :meth:`arm` replaces the one before, :meth:`cancel` drops it.

    The callback goes with :meth:`arm` and is let go once it fires or is cancelled, so that a
    timer does not keep its owner alive.
    """

    __slots__ = ("_handle",)

    def __init__(self) -> None:
        self._handle: asyncio.TimerHandle | None = None

    def arm(self, delay: float, callback: Callable[[], None]) -> None:
        """Call ``callback`` in ``delay`` seconds (instead of what was armed before)."""
        self.cancel()
        self._handle = asyncio.get_running_loop().call_later(delay, self._fire, callback)

    def cancel(self) -> None:
        """No call back (nothing happens if none is pending)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self, callback: Callable[[], None]) -> None:
        self._handle = None
        callback()
