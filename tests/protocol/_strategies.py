"""Hypothesis strategies that build protocol structs from their own annotations.

A :class:`Builder` walks a struct's fields: a required field always gets a value, an optional
one is ``UNSET``, ``None`` or a value. A *dense* builder sets every optional field to a value,
so that deeply nested objects (a session's ``audio.input.turn_detection``) are always reached.

Where our types are deliberately more liberal than the reference (content part types, names
the service restricts to a list), a builder is given overrides so that what it generates is
something the reference accepts; each override says why.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Any, Literal, Union, get_args, get_origin

import msgspec
from hypothesis import strategies as st
from openai.types.realtime.rate_limits_updated_event import RateLimit as RefRateLimit
from openai.types.realtime.realtime_tools_config_union import Mcp as RefMcpTool

from realtime_bus.protocol import (
    ContentPart,
    McpTool,
    MessageItem,
    RateLimit,
    RealtimeSession,
    ResponseAudioOutput,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ServerEvent,
    TranscriptionSession,
)

from ._reference import literal_values

__all__ = [
    "Builder",
    "client_builder",
    "json_values",
    "server_builder",
    "texts",
]

texts = st.text(max_size=12)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
"""Any JSON value (the protocol's free-form fields: tool parameters, metadata, ...)."""

_UNSET = st.just(msgspec.UNSET)
_SCALARS: dict[Any, st.SearchStrategy[Any]] = {
    Any: json_values,
    str: texts,
    bool: st.booleans(),
    # msgspec and pydantic both take integers of any size; keep them readable when shrunk.
    int: st.integers(-(2**63), 2**63 - 1),
    # JSON has no NaN or infinity (msgspec would write them as null).
    float: st.floats(allow_nan=False, allow_infinity=False),
    type(None): st.none(),
    msgspec.UnsetType: _UNSET,
}

FieldKey = tuple[type[msgspec.Struct], str]


class Builder:
    """Strategies for protocol structs, with per-field overrides.

    ``fields`` maps ``(StructClass, field_name)`` to the strategy for that field; ``structs``
    maps a struct class to a strategy that replaces it wherever it appears.
    """

    def __init__(self, *, dense: bool = False) -> None:
        self.dense = dense
        self.fields: dict[FieldKey, st.SearchStrategy[Any]] = {}
        self.structs: dict[type[msgspec.Struct], st.SearchStrategy[Any]] = {}
        self._cache: dict[type[msgspec.Struct], st.SearchStrategy[Any]] = {}

    def of(self, tp: Any) -> st.SearchStrategy[Any]:
        """A strategy for values of the annotation ``tp``."""
        if tp in _SCALARS:
            return _SCALARS[tp]
        origin = get_origin(tp)
        args = get_args(tp)
        if origin is Literal:
            return st.sampled_from(args)
        if origin in (Union, types.UnionType):
            if self.dense and msgspec.UnsetType in args:
                args = tuple(a for a in args if a not in (msgspec.UnsetType, type(None)))
            # UNSET and None first: hypothesis shrinks towards the first branch.
            ordered = sorted(args, key=lambda a: (a is not msgspec.UnsetType, a is not type(None)))
            return st.one_of([self.of(arg) for arg in ordered])
        if origin is list:
            return st.lists(self.of(args[0]), max_size=2 if self.dense else 3)
        if origin is dict:
            return st.dictionaries(self.of(args[0]), self.of(args[1]), max_size=2)
        if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
            if tp in self.structs:
                return self.structs[tp]
            if tp not in self._cache:
                self._cache[tp] = st.deferred(lambda: self.struct(tp))
            return self._cache[tp]
        raise TypeError(f"no strategy for {tp!r}")

    def struct(
        self,
        cls: type[msgspec.Struct],
        *,
        only: Iterable[str] | None = None,
        **given: st.SearchStrategy[Any],
    ) -> st.SearchStrategy[Any]:
        """Instances of ``cls``; ``given`` fixes field strategies, ``only`` unsets the rest."""
        keep = None if only is None else set(only)
        kwargs: dict[str, st.SearchStrategy[Any]] = {}
        for field in msgspec.structs.fields(cls):
            if field.name in given:
                kwargs[field.name] = given[field.name]
            elif field.name == "received" and issubclass(cls, ServerEvent):
                kwargs[field.name] = _UNSET  # the bus's receive time, not a protocol field
            elif keep is not None and field.name not in keep and field.default is msgspec.UNSET:
                kwargs[field.name] = _UNSET
            elif (cls, field.name) in self.fields:
                kwargs[field.name] = self.fields[(cls, field.name)]
            else:
                kwargs[field.name] = self.of(field.type)
        return st.builds(cls, **kwargs)

    def optional(self, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        """``UNSET``, ``None`` or a value of ``strategy`` (only a value when dense)."""
        return strategy if self.dense else _UNSET | st.none() | strategy

    def events(self, classes: Iterable[type[msgspec.Struct]]) -> st.SearchStrategy[Any]:
        """Any event of ``classes``."""
        return st.one_of([self.of(cls) for cls in classes])


def _part(builder: Builder, kinds: tuple[str, ...], fields: Iterable[str]) -> Any:
    return builder.struct(ContentPart, only=fields, type=builder.optional(st.sampled_from(kinds)))


def _message_items(builder: Builder) -> st.SearchStrategy[MessageItem]:
    # One item type serves three roles, and the reference gives each role its own content
    # types. Our ContentPart takes the union of them all (the live service is looser than its
    # schema), so the strategy pairs each role with the content the reference accepts for it.
    system = _part(builder, ("input_text",), ("type", "text"))
    user = _part(
        builder,
        ("input_text", "input_audio", "input_image"),
        ("type", "text", "audio", "transcript", "image_url", "detail"),
    )
    assistant = _part(
        builder, ("output_text", "output_audio"), ("type", "text", "audio", "transcript")
    )
    return st.one_of(
        builder.struct(MessageItem, role=st.just(role), content=st.lists(parts, max_size=3))
        for role, parts in (("system", system), ("user", user), ("assistant", assistant))
    )


def _common(builder: Builder) -> Builder:
    builder.structs[MessageItem] = _message_items(builder)
    # The service restricts MCP connectors to a fixed list; our field is a plain string so that
    # a new connector needs no new release.
    builder.fields[(McpTool, "connector_id")] = builder.optional(
        st.sampled_from(literal_values(RefMcpTool, "connector_id"))
    )
    return builder


def client_builder(*, dense: bool = False) -> Builder:
    """Builds client events the reference accepts."""
    builder = _common(Builder(dense=dense))
    # ``id``, ``object`` and ``expires_at`` are what the server reports about a session; a
    # client has no business sending them, and the reference does not declare them.
    for session in (RealtimeSession, TranscriptionSession):
        for name in ("id", "object", "expires_at"):
            builder.fields[(session, name)] = _UNSET
    return builder


def server_builder(*, dense: bool = False) -> Builder:
    """Builds server events the reference accepts."""
    builder = _common(Builder(dense=dense))
    # The parts of content-part events are typed ``text`` / ``audio`` (not ``output_*``).
    part = _part(builder, ("text", "audio"), ("type", "text", "audio", "transcript"))
    builder.fields[(ResponseContentPartAdded, "part")] = part
    builder.fields[(ResponseContentPartDone, "part")] = part
    # A response reports its voice by name; custom voice ids are only set by clients.
    builder.fields[(ResponseAudioOutput, "voice")] = builder.optional(texts)
    # Our RateLimit.name accepts any string so that a new limit does not fail a whole event.
    builder.fields[(RateLimit, "name")] = builder.optional(
        st.sampled_from(literal_values(RefRateLimit, "name"))
    )
    return builder
