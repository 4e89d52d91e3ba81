"""When to send a failed REST request again, and how long to wait first.

A small policy object rather than a retry library: the wait depends on the response
(``Retry-After``, ``x-should-retry``), and the same decisions drive both the async and the
blocking client, which only differ in how they sleep.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

import msgspec

from .._jitter import jittered_backoff

__all__ = ["RetryPolicy", "parse_retry_after"]

_RETRY_STATUSES = frozenset({408, 429})


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Retries with exponential backoff and jitter on 408, 429, 5xx and connection errors.

    The n-th retry (from 0) waits ``min(max_delay, initial_delay * 2**n)``, shortened by a
    random fraction of up to ``jitter`` so that many clients refused at once do not come back
    in step. A ``Retry-After`` (or ``retry-after-ms``) from the server replaces that wait; when
    it asks for more than ``max_retry_after`` seconds the error is raised at once instead of
    blocking the caller. ``RetryPolicy(max_retries=0)`` turns retries off.

    Note that a POST that timed out may have reached the server: a retry can repeat it.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if not 0 <= self.initial_delay <= self.max_delay:
            raise ValueError("delays must satisfy 0 <= initial_delay <= max_delay")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be between 0 and 1, got {self.jitter}")
        if self.max_retry_after < 0:
            raise ValueError(f"max_retry_after must be >= 0, got {self.max_retry_after}")

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """The wait before retry number ``retry`` (0-based) when the server gave none."""
        return jittered_backoff(self.initial_delay, 2.0, retry, self.max_delay, self.jitter, rng)

    def retryable_status(self, status: int) -> bool:
        """Whether a response with this status is worth sending again."""
        return status in _RETRY_STATUSES or 500 <= status <= 599

    def delay_after_response(
        self,
        retry: int,
        status: int,
        headers: Mapping[str, str],
        rng: random.Random | None = None,
    ) -> float | None:
        """Seconds to wait before retry number ``retry``, or ``None`` to give up now."""
        if retry >= self.max_retries:
            return None
        hint = headers.get("x-should-retry", "").strip().lower()
        if hint == "false" or (hint != "true" and not self.retryable_status(status)):
            return None
        retry_after = parse_retry_after(headers)
        if retry_after is None:
            return self.backoff(retry, rng)
        if retry_after > self.max_retry_after:
            return None
        return retry_after

    def delay_after_connection_error(
        self, retry: int, rng: random.Random | None = None
    ) -> float | None:
        """Seconds to wait before retry number ``retry`` when no response came back."""
        if retry >= self.max_retries:
            return None
        return self.backoff(retry, rng)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait the server asked for, in seconds, or ``None`` if it asked for none.

    Reads ``retry-after-ms`` first (milliseconds, sent by the OpenAI API), then ``Retry-After``
    as seconds or as an HTTP date. Unreadable or negative values count as absent.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0:
            return value
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
        return max(seconds, 0.0)
    return seconds if seconds >= 0 else None
