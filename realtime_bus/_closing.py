"""``with`` / ``async with`` for a class that has a ``close``: entering gives the object itself,
leaving closes it, however the block ended."""

from __future__ import annotations

from types import TracebackType
from typing import Self

__all__ = ["AsyncClosing", "Closing"]


class AsyncClosing:
    """``async with obj:`` awaits ``obj.close()`` on the way out."""

    async def close(self) -> None:
        raise NotImplementedError  # pragma: no cover - each class says how it closes

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class Closing:
    """``with obj:`` calls ``obj.close()`` on the way out."""

    def close(self) -> None:
        raise NotImplementedError  # pragma: no cover - each class says how it closes

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
