"""When to try reconnecting again.

A small policy object rather than a retry decorator: the bus announces each delay before it
waits (the ``bus.reconnecting`` event carries it), must be able to stop waiting the moment the
application closes the bus, and resets the count after every session that got established;
decorator-style retry libraries hide exactly those steps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .._jitter import jittered_backoff
from ..transport import ConfigurationError

__all__ = ["ReconnectPolicy"]


@dataclass(frozen=True)
class ReconnectPolicy:
    """Exponential backoff with jitter, bounded in attempts and in time.

    Attempt ``n`` (1-based) waits ``min(max_delay, base_delay * factor ** (n - 1))`` seconds,
    scaled by a random factor in ``[1 - jitter, 1]`` so that many clients dropped together do
    not return together. The bus gives up after ``max_attempts`` failed attempts in a row or
    ``max_elapsed`` seconds since the connection was lost, whichever comes first.
    ``enabled=False`` never reconnects (a lost connection closes the bus).
    """

    enabled: bool = True
    max_attempts: int = 8
    base_delay: float = 0.25
    factor: float = 2.0
    max_delay: float = 10.0
    jitter: float = 0.5
    max_elapsed: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 0 or self.base_delay < 0 or self.max_delay < 0:
            raise ConfigurationError("attempts and delays cannot be negative")
        if not 0 <= self.jitter <= 1:
            raise ConfigurationError("jitter must be between 0 and 1")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before attempt ``attempt`` (1-based)."""
        n = max(0, attempt - 1)
        return jittered_backoff(self.base_delay, self.factor, n, self.max_delay, self.jitter, rng)

    def allows(self, attempt: int, elapsed: float) -> bool:
        """Whether attempt ``attempt`` may be made ``elapsed`` seconds after the loss."""
        return self.enabled and attempt <= self.max_attempts and elapsed < self.max_elapsed
