"""The item shortcuts build what the reference accepts."""

from __future__ import annotations

import json

import pytest
from openai.types.realtime import RealtimeClientEvent
from pydantic import TypeAdapter

from realtime_bus.protocol import (
    ConversationItemCreate,
    FunctionCallOutputItem,
    MessageItem,
    assistant_message,
    encode,
    function_output,
    pcm_from_base64,
    system_message,
    user_audio,
    user_message,
)

_reference = TypeAdapter(RealtimeClientEvent)


@pytest.mark.parametrize(
    ("item", "role", "kind"),
    [
        (user_message("hi"), "user", "input_text"),
        (system_message("be brief"), "system", "input_text"),
        (assistant_message("hello"), "assistant", "output_text"),
        (user_audio(b"\x01\x02" * 480, transcript="hm"), "user", "input_audio"),
    ],
)
def test_messages_validate_against_the_reference(item: MessageItem, role: str, kind: str) -> None:
    frame = encode(ConversationItemCreate(item=item))
    _reference.validate_json(frame, strict=True)
    sent = json.loads(frame)["item"]
    assert sent["role"] == role
    assert sent["content"][0]["type"] == kind


def test_user_audio_carries_the_pcm() -> None:
    item = user_audio(b"\x05\x06" * 10)
    audio = item.content[0].audio
    assert isinstance(audio, str)
    assert pcm_from_base64(audio) == b"\x05\x06" * 10


def test_function_output_serialises_non_strings() -> None:
    item = function_output("call_1", {"temperature": 21})
    assert isinstance(item, FunctionCallOutputItem)
    assert json.loads(item.output) == {"temperature": 21}
    assert function_output("call_1", "plain").output == "plain"
    _reference.validate_json(encode(ConversationItemCreate(item=item)), strict=True)
