"""Blocking views of the typed helpers: ``bus.session.update(...)``, ``bus.response.create()``.

A view class names each helper once, as ``update = blocking(SessionResource.update)``: the
blocking twin takes the async method's arguments, shows its docstring, and returns what the
async method's awaited result is, overloads included (``wait=True`` gives the acknowledgement's
class to the type checker too). At run time it runs the async method on the bus's loop.
Nested namespaces (``conversation.item``) are views too, named with :func:`nested`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._portal import Portal

__all__ = ["SyncNamespace", "blocking", "nested"]

P = ParamSpec("P")
R = TypeVar("R")
V = TypeVar("V", bound="SyncNamespace")


class SyncNamespace:
    """A blocking view of one helper namespace of :class:`~realtime_bus.Bus`.

    ``sync_bus.session.update(instructions="Be brief.")`` queues the ``session.update`` and
    returns it, like ``await bus.session.update(...)``; with ``wait=True`` it blocks until the
    server acknowledges and returns the acknowledgement. Each helper takes the arguments of its
    async twin on :class:`~realtime_bus.Bus`, and ``help()`` shows them.
    """

    __slots__ = ("_path", "_portal", "_target")

    def __init__(self, target: object, portal: Portal, path: str) -> None:
        self._target = target
        self._portal = portal
        self._path = path

    def __dir__(self) -> list[str]:
        return sorted(name for name in dir(type(self)) if not name.startswith("_"))

    def __repr__(self) -> str:
        return f"<SyncNamespace {self._path}: {', '.join(dir(self))}>"


def blocking(
    method: Callable[Concatenate[Any, P], Awaitable[R]],
) -> Callable[Concatenate[SyncNamespace, P], R]:
    """The blocking twin of the async helper ``method``, for a view class's body."""
    name = method.__name__

    def call(view: SyncNamespace, /, *args: P.args, **kwargs: P.kwargs) -> R:
        helper = getattr(view._target, name)
        waits = bool(kwargs.get("wait", False))
        result: R = view._portal.invoke(helper, *args, waits=waits, **kwargs)
        return result

    return functools.wraps(method)(call)


class nested(Generic[V]):
    """A nested view: ``item = nested(SyncConversationItemResource)`` views ``target.item``."""

    __slots__ = ("_name", "_view")

    def __init__(self, view: type[V]) -> None:
        self._view = view
        self._name = ""

    def __set_name__(self, owner: type[SyncNamespace], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> nested[V]: ...

    @overload
    def __get__(self, obj: SyncNamespace, owner: type[Any]) -> V: ...

    def __get__(self, obj: SyncNamespace | None, owner: type[Any]) -> nested[V] | V:
        if obj is None:
            return self
        name = self._name
        return self._view(getattr(obj._target, name), obj._portal, f"{obj._path}.{name}")
