"""Which handlers an event goes to.

Handlers are registered under an exact type name (``"response.done"``), an event class
(``ResponseDone``, the same thing, typed), or a glob (``"response.*"``, ``"*"``). Matching is done
once per type name and cached, so dispatching an event costs one dict lookup.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from itertools import count
from typing import Any

from ..protocol import ServerEvent, UnknownEvent
from ._lifecycle import DerivedEvent, LifecycleEvent

__all__ = ["EventKey", "Router", "Subscription", "key_of"]

EventKey = str | type[Any]
"""What ``bus.on`` accepts: a type name, a glob, or an event class."""

UNKNOWN_KEY = "<unknown>"
LIFECYCLE_PREFIX = "bus."
NOT_IN_STAR = ("bus.", "agent.")
"""Event names ``"*"`` leaves out: the bus's own events and derived events."""


def key_of(event: EventKey) -> str:
    """The type name or glob that ``event`` stands for."""
    if isinstance(event, str):
        if not event:
            raise ValueError("an event name cannot be empty")
        return event
    if isinstance(event, type):
        if event is UnknownEvent:
            return UNKNOWN_KEY
        if event is ServerEvent:
            return "*"
        if event is LifecycleEvent:
            return "bus.*"
        if event is DerivedEvent:
            return "agent.*"
        name = getattr(event, "type", None)
        if isinstance(name, str) and issubclass(event, (ServerEvent, LifecycleEvent, DerivedEvent)):
            return name
    raise TypeError(f"expected an event type name, glob or event class, got {event!r}")


def _is_glob(key: str) -> bool:
    return any(ch in key for ch in "*?[")


def _matches(key: str, type_name: str, unknown: bool) -> bool:
    if key == UNKNOWN_KEY:
        return unknown
    if key == "*":
        # "*" is every server event; the bus's own events are opted into by name or "bus.*",
        # derived events by name or "agent.*".
        return not type_name.startswith(NOT_IN_STAR)
    if _is_glob(key):
        return fnmatchcase(type_name, key)
    return key == type_name


_order = count()


@dataclass(eq=False, slots=True)
class Subscription:
    """One registered handler and how it wants to be called."""

    fn: Callable[[Any], Any]
    key: str
    once: bool = False
    concurrent: bool = False
    check: Callable[[Any], bool] | None = None
    is_async: bool = field(init=False)
    name: str = field(init=False)
    order: int = field(init=False, default_factory=lambda: next(_order))

    def __post_init__(self) -> None:
        self.is_async = inspect.iscoroutinefunction(self.fn) or inspect.iscoroutinefunction(
            getattr(self.fn, "__call__", None)  # noqa: B004 - async callable objects
        )
        self.name = getattr(self.fn, "__qualname__", None) or repr(self.fn)


class Router:
    """The handler registry. Not thread-safe: the bus calls it on its own loop."""

    __slots__ = ("_cache", "_subs")

    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._cache: dict[str, tuple[Subscription, ...]] = {}

    def add(self, sub: Subscription) -> Subscription:
        """Register ``sub``; handlers of one event run in registration order."""
        self._subs.append(sub)
        self._cache.clear()
        return sub

    def remove(self, fn: Callable[[Any], Any], key: str | None = None) -> int:
        """Unregister ``fn`` (under ``key`` only, when given). Returns how many were removed."""
        before = len(self._subs)
        self._subs = [s for s in self._subs if not (s.fn == fn and (key is None or s.key == key))]
        self._cache.clear()
        return before - len(self._subs)

    def discard(self, sub: Subscription) -> None:
        """Unregister one subscription (a ``once`` handler after its call)."""
        try:
            self._subs.remove(sub)
        except ValueError:
            return
        self._cache.clear()

    def match(self, type_name: str, unknown: bool = False) -> tuple[Subscription, ...]:
        """The subscriptions for events named ``type_name``, in registration order."""
        found = self._cache.get(type_name)
        if found is None:
            found = tuple(s for s in self._subs if _matches(s.key, type_name, unknown))
            self._cache[type_name] = found
        return found

    def __len__(self) -> int:
        return len(self._subs)
