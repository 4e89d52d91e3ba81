"""Absent is not null, and a client event with a wrong field type never reaches the wire."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings

from realtime_bus.protocol import (
    CLIENT_EVENT_CLASSES,
    AudioConfig,
    AudioInputConfig,
    ClientEvent,
    ContentPart,
    ConversationItemCreate,
    ConversationItemDelete,
    ConversationItemTruncate,
    FunctionTool,
    InputAudioBufferAppend,
    McpTool,
    MessageItem,
    RealtimeSession,
    ResponseCancel,
    ResponseCreate,
    ResponseCreateParams,
    SemanticVad,
    ServerVad,
    SessionUpdate,
    encode,
)

from ._strategies import client_builder

_builder = client_builder()


def _wire(event: ClientEvent) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(encode(event))
    return payload


def _keys_follow_fields(obj: Any, wire: Any, path: str = "$") -> list[str]:
    """Paths where the wire disagrees with the struct about which keys are present."""
    if isinstance(obj, msgspec.Struct):
        problems = []
        for field in msgspec.structs.fields(obj):
            value = getattr(obj, field.name)
            here = f"{path}.{field.encode_name}"
            if value is msgspec.UNSET:
                if field.encode_name in wire:
                    problems.append(f"{here}: unset but on the wire")
            elif field.encode_name not in wire:
                problems.append(f"{here}: set but not on the wire")
            elif value is None and wire[field.encode_name] is not None:
                problems.append(f"{here}: None but not null on the wire")
            else:
                problems += _keys_follow_fields(value, wire[field.encode_name], here)
        return problems
    if isinstance(obj, list):
        return [
            p for i, v in enumerate(obj) for p in _keys_follow_fields(v, wire[i], f"{path}[{i}]")
        ]
    return []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_builder.events(CLIENT_EVENT_CLASSES))
def test_exactly_the_fields_that_were_set_are_on_the_wire(event: ClientEvent) -> None:
    assert _keys_follow_fields(event, _wire(event)) == []


def test_an_empty_update_sends_only_the_session_type() -> None:
    assert _wire(SessionUpdate(session=RealtimeSession())) == {
        "type": "session.update",
        "session": {"type": "realtime"},
    }
    assert _wire(ResponseCreate()) == {"type": "response.create"}
    assert _wire(ResponseCancel()) == {"type": "response.cancel"}


def test_turn_detection_none_sends_an_explicit_null() -> None:
    off = SessionUpdate(
        session=RealtimeSession(audio=AudioConfig(input=AudioInputConfig(turn_detection=None)))
    )
    assert _wire(off)["session"]["audio"] == {"input": {"turn_detection": None}}
    untouched = SessionUpdate(session=RealtimeSession(audio=AudioConfig(input=AudioInputConfig())))
    assert _wire(untouched)["session"]["audio"] == {"input": {}}


def test_empty_instructions_and_tools_are_sent() -> None:
    wire = _wire(SessionUpdate(session=RealtimeSession(instructions="", tools=[])))
    assert wire["session"] == {"type": "realtime", "instructions": "", "tools": []}


def test_an_explicit_none_is_sent_as_null_and_unset_is_left_out() -> None:
    wire = _wire(ResponseCancel(response_id=None))
    assert wire == {"type": "response.cancel", "response_id": None}
    assert "event_id" not in _wire(ResponseCancel(response_id="resp_1"))
    assert _wire(ResponseCancel(event_id="evt_1"))["event_id"] == "evt_1"


# Each case builds a client event with one wrong field; the error must name its path.
_WRONG: list[tuple[str, Callable[[], object], str]] = [
    ("str field given an int", lambda: ConversationItemDelete(item_id=5), "$.item_id"),
    (
        "int field given a bool",
        lambda: ConversationItemTruncate(item_id="i", content_index=True, audio_end_ms=0),
        "$.content_index",
    ),
    (
        "int field given a float",
        lambda: ConversationItemTruncate(item_id="i", content_index=0, audio_end_ms=1.5),
        "$.audio_end_ms",
    ),
    (
        "raw PCM bytes where base64 text belongs",
        lambda: InputAudioBufferAppend(audio=b"\x00\x01"),
        "$.audio",
    ),
    (
        "threshold of server VAD inside session.update",
        lambda: SessionUpdate(
            session=RealtimeSession(
                audio=AudioConfig(input=AudioInputConfig(turn_detection=ServerVad(threshold="x")))
            )
        ),
        "$.session.audio.input.turn_detection.threshold",
    ),
    (
        "eagerness of semantic VAD outside its literal",
        lambda: SessionUpdate(
            session=RealtimeSession(
                audio=AudioConfig(
                    input=AudioInputConfig(turn_detection=SemanticVad(eagerness="eager"))
                )
            )
        ),
        "$.session.audio.input.turn_detection.eagerness",
    ),
    (
        "message role outside its literal",
        lambda: ConversationItemCreate(item=MessageItem(role="robot", content=[])),
        "$.item.role",
    ),
    (
        "text of a content part in a list",
        lambda: ConversationItemCreate(
            item=MessageItem(role="user", content=[ContentPart(type="input_text", text=5)])
        ),
        "$.item.content[0].text",
    ),
    (
        "a tool's name deep in a tool list",
        lambda: SessionUpdate(
            session=RealtimeSession(tools=[FunctionTool(name="a"), FunctionTool(name=1)])
        ),
        "$.session.tools[1].name",
    ),
    (
        "MCP headers that are not strings",
        lambda: SessionUpdate(
            session=RealtimeSession(tools=[McpTool(server_label="s", headers={"X-Key": 1})])
        ),
        "$.session.tools[0].headers[...]",
    ),
    (
        "max_output_tokens neither int nor inf",
        lambda: ResponseCreate(response=ResponseCreateParams(max_output_tokens="lots")),
        "$.response.max_output_tokens",
    ),
    (
        "a dict in place of a tool",
        lambda: SessionUpdate(session=RealtimeSession(tools=[{"name": "f"}])),
        "$.session.tools[0]",
    ),
]


@pytest.mark.parametrize(("build", "path"), [c[1:] for c in _WRONG], ids=[c[0] for c in _WRONG])
def test_a_wrong_field_type_fails_when_built_naming_the_field(
    build: Callable[[], object], path: str
) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        build()
    message = str(caught.value)
    assert f"`{path}`" in message, message
    # The event's class is named, so the message reads on its own.
    assert message.split(":")[0] in {cls.__name__ for cls in CLIENT_EVENT_CLASSES}
