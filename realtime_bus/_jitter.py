"""Exponential backoff with jitter: the rule the reconnecting bus and the REST retries share."""

from __future__ import annotations

import random

__all__ = ["jittered_backoff"]


def jittered_backoff(
    first: float,
    factor: float,
    n: int,
    ceiling: float,
    jitter: float,
    rng: random.Random | None = None,
) -> float:
    """``min(ceiling, first * factor ** n)`` seconds, shortened by a random fraction of up to
    ``jitter`` so that many clients that failed together do not come back together.

    Any ``n`` is fine: a power past the float range is past any ceiling too.
    """
    try:
        full = min(ceiling, first * factor**n)
    except OverflowError:  # factor ** n > 1.8e308 (float ** int raises rather than give inf)
        full = ceiling if first > 0 else 0.0
    return full * (1 - jitter * (rng or random).random())
