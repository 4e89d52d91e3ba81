"""The one rule for which events a key names, compiled once and used by handlers and waiters.

A key is an exact type name (``"response.done"``), a glob (``"response.*"``; ``"*"`` is every
server event, never the bus's own ``bus.*`` events nor the derived ``agent.*`` ones), or an
event class (``ResponseDone``; the :class:`UnknownEvent` class names events of types this
version does not know).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from ..protocol import ServerEvent, UnknownEvent
from ._lifecycle import DerivedEvent, LifecycleEvent

__all__ = ["NOT_IN_STAR", "UNKNOWN_KEY", "EventKey", "KeyMatcher", "key_of"]

EventKey = str | type[Any]
"""What ``bus.on`` accepts: a type name, a glob, or an event class."""

UNKNOWN_KEY = "<unknown>"
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


class KeyMatcher:
    """Whether an event (by type name, and whether it is unknown) matches any of ``keys``."""

    __slots__ = ("_every_server", "_exact", "_globs", "_unknown", "keys")

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self._unknown = UNKNOWN_KEY in keys
        self._every_server = "*" in keys
        self._exact = frozenset(k for k in keys if k != UNKNOWN_KEY and not _is_glob(k))
        self._globs = tuple(k for k in keys if k != "*" and _is_glob(k))

    def matches(self, type_name: str, unknown: bool = False) -> bool:
        """Whether an event named ``type_name`` (unknown to this version if ``unknown``)
        matches."""
        if type_name in self._exact:
            return True
        if unknown and self._unknown:
            return True
        if self._every_server and not type_name.startswith(NOT_IN_STAR):
            return True
        return any(fnmatchcase(type_name, glob) for glob in self._globs)

    def matches_event(self, event: Any) -> bool:
        """:meth:`matches` for an event object."""
        return self.matches(event.type, type(event) is UnknownEvent)

    def without(self, key: str) -> KeyMatcher:
        """The same keys less ``key``."""
        return KeyMatcher(tuple(k for k in self.keys if k != key))
