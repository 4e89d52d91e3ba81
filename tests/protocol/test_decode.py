"""The decoder types what it knows, keeps what it does not, and names what is broken."""

from __future__ import annotations

import json
from typing import Any

import pytest

from realtime_bus.protocol import (
    ContentPart,
    ConversationItemDone,
    ConversationItemInputAudioTranscriptionDelta,
    DecodeError,
    Decoder,
    MessageItem,
    RealtimeBusError,
    RealtimeSession,
    ResponseDone,
    ResponseOutputItemDone,
    ResponseOutputTextDelta,
    ServerEvent,
    SessionCreated,
    UnknownEvent,
    decode,
)
from realtime_bus.protocol.server import ClientDecoder


def _frame(**payload: Any) -> bytes:
    return json.dumps(payload).encode()


@pytest.mark.parametrize("as_text", [False, True], ids=["bytes", "str"])
def test_an_unknown_type_becomes_an_unknown_event_keeping_everything(as_text: bool) -> None:
    frame: bytes | str = _frame(type="session.teleported", event_id="event_9", to={"x": [1, 2]})
    if as_text:
        frame = frame.decode()
    event = decode(frame)
    assert isinstance(event, UnknownEvent)
    assert isinstance(event, ServerEvent)
    assert event.type == "session.teleported"
    assert event.event_id == "event_9"
    assert event.payload == {
        "type": "session.teleported",
        "event_id": "event_9",
        "to": {"x": [1, 2]},
    }
    assert event.raw is frame


def test_an_unknown_event_without_event_id_is_still_delivered() -> None:
    event = decode(b'{"type":"x.y","event_id":7}')
    assert isinstance(event, UnknownEvent)
    assert event.event_id == ""
    assert event.payload["event_id"] == 7


def test_extra_fields_are_ignored() -> None:
    frame = _frame(
        type="response.output_text.delta",
        event_id="e",
        response_id="r",
        item_id="i",
        output_index=0,
        content_index=0,
        delta="Hi",
        brand_new_field={"nested": True},
    )
    event = decode(frame)
    assert isinstance(event, ResponseOutputTextDelta)
    assert event.delta == "Hi"


def test_session_created_keeps_id_object_and_expiry() -> None:
    frame = _frame(
        type="session.created",
        event_id="e",
        session={
            "type": "realtime",
            "id": "sess_1",
            "object": "realtime.session",
            "expires_at": 1767225600,
            "model": "gpt-realtime",
        },
    )
    event = decode(frame)
    assert isinstance(event, SessionCreated)
    assert isinstance(event.session, RealtimeSession)
    assert (event.session.id, event.session.object, event.session.expires_at) == (
        "sess_1",
        "realtime.session",
        1767225600,
    )


def test_deltas_keep_obfuscation() -> None:
    frame = _frame(
        type="conversation.item.input_audio_transcription.delta",
        event_id="e",
        item_id="i",
        content_index=0,
        delta="Hel",
        obfuscation="q8Zr",
    )
    event = decode(frame)
    assert isinstance(event, ConversationItemInputAudioTranscriptionDelta)
    assert event.obfuscation == "q8Zr"


@pytest.mark.parametrize("kinds", [("text", "audio"), ("output_text", "output_audio")])
def test_assistant_content_typed_either_way_is_accepted(kinds: tuple[str, str]) -> None:
    text_kind, audio_kind = kinds
    item = {
        "id": "item_1",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [
            {"type": text_kind, "text": "Hello"},
            {"type": audio_kind, "transcript": "Hello"},
        ],
    }
    for event in (
        decode(_frame(type="conversation.item.done", event_id="e", item=item)),
        decode(
            _frame(
                type="response.output_item.done",
                event_id="e",
                response_id="r",
                output_index=0,
                item=item,
            )
        ),
        decode(_frame(type="response.done", event_id="e", response={"output": [item]})),
    ):
        assert isinstance(event, ConversationItemDone | ResponseOutputItemDone | ResponseDone)
        found = event.response.output[0] if isinstance(event, ResponseDone) else event.item  # type: ignore[index]
        assert isinstance(found, MessageItem)
        assert found.content == [
            ContentPart(type=text_kind, text="Hello"),  # type: ignore[arg-type]
            ContentPart(type=audio_kind, transcript="Hello"),  # type: ignore[arg-type]
        ]


