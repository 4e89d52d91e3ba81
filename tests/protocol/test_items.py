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


def test_function_output_takes_the_call_id_as_events_carry_it() -> None:
    from msgspec import UNSET

    from realtime_bus.protocol import FunctionCallItem

    call = FunctionCallItem(name="f", arguments="{}", call_id="call_7")
    assert function_output(call.call_id, 1).call_id == "call_7"
    for missing in (UNSET, None, ""):
        with pytest.raises(ValueError, match="call_id"):
            function_output(missing, 1)


def test_response_accessors_give_precise_types() -> None:
    from realtime_bus.protocol import (
        ContentPart,
        FunctionCallItem,
        MessageItem,
        Response,
        ResponseDone,
        decode,
    )

    assert Response().output_items == []
    assert Response(output=None).output_items == []
    assert Response().text == ""
    frame = (
        b'{"type":"response.done","event_id":"e","response":{"id":"r","output":['
        b'{"type":"message","role":"assistant","content":['
        b'{"type":"output_text","text":"Hello, "},{"type":"output_audio","transcript":"world"}]},'
        b'{"type":"function_call","name":"f","arguments":"{}","call_id":"c"}]}}'
    )
    done = decode(frame)
    assert isinstance(done, ResponseDone)
    items = done.response.output_items
    assert [type(item) for item in items] == [MessageItem, FunctionCallItem]
    assert done.response.text == "Hello, world"
    assert Response(output=[MessageItem(role="assistant", content=[ContentPart()])]).text == ""
