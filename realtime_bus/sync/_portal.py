"""What the blocking views need from a sync bus: a way onto its loop, nothing else.

:class:`Portal` is the leaf interface :mod:`._waiting` is written against, so the views never
reach into :class:`~realtime_bus.SyncBus` itself; the sync bus hands each view its portal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Protocol, TypeVar

__all__ = ["Portal"]

T = TypeVar("T")


class Portal(Protocol):
    """Runs work on the bus's event loop from any thread."""

    def invoke(
        self, func: Callable[..., Awaitable[Any]], /, *args: Any, waits: bool, **kwargs: Any
    ) -> Any:
        """Run the coroutine function ``func(*args, **kwargs)`` on the loop and return its
        result (``waits``: whether it waits for an answer, which the loop's own thread cannot
        do)."""
        ...

    def call_on_loop(self, func: Callable[..., T], /, *args: Any) -> T:
        """Run the plain function ``func`` where the bus's state lives."""
        ...

    def wrap_context(self, cm: AbstractAsyncContextManager[T]) -> AbstractContextManager[T]:
        """An async context manager entered and left on the loop, as a blocking one."""
        ...

    def release_context(self, cm: AbstractContextManager[Any]) -> None:
        """Leave a wrapped context, unless the loop has already stopped."""
        ...