_BROKEN: list[tuple[str, bytes | str, str]] = [
    ("not JSON", b"{not json", "not valid JSON"),
    ("truncated", b'{"type":"response.done","event_id":"e"', "not valid JSON"),
    ("invalid UTF-8", b'{"type":"\xff"}', "not valid JSON"),
    ("a text frame with a lone surrogate", '{"type":"\ud800"}', "not valid JSON"),
    ("empty", b"", "not valid JSON"),
    ("a JSON array", b'[{"type":"response.done"}]', "JSON list, not an object"),
    ("a JSON string", '"response.done"', "JSON str, not an object"),
    ("a JSON number", b"42", "JSON int, not an object"),
    ("JSON null", b"null", "JSON NoneType, not an object"),
    ("no type", b'{"event_id":"e"}', "no string 'type'"),
    ("a numeric type", b'{"type":5}', "no string 'type'"),
    ("a null type", b'{"type":null}', "no string 'type'"),
    (
        "a known type missing a required field",
        b'{"type":"conversation.item.deleted","event_id":"e"}',
        "`item_id`",
    ),
    (
        "a field of the wrong type",
        b'{"type":"response.done","event_id":"e","response":5}',
        "`$.response`",
    ),
    (
        "a nested field of the wrong type",
        b'{"type":"rate_limits.updated","event_id":"e","rate_limits":[{"limit":"many"}]}',
        "`$.rate_limits[0].limit`",
    ),
    (
        "an item of an unknown kind inside a known event",
        b'{"type":"conversation.item.done","event_id":"e","item":{"type":"hologram"}}',
        "`$.item.type`",
    ),
]


@pytest.mark.parametrize(("frame", "says"), [c[1:] for c in _BROKEN], ids=[c[0] for c in _BROKEN])
def test_a_broken_frame_raises_decode_error_naming_the_problem(
    frame: bytes | str, says: str
) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(frame)
    error = caught.value
    assert isinstance(error, RealtimeBusError)
    assert error.frame is frame
    assert says in str(error), str(error)
    assert error.message == str(error)


def test_a_schema_error_names_the_event_type() -> None:
    with pytest.raises(DecodeError, match=r"'response\.done' event does not fit its schema"):
        decode(b'{"type":"response.done","event_id":"e","response":5}')


def test_decode_error_repr_summarises_the_frame() -> None:
    frame = b'{"type":"response.done","response":"' + b"A" * 10_000 + b'"}'
    with pytest.raises(DecodeError) as caught:
        decode(frame)
    assert repr(caught.value).endswith(f"frame=<{len(frame)} bytes>)")
    assert len(repr(caught.value)) < 500


def test_a_decoder_is_reusable_and_rejects_an_unknown_dialect() -> None:
    decoder = Decoder()
    for _ in range(3):
        assert isinstance(decoder.decode(b'{"type":"response.done","response":{}}'), ResponseDone)
    with pytest.raises(ValueError, match="unknown protocol"):
        Decoder("gamma")  # type: ignore[arg-type]


def test_the_server_side_decoder_names_the_client_event_it_cannot_read() -> None:
    decoder = ClientDecoder()
    with pytest.raises(DecodeError) as caught:
        decoder.decode(b'{"type":"conversation.item.delete","event_id":"evt_7","item_id":3}')
    assert (caught.value.event_type, caught.value.event_id) == ("conversation.item.delete", "evt_7")
    assert not caught.value.unknown_type
    assert "`$.item_id`" in caught.value.message
    with pytest.raises(DecodeError) as caught:
        decoder.decode(b'{"type":"session.teleport","event_id":"evt_8"}')
    assert caught.value.unknown_type
    assert "session.teleport" in caught.value.message
    for frame in (b"{", b"[]", b'{"type":"\xff"}', '{"type":"\ud800"}'):
        with pytest.raises(DecodeError):
            decoder.decode(frame)
