"""Remembering which webhook deliveries were already accepted, so a replay is refused.

A signed delivery stays valid for the whole tolerance window: anyone who captured it can send
it again, and the signature still matches. The Standard Webhooks scheme leaves deduplication
to the receiver through the ``webhook-id`` header, which stays the same across the sender's
own retries. :class:`WebhookVerifier` records every id it accepts in a store and refuses one
it has seen within the window.

The default store lives in the process's memory. A deployment with several workers passes a
store they share (a few lines over Redis ``SET NX EX``, or a database table with a unique key):
anything with the :class:`SeenWebhooks` method.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Protocol, runtime_checkable

__all__ = ["DEFAULT_MAX_REMEMBERED", "MemorySeenWebhooks", "SeenWebhooks"]

DEFAULT_MAX_REMEMBERED = 100_000
"""How many accepted ids the in-memory store keeps at most (about 10 MiB)."""


@runtime_checkable
class SeenWebhooks(Protocol):
    """Where accepted ``webhook-id``\\ s are kept for the tolerance window."""

    def add(self, webhook_id: str, ttl: float) -> bool:
        """Record ``webhook_id`` for ``ttl`` seconds.

        Return ``True`` when it was not there yet (a first delivery), ``False`` when it
        was (a replay). Must be atomic: two workers adding the same id at once see one
        ``True`` between them.
        """
        ...


class MemorySeenWebhooks:
    """The default :class:`SeenWebhooks`: this process's memory, bounded, thread-safe.

    Ids expire after their ``ttl``. When ``max_entries`` are remembered and none has expired,
    the oldest is forgotten: a flood of fresh, validly signed deliveries cannot grow the
    memory without bound (and only someone holding the secret can sign one).
    """

    __slots__ = ("_clock", "_entries", "_lock", "max_entries")

    def __init__(self, max_entries: int = DEFAULT_MAX_REMEMBERED) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()
        self._clock = time.monotonic

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"MemorySeenWebhooks({len(self._entries)} of {self.max_entries})"

    def add(self, webhook_id: str, ttl: float) -> bool:
        now = self._clock()
        with self._lock:
            self._expire(now)
            if webhook_id in self._entries:
                return False
            # Every entry has the same ttl in practice, so insertion order is expiry order.
            self._entries[webhook_id] = now + ttl
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return True

    def _expire(self, now: float) -> None:
        entries = self._entries
        while entries:
            oldest = next(iter(entries))
            if entries[oldest] > now:
                return
            del entries[oldest]
