"""``on``, ``once`` and ``add_handler``: written once, for :class:`~realtime_bus.Bus` and for
:class:`~realtime_bus.SyncBus`, which differ only in where a handler is registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

from ._matching import EventKey, KeyMatcher, key_of
from ._router import Router, Subscription

__all__ = ["HandlerMethods"]

E = TypeVar("E")
R = TypeVar("R")
_Handler = Callable[[E], R]


class HandlerMethods:
    """The handler-registering methods, over :meth:`_registrar` (the bus's router by default)."""

    __slots__ = ()
    _router: Router

    def _registrar(
        self,
        keys: tuple[EventKey, ...],
        once: bool,
        concurrent: bool,
        check: Callable[[Any], bool] | None,
    ) -> Callable[[Callable[[Any], Any]], object]:
        """What registers a handler for ``keys`` (checked now, before any handler is given)."""
        matcher = KeyMatcher(tuple(key_of(k) for k in keys))
        return lambda fn: self._router.add(
            Subscription(fn, matcher, once=once, concurrent=concurrent, check=check)
        )

    @overload
    def on(
        self,
        event: type[E],
        /,
        *,
        once: bool = ...,
        concurrent: bool = ...,
        check: Callable[[E], bool] | None = ...,
    ) -> Callable[[_Handler[E, R]], _Handler[E, R]]: ...

    @overload
    def on(
        self,
        event: EventKey,
        /,
        *more: EventKey,
        once: bool = ...,
        concurrent: bool = ...,
        check: Callable[[Any], bool] | None = ...,
    ) -> Callable[[_Handler[Any, R]], _Handler[Any, R]]: ...

    def on(
        self,
        event: EventKey,
        /,
        *more: EventKey,
        once: bool = False,
        concurrent: bool = False,
        check: Callable[[Any], bool] | None = None,
    ) -> Callable[[_Handler[Any, R]], _Handler[Any, R]]:
        """Register the decorated function as a handler.

        ``event`` is a type name (``"response.done"``), an event class (``ResponseDone``: the
        type checker then knows the handler's argument), a glob (``"response.*"``; ``"*"`` is
        every server event) or a lifecycle name (``"bus.connected"``, ``"bus.*"``). Handlers
        may be ``async def`` or plain functions.

        Handlers of one event run one after another, in registration order, and finish before
        the next event is dispatched, so deltas are seen in order. ``concurrent=True`` runs the
        handler as its own task instead (it then no longer holds up later events, and loses
        that ordering). ``once=True`` removes the handler after its first call. ``check`` is a
        filter: the handler runs only for events it returns true for.

        On a :class:`~realtime_bus.SyncBus`, handlers run on the bus's thread: a slow plain
        handler delays every later event, and ``concurrent=True`` only helps async handlers.
        """
        register = self._registrar((event, *more), once, concurrent, check)

        def decorate(fn: _Handler[Any, R]) -> _Handler[Any, R]:
            register(fn)
            return fn

        return decorate

    def once(
        self, event: EventKey, /, *more: EventKey, check: Callable[[Any], bool] | None = None
    ) -> Callable[[_Handler[Any, R]], _Handler[Any, R]]:
        """Like :meth:`on` with ``once=True``."""
        return self.on(event, *more, once=True, check=check)

    def add_handler(
        self,
        event: EventKey,
        fn: Callable[[Any], Any],
        *,
        once: bool = False,
        concurrent: bool = False,
        check: Callable[[Any], bool] | None = None,
    ) -> None:
        """Register ``fn`` without decorator syntax (same options as :meth:`on`)."""
        self.on(event, once=once, concurrent=concurrent, check=check)(fn)
