"""Write the GPT-Live event catalog, read out of the ``openai`` package's pydantic models.

For each kind of Live connection (primary, sideband, fork) and each direction, every event
type with its model and fields; every nested model with its fields (the Responses API's own
item types, which ``response.item.create`` carries, are named but not walked). Facts only: names,
annotations, required flags, literal values. Regenerate after an ``openai`` upgrade and diff:

    python tools/live_catalog.py > tests/protocol/live/live-events.json
"""

from __future__ import annotations

import json
import sys
import types
from importlib.metadata import version
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pydantic
from openai.types.live import ClientEvent, ServerEvent
from openai.types.live.connect_client_event import ConnectClientEvent
from openai.types.live.connect_server_event import ConnectServerEvent
from openai.types.live.fork_client_event import ForkClientEvent
from openai.types.live.fork_server_event import ForkServerEvent

UNIONS: dict[str, dict[str, Any]] = {
    "primary": {"client": ClientEvent, "server": ServerEvent},
    "sideband": {"client": ConnectClientEvent, "server": ConnectServerEvent},
    "fork": {"client": ForkClientEvent, "server": ForkServerEvent},
}


def _members(union: Any) -> tuple[type[pydantic.BaseModel], ...]:
    if get_origin(union) is Annotated:
        union = get_args(union)[0]
    return get_args(union)


class _Walker:
    def __init__(self) -> None:
        self.models: dict[str, dict[str, Any]] = {}
        self._names: dict[type[pydantic.BaseModel], str] = {}

    def name(self, model: type[pydantic.BaseModel]) -> str:
        if model not in self._names:
            short = model.__name__
            taken = {n for m, n in self._names.items() if m.__name__ == short}
            qualified = f"{model.__module__.rsplit('.', 1)[-1]}.{short}"
            self._names[model] = qualified if taken or short in self.models else short
            self.models[self._names[model]] = {}
            self.models[self._names[model]] = self.fields(model)
        return self._names[model]

    def render(self, tp: Any, found: dict[str, list[Any]]) -> str:
        origin, args = get_origin(tp), get_args(tp)
        if origin is Annotated:
            return self.render(args[0], found)
        if tp is type(None):
            return "null"
        if tp in (str, int, float, bool):
            return str(tp.__name__)
        if tp is object or tp is Any:
            return "any"
        if origin is Literal:
            found["literals"].extend(args)
            return "literal[" + ", ".join(json.dumps(a) for a in args) + "]"
        if origin in (Union, types.UnionType):
            return " | ".join(self.render(a, found) for a in args)
        if origin in (list, dict):
            return f"{origin.__name__}[" + ", ".join(self.render(a, found) for a in args) + "]"
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            if tp.__module__.startswith("openai.types.responses."):
                # A Responses API type (``response.item.create``): named, not walked.
                return f"responses.{tp.__name__}"
            name = self.name(tp)
            found["models"].append(name)
            return name
        if getattr(tp, "__supertype__", None) is not None or hasattr(tp, "__metadata__"):
            return self.render(getattr(tp, "__origin__", tp), found)
        return str(getattr(tp, "__name__", tp))

    def fields(self, model: type[pydantic.BaseModel]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, field in sorted(model.model_fields.items()):
            found: dict[str, list[Any]] = {"literals": [], "models": []}
            entry: dict[str, Any] = {
                "type": self.render(field.annotation, found),
                "required": field.is_required(),
            }
            entry.update({key: value for key, value in found.items() if value})
            out[field.alias or name] = entry
        return out


def catalog() -> dict[str, Any]:
    """The catalog as a JSON-ready dict."""
    walker = _Walker()
    channels: dict[str, Any] = {}
    for channel, sides in UNIONS.items():
        channels[channel] = {}
        for side, union in sides.items():
            events = {}
            for model in _members(union):
                (kind,) = get_args(model.model_fields["type"].annotation)
                events[kind] = {"model": model.__name__, "fields": walker.fields(model)}
            channels[channel][side] = dict(sorted(events.items()))
    return {
        "source": f"openai (Python SDK) {version('openai')}: pydantic models in openai.types.live",
        **channels,
        "models": dict(sorted(walker.models.items())),
    }


if __name__ == "__main__":
    json.dump(catalog(), sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
