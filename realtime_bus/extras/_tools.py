"""Function tools from plain Python functions: schema, dispatch, output, follow-up response.

::

    tools = Tools(bus)

    @tools.register
    async def get_weather(location: str, unit: Literal["c", "f"] = "c") -> dict[str, Any]:
        \"\"\"The current weather in a city.\"\"\"
        ...

    async with bus:
        await tools.install()          # session.update with every registered tool

With a :class:`~realtime_bus.SyncBus`, ``Tools(sync_bus)`` works the same and
``tools.install()`` blocks instead (the tools still run on the bus's loop).

When the model calls a registered function, its JSON arguments are decoded and checked
against the function's signature (msgspec, one pass), the function runs (sync or async), its
result goes back as a ``function_call_output`` item, and once the response that made the calls
is done, ``response.create`` asks the model to go on. Built on the bus's public API only.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, get_type_hints, overload

import msgspec

from ..bus import Bus
from ..protocol import FunctionTool, ResponseDone, ResponseFunctionCallArgumentsDone, Tool
from ..protocol import function_output as _function_output
from ..sync import SyncBus

__all__ = ["ToolError", "Tools"]


class ToolError(Exception):
    """Raise from a tool to send the model a clean error message instead of a traceback."""


@dataclass
class _Registered:
    fn: Callable[..., Any]
    tool: FunctionTool
    arguments: type[msgspec.Struct]


def _arguments_struct(fn: Callable[..., Any]) -> type[msgspec.Struct]:
    hints = get_type_hints(fn)
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"tool {fn.__name__}: *args and **kwargs cannot be described")
        annotation = hints.get(name, Any)
        if param.default is inspect.Parameter.empty:
            fields.append((name, annotation))
        else:
            fields.append((name, annotation, param.default))
    return msgspec.defstruct(f"{fn.__name__}_arguments", fields, forbid_unknown_fields=True)


def _schema(arguments: type[msgspec.Struct]) -> dict[str, Any]:
    schema = msgspec.json.schema(arguments)
    ref = schema.pop("$ref", None)
    defs = schema.pop("$defs", {})
    if ref is not None:
        body: dict[str, Any] = defs.pop(ref.rsplit("/", 1)[-1])
        body.pop("title", None)
        if defs:
            body["$defs"] = defs
        return body
    return schema


AnyBus = TypeVar("AnyBus", Bus, SyncBus)


@dataclass
class Tools(Generic[AnyBus]):
    """The function tools of one bus, a :class:`~realtime_bus.Bus` or a
    :class:`~realtime_bus.SyncBus` (see the module docstring)."""

    bus: AnyBus
    respond: bool = True
    """Ask the model to go on (``response.create``) after the outputs are sent."""
    _tools: dict[str, _Registered] = field(default_factory=dict)
    _pending: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bus.add_handler(ResponseFunctionCallArgumentsDone, self._on_call)
        self.bus.add_handler(ResponseDone, self._on_done)

    def register(self, fn: Callable[..., Any] | None = None, *, name: str | None = None) -> Any:
        """Register ``fn`` as a tool (usable as ``@tools.register`` or with a name)."""

        def add(func: Callable[..., Any]) -> Callable[..., Any]:
            arguments = _arguments_struct(func)
            tool_name = name or func.__name__
            description = inspect.getdoc(func) or ""
            tool = FunctionTool(
                name=tool_name, description=description, parameters=_schema(arguments)
            )
            self._tools[tool_name] = _Registered(func, tool, arguments)
            return func

        return add if fn is None else add(fn)

    @property
    def definitions(self) -> list[FunctionTool]:
        """The registered tools, as the session's ``tools``."""
        return [registered.tool for registered in self._tools.values()]

    @property
    def _async_bus(self) -> Bus:
        """Where the tools run: the bus, or the async bus under a sync one."""
        return self.bus.async_bus if isinstance(self.bus, SyncBus) else self.bus

    @overload
    def install(self: Tools[Bus], *, wait: bool = True) -> Awaitable[Any]: ...

    @overload
    def install(self: Tools[SyncBus], *, wait: bool = True) -> Any: ...

    def install(self, *, wait: bool = True) -> Any:
        """Send ``session.update`` with every registered tool (``tool_choice="auto"``).

        With a :class:`~realtime_bus.Bus`, await it; with a :class:`~realtime_bus.SyncBus` it
        blocks. ``wait=True`` returns the server's ``session.updated``.
        """
        tools: list[Tool] = list(self.definitions)
        # A Bus's helper returns the coroutine to await; a SyncBus's blocks and returns.
        return self.bus.session.update(tools=tools, tool_choice="auto", wait=wait)

    async def _on_call(self, event: ResponseFunctionCallArgumentsDone) -> None:
        registered = self._tools.get(event.name)
        if registered is None:
            return  # someone else's tool
        failure: Exception | None = None
        try:
            arguments = msgspec.json.decode(event.arguments or "{}", type=registered.arguments)
            values = {f: getattr(arguments, f) for f in arguments.__struct_fields__}
            result = registered.fn(**values)
            if inspect.isawaitable(result):
                result = await result
            output = result if isinstance(result, str) else json.dumps(result, default=str)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            output = json.dumps({"error": f"invalid arguments: {exc}"})
        except ToolError as exc:
            output = json.dumps({"error": str(exc)})
        except Exception as exc:
            # The model hears that the tool failed; the application hears why (on_error).
            output = json.dumps({"error": f"{event.name} failed"})
            failure = exc
        await self._async_bus.conversation.item.create(_function_output(event.call_id, output))
        self._pending[event.response_id] = self._pending.get(event.response_id, 0) + 1
        if failure is not None:
            raise failure

    async def _on_done(self, event: ResponseDone) -> None:
        response_id = event.response.id
        called = isinstance(response_id, str) and self._pending.pop(response_id, 0)
        if called and self.respond and event.response.status == "completed":
            await self._async_bus.response.create()
