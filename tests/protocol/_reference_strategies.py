"""Hypothesis strategies that build JSON payloads from the reference's own pydantic models.

The other direction from :mod:`._strategies`: instead of building our structs, walk the
``openai`` models' annotations, so that payloads our types could not express are generated too.
A required field is always present, an optional one is absent, ``null`` or a value; *dense*
payloads give every optional field a value, to reach the deeply nested objects.

One rule is added to what pydantic checks: a model that is one member of a union of models has
its ``type`` present. Most such unions the SDK declares tagged by ``type``
(``PropertyInfo(discriminator="type")``) and its own parser dispatches on that tag; pydantic's
``TypeAdapter`` does not read openai's marker, so it would accept an audio format with no
``type``. One union is not declared tagged (the tools of ``response.create``, where a function
tool's ``type`` is optional in the schema); our decoder needs the tag there too, a known limit.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pydantic
from hypothesis import strategies as st
from openai._utils import PropertyInfo

from ._strategies import json_values, texts

__all__ = ["payloads"]

_Key = tuple[type[pydantic.BaseModel], bool, bool]
_cache: dict[_Key, st.SearchStrategy[dict[str, Any]]] = {}


def _tagged(metadata: Any) -> bool:
    return any(isinstance(m, PropertyInfo) and m.discriminator == "type" for m in metadata)


def _value(tp: Any, dense: bool, tagged: bool = False) -> st.SearchStrategy[Any]:
    if tp is str:
        return texts
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers()
    if tp is float:
        # JSON writes whole floats either way; the reference reads both as float.
        return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**6), 10**6)
    if tp is type(None):
        return st.none()
    if tp is object or tp is Any:
        return json_values
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _value(args[0], dense, tagged or _tagged(tp.__metadata__))
    if origin is Literal:
        return st.sampled_from(args)
    if origin in (Union, types.UnionType):
        if dense and type(None) in args:
            args = tuple(arg for arg in args if arg is not type(None))
        models = [a for a in args if isinstance(a, type) and issubclass(a, pydantic.BaseModel)]
        tagged = tagged or len(models) > 1
        return st.one_of([_value(arg, dense, tagged) for arg in args])
    if origin is list:
        return st.lists(_value(args[0], dense), max_size=2 if dense else 3)
    if origin is dict:
        return st.dictionaries(_value(args[0], dense), _value(args[1], dense), max_size=2)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return payloads(tp, tagged=tagged, dense=dense)
    raise TypeError(f"no strategy for {tp!r}")


def _without_none(tp: Any) -> Any:
    if get_origin(tp) not in (Union, types.UnionType):
        return tp
    args = tuple(arg for arg in get_args(tp) if arg is not type(None))
    return Union[args] if len(args) > 1 else args[0]  # noqa: UP007 - built from a tuple


def payloads(
    model: type[pydantic.BaseModel], *, tagged: bool = True, dense: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects that ``model`` accepts (``tagged``: its ``type`` must be present)."""
    key = (model, tagged, dense)
    if key not in _cache:
        _cache[key] = st.deferred(lambda: _build(model, tagged, dense))
    return _cache[key]


def _build(
    model: type[pydantic.BaseModel], tagged: bool, dense: bool
) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in model.model_fields.items():
        wire = field.alias or name
        annotation = field.annotation
        if tagged and name == "type":
            required[wire] = _value(_without_none(annotation), dense)
            continue
        strategy = _value(annotation, dense, _tagged(field.metadata))
        (required if dense or field.is_required() else optional)[wire] = strategy
    return st.fixed_dictionaries(required, optional=optional)
