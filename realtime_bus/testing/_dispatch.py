"""A dispatch table: the handler of each client event class.

A session keeps one table for the events it understands; adding an event to a simulated
session is one handler and one :meth:`DispatchTable.on` line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["DispatchTable"]

_Context = TypeVar("_Context")
_Event = TypeVar("_Event")


class DispatchTable(Generic[_Context]):
    """Maps an event class to the function that handles it: ``handler(context, event)``.

    Lookup is by exact class (decoders produce exact classes), one dictionary access per event.
    """

    __slots__ = ("_handlers",)

    def __init__(self) -> None:
        self._handlers: dict[type[Any], Callable[[_Context, Any], None]] = {}

    def on(self, kind: type[_Event], handler: Callable[[_Context, _Event], None]) -> None:
        """Handle events of class ``kind`` with ``handler``; each class has one handler."""
        if kind in self._handlers:
            raise ValueError(f"{kind.__name__} already has a handler")
        self._handlers[kind] = handler

    def dispatch(self, context: _Context, event: object) -> bool:
        """Run the handler of ``event``'s class; false when the table has none."""
        handler = self._handlers.get(type(event))
        if handler is None:
            return False
        handler(context, event)
        return True

    def handles(self, kind: type[Any]) -> bool:
        """Whether events of class ``kind`` have a handler."""
        return kind in self._handlers

    @property
    def kinds(self) -> frozenset[type[Any]]:
        """The event classes with a handler."""
        return frozenset(self._handlers)
