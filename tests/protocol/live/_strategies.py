"""Builders of Live structs that the reference accepts (overrides where ours are looser)."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import strategies as st

from realtime_bus.protocol import live

from .._strategies import Builder, texts

__all__ = ["live_client_builder", "live_server_builder", "responses_items"]

responses_items: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["user", "assistant", "system", "developer"]), "content": texts},
        optional={"type": st.just("message")},
    ),
    st.fixed_dictionaries(
        {"type": st.just("function_call_output"), "call_id": texts, "output": texts}
    ),
    st.fixed_dictionaries({"type": st.just("item_reference"), "id": texts}),
)
"""Responses API input items (ours carries them as JSON objects; the reference types them)."""


def _messages(b: Builder, *, stored: bool) -> st.SearchStrategy[live.DecisionMessage]:
    # One message struct serves four roles; the reference gives each role its content types.
    parts = {
        "user": st.one_of(b.of(live.InputText), b.of(live.InputImage), b.of(live.InputJson)),
        "developer": b.of(live.InputText),
        "system": b.of(live.InputText),
        "assistant": st.one_of(b.of(live.OutputText), b.of(live.Refusal)),
    }
    ident = texts if stored else b.optional(texts)
    return st.one_of(
        b.struct(
            live.DecisionMessage,
            role=st.just(role),
            content=texts | st.lists(part, max_size=3),
            id=ident,
            **({} if role == "assistant" else {"phase": st.just(msgspec.UNSET)}),
        )
        for role, part in parts.items()
    )


def _common(b: Builder, *, stored: bool) -> Builder:
    b.structs[live.DecisionMessage] = _messages(b, stored=stored)
    b.fields[(live.ResponseItemCreate, "item")] = responses_items
    if stored:
        # Items the server reports carry the id it gave them.
        for cls in (
            live.FunctionCallItem,
            live.FunctionCallOutputItem,
            live.CustomToolCallItem,
            live.CustomToolCallOutputItem,
        ):
            b.fields[(cls, "id")] = texts
    return b


def live_client_builder(*, dense: bool = False) -> Builder:
    """Builds Live client events the reference accepts."""
    return _common(Builder(dense=dense), stored=False)


def live_server_builder(*, dense: bool = False) -> Builder:
    """Builds Live server events the reference accepts."""
    b = _common(Builder(dense=dense), stored=True)
    # The two events the reference gives no event_id read as an empty one (left off the wire).
    for cls in (live.OutputAudioDelta, live.InputAudioReflected):
        b.fields[(cls, "event_id")] = st.just("")
    return b
