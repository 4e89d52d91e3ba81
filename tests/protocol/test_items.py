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


def test_the_audio_format_of_a_retrieved_part_survives_decoding() -> None:
    from realtime_bus.protocol import ContentPart, ConversationItemRetrieved, Decoder
    from realtime_bus.protocol.server import encode_server

    # The shape of the service's documented example of conversation.item.retrieved.
    frame = json.dumps(
        {
            "type": "conversation.item.retrieved",
            "event_id": "event_CCXGSizgEppa2d4XbKA7K",
            "item": {
                "id": "item_CCXGRxbY0n6WE4EszhF5w",
                "object": "realtime.item",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {"type": "audio", "transcript": "Yes, I can hear you.", "format": "pcm16"}
                ],
            },
        }
    )
    event = Decoder().decode(frame)
    assert isinstance(event, ConversationItemRetrieved)
    assert isinstance(event.item, MessageItem)
    part = event.item.content[0]
    assert isinstance(part, ContentPart)
    assert part.format == "pcm16"
    assert json.loads(encode_server(event)) == json.loads(frame)
