"""The ``openai`` package's pydantic models, used as a test-only reference for the protocol.

The library never imports ``openai``; the tests hold our structs against its models, which
validate strictly. Its unions are plain (smart) unions, so a failed union validation is re-run
against the one model for the event's ``type`` to get an error a person can read.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pydantic
from openai.types.beta import realtime as beta
from openai.types.realtime import (
    RealtimeClientEvent,
    RealtimeServerEvent,
    RealtimeTranslationClientEvent,
    RealtimeTranslationServerEvent,
)

__all__ = [
    "BETA_CLIENT",
    "BETA_SERVER",
    "GA_CLIENT",
    "GA_SERVER",
    "TRANSLATION_CLIENT",
    "TRANSLATION_SERVER",
    "Reference",
    "differences",
    "literal_values",
    "undeclared",
    "union_members",
    "wire_type",
]


def union_members(union: Any) -> tuple[type[pydantic.BaseModel], ...]:
    """The models of a union, whether or not it is wrapped in ``Annotated``."""
    if get_origin(union) is Annotated:
        union = get_args(union)[0]
    if get_origin(union) is not Union:
        raise TypeError(f"not a union: {union!r}")
    return get_args(union)


def literal_values(model: type[pydantic.BaseModel], field: str) -> tuple[Any, ...]:
    """Every literal value in the annotation of ``model.field`` (through unions)."""
    found: list[Any] = []

    def walk(tp: Any) -> None:
        if get_origin(tp) is Literal:
            found.extend(get_args(tp))
        else:
            for arg in get_args(tp):
                walk(arg)

    walk(model.model_fields[field].annotation)
    return tuple(found)


def wire_type(model: type[pydantic.BaseModel]) -> str:
    """The event name a model stands for: the single value of its ``type`` literal."""
    (value,) = literal_values(model, "type")
    if not isinstance(value, str):
        raise TypeError(f"{model.__name__}.type is not a string literal")
    return value


class Reference:
    """One union of the reference (GA server, GA client, ...) with a readable validation."""

    def __init__(self, union: Any) -> None:
        self.adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(union)
        self.models = {wire_type(model): model for model in union_members(union)}

    @property
    def types(self) -> set[str]:
        """The event names of the union."""
        return set(self.models)

    def validate(self, frame: bytes | str) -> pydantic.BaseModel:
        """Validate ``frame`` strictly; on failure raise the error of the one matching model."""
        try:
            model: pydantic.BaseModel = self.adapter.validate_json(frame, strict=True)
        except pydantic.ValidationError:
            kind = json.loads(frame).get("type")
            if kind not in self.models:
                raise AssertionError(f"the reference has no event {kind!r}") from None
            self.models[kind].model_validate_json(frame, strict=True)
            raise
        return model


GA_SERVER = Reference(RealtimeServerEvent)
GA_CLIENT = Reference(RealtimeClientEvent)
BETA_SERVER = Reference(beta.RealtimeServerEvent)
BETA_CLIENT = Reference(beta.RealtimeClientEvent)
TRANSLATION_SERVER = Reference(RealtimeTranslationServerEvent)
TRANSLATION_CLIENT = Reference(RealtimeTranslationClientEvent)


def undeclared(value: Any, path: str = "$") -> list[str]:
    """Paths of keys the reference models accepted as extras rather than as declared fields.

    The models allow unknown keys, so a misspelt field name would otherwise validate.
    """
    out: list[str] = []
    if isinstance(value, pydantic.BaseModel):
        out += [f"{path}.{key}" for key in value.model_extra or {}]
        for name in type(value).model_fields:
            out += undeclared(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += undeclared(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            out += undeclared(item, f"{path}.{key}")
    return out


def differences(ours: Any, theirs: Any, path: str = "$") -> list[str]:
    """Where two builtin trees differ, one line per differing leaf (types compared too)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out: list[str] = []
        for key in sorted(ours.keys() | theirs.keys()):
            if key not in ours:
                out.append(f"{path}.{key}: absent from ours, reference has {theirs[key]!r}")
            elif key not in theirs:
                out.append(f"{path}.{key}: ours has {ours[key]!r}, absent from reference")
            else:
                out += differences(ours[key], theirs[key], f"{path}.{key}")
        return out
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return [f"{path}: {len(ours)} items in ours, {len(theirs)} in reference"]
        out = []
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            out += differences(a, b, f"{path}[{index}]")
        return out
    if type(ours) is not type(theirs) or ours != theirs:
        return [f"{path}: ours {ours!r}, reference {theirs!r}"]
    return []
