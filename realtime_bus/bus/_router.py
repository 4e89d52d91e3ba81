"""Which handlers an event goes to.

Handlers are registered under one or more keys (see :mod:`realtime_bus.bus._matching`).
Matching is done once per type name and cached, so dispatching an event costs one dict lookup.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from ._matching import EventKey, KeyMatcher, key_of

__all__ = ["EventKey", "Route", "Router", "Subscription", "key_of"]

_order = count()

Route = tuple[tuple["Subscription", ...], bool]
"""The subscriptions of one event type, in order, and whether none of them is ``async``."""


@dataclass(eq=False, slots=True)
class Subscription:
    """One registered handler, the keys it listens to, and how it wants to be called.

    A handler registered under several keys is one subscription: ``once`` means once.
    """

    fn: Callable[[Any], Any]
    matcher: KeyMatcher
    once: bool = False
    concurrent: bool = False
    check: Callable[[Any], bool] | None = None
    is_async: bool = field(init=False)
    direct: bool = field(init=False)
    """Called as it is: a plain function without ``check``, ``once`` or ``concurrent``."""
    name: str = field(init=False)
    order: int = field(init=False, default_factory=lambda: next(_order))

    def __post_init__(self) -> None:
        self.is_async = inspect.iscoroutinefunction(self.fn) or inspect.iscoroutinefunction(
            getattr(self.fn, "__call__", None)  # noqa: B004 - async callable objects
        )
        self.direct = not (self.is_async or self.once or self.concurrent or self.check)
        self.name = getattr(self.fn, "__qualname__", None) or repr(self.fn)

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys this handler is registered under."""
        return self.matcher.keys


class Router:
    """The handler registry. Not thread-safe: the bus calls it on its own loop."""

    __slots__ = ("_cache", "_subs", "_unknown_cache")

    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._cache: dict[str, Route] = {}
        self._unknown_cache: dict[str, Route] = {}

    def add(self, sub: Subscription) -> Subscription:
        """Register ``sub``; handlers of one event run in registration order."""
        self._subs.append(sub)
        self._clear()
        return sub

    def remove(self, fn: Callable[[Any], Any], key: str | None = None) -> int:
        """Unregister ``fn`` (from ``key`` only, when given). Returns how many were removed."""
        removed = 0
        kept: list[Subscription] = []
        for sub in self._subs:
            if sub.fn != fn or (key is not None and key not in sub.keys):
                kept.append(sub)
                continue
            removed += 1
            if key is not None and len(sub.keys) > 1:
                sub.matcher = sub.matcher.without(key)
                kept.append(sub)
        self._subs = kept
        self._clear()
        return removed

    def discard(self, sub: Subscription) -> None:
        """Unregister one subscription (a ``once`` handler after its call)."""
        try:
            self._subs.remove(sub)
        except ValueError:
            return
        self._clear()

    def match(self, type_name: str, unknown: bool = False) -> tuple[Subscription, ...]:
        """The subscriptions for events named ``type_name``, in registration order."""
        return self.route(type_name, unknown)[0]

    def route(self, type_name: str, unknown: bool = False) -> Route:
        """:meth:`match`'s subscriptions, and whether they are all plain functions."""
        cache = self._unknown_cache if unknown else self._cache
        found = cache.get(type_name)
        if found is None:
            subs = tuple(s for s in self._subs if s.matcher.matches(type_name, unknown))
            found = cache[type_name] = (subs, not any(s.is_async for s in subs))
        return found

    @property
    def known_routes(self) -> dict[str, Route]:
        """The routes :meth:`route` has found for known event types, by type name: one dict
        for the router's life, emptied in place whenever a handler is added or removed, so a
        caller may hold it across events and read it (``.get(type_name)``, falling back to
        :meth:`route` on a miss). Not to be written to."""
        return self._cache

    def _clear(self) -> None:
        self._cache.clear()
        self._unknown_cache.clear()

    def __len__(self) -> int:
        return len(self._subs)
