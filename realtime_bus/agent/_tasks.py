"""The tasks a part of the agent layer starts on its bus's loop, named after the bus."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

__all__ = ["Tasks"]

T = TypeVar("T")


class Tasks:
    """Started together, forgotten when done, stopped together (see :meth:`stop`)."""

    __slots__ = ("_live", "_prefix")

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._live: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Awaitable[T], name: str) -> asyncio.Task[T]:
        """Run ``coro`` as a task named ``<prefix>-<name>``."""
        task = asyncio.ensure_future(coro)
        task.set_name(f"{self._prefix}-{name}")
        self._live.add(task)
        task.add_done_callback(self._live.discard)
        return task

    def cancel(self) -> list[asyncio.Task[Any]]:
        """Cancel every task still running; returns them."""
        tasks = list(self._live)
        for task in tasks:
            task.cancel()
        return tasks

    async def stop(self) -> None:
        """Cancel every task and wait until they have all finished."""
        await asyncio.gather(*self.cancel(), return_exceptions=True)
