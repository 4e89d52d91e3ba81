"""Failures of the simulator's REST endpoints on demand: error statuses and late answers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RestFaults"]


@dataclass(slots=True)
class _Fault:
    status: int | None
    delay: float
    count: int
    path: str | None
    retry_after: str | None
    message: str | None


class RestFaults:
    """Failures of the REST endpoints on demand (``rest_of(sim).faults``).

    Each fault applies to the next ``count`` requests whose path ends with ``path`` (every
    REST request when ``None``), in the order the faults were added.
    """

    def __init__(self) -> None:
        self._queue: list[_Fault] = []

    def fail_next(
        self,
        status: int,
        *,
        count: int = 1,
        retry_after: float | str | None = None,
        message: str | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests with ``status`` (429, 500, 503, ...).

        ``retry_after`` becomes the ``Retry-After`` header (seconds or an HTTP date).
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        after = None if retry_after is None else str(retry_after)
        self._queue.append(_Fault(status, 0.0, count, path, after, message))

    def delay_next(self, seconds: float, *, count: int = 1, path: str | None = None) -> None:
        """Answer the next ``count`` requests only after ``seconds`` (to trip timeouts)."""
        if count < 1 or seconds < 0:
            raise ValueError("count must be at least 1 and seconds not negative")
        self._queue.append(_Fault(None, seconds, count, path, None, None))

    def clear(self) -> None:
        """Forget every pending fault."""
        self._queue.clear()

    def take(self, path: str) -> _Fault | None:
        """The fault due for a request to ``path`` now, if any (used by the endpoints)."""
        for fault in self._queue:
            if fault.path is None or path.endswith(fault.path):
                fault.count -= 1
                if fault.count <= 0:
                    self._queue.remove(fault)
                return fault
        return None
