"""Blocking views of the typed helpers: ``bus.session.update(...)``, ``bus.response.create()``.

The views are derived from the async namespaces, not written out again: every coroutine method of
``Bus.session``, ``Bus.response``, ``Bus.conversation.item``, ... is offered as a plain method with
the same signature and docstring, and runs the async method on the bus's loop.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

__all__ = ["Invoker", "SyncNamespace"]


class Invoker(Protocol):
    """How a view runs an async helper: ``waits`` says whether the call waits for an answer."""

    def __call__(
        self,
        func: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        waits: bool,
    ) -> Any: ...


class SyncNamespace:
    """A blocking view of one helper namespace of :class:`~realtime_bus.Bus`.

    ``sync_bus.session.update(instructions="Be brief.")`` queues the ``session.update`` and
    returns it, like ``await bus.session.update(...)``; with ``wait=True`` it blocks until the
    server acknowledges and returns the acknowledgement. Each helper takes the arguments of its
    async twin on :class:`~realtime_bus.Bus`, and ``help()`` shows them.
    """

    __slots__ = ("_cache", "_invoke", "_path", "_target")

    def __init__(self, target: object, invoke: Invoker, path: str) -> None:
        self._target = target
        self._invoke = invoke
        self._path = path
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        value = getattr(self._target, name)
        view: Any
        if inspect.iscoroutinefunction(value):
            view = _blocking_method(value, self._invoke)
        elif _is_namespace(value, self._target):
            view = SyncNamespace(value, self._invoke, f"{self._path}.{name}")
        else:
            raise AttributeError(f"{self._path} has no helper {name!r}")
        self._cache[name] = view
        return view

    def __dir__(self) -> list[str]:
        target = self._target
        return sorted(
            name
            for name in dir(target)
            if not name.startswith("_")
            and (
                inspect.iscoroutinefunction(getattr(target, name))
                or _is_namespace(getattr(target, name), target)
            )
        )

    def __repr__(self) -> str:
        return f"<SyncNamespace {self._path}: {', '.join(dir(self))}>"


def _is_namespace(value: object, parent: object) -> bool:
    # Nested namespaces (``conversation.item``) are defined next to their parent.
    return (
        not callable(value)
        and type(value).__module__ == type(parent).__module__
        and type(value) is not type(parent)
    )


def _blocking_method(method: Callable[..., Awaitable[Any]], invoke: Invoker) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        return invoke(method, args, kwargs, waits=bool(kwargs.get("wait", False)))

    return call
