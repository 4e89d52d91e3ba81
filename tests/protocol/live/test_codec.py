"""The Live codec keeps the Realtime guarantees: absent is not null, checks on build, no loss."""

from __future__ import annotations

import msgspec
import pytest

from realtime_bus.protocol import live
from realtime_bus.protocol.live import (
    DecodeError,
    LiveClientDecoder,
    decode_live,
    encode_live,
    encode_live_server,
)


def test_absent_and_null_differ_on_the_wire() -> None:
    absent = live.InstructionsAppend(content="be brief")
    null = live.InstructionsAppend(content="be brief", delegation_id=None)
    assert msgspec.json.decode(encode_live(absent)) == {
        "type": "session.instructions.append",
        "content": "be brief",
    }
    assert msgspec.json.decode(encode_live(null))["delegation_id"] is None
    event = decode_live(b'{"type":"session.usage.updated","event_id":"e","usage":{"seconds":1}}')
    assert isinstance(event, live.SessionUsageUpdated)
    assert event.context_window is msgspec.UNSET
    assert event.usage.active_seconds is msgspec.UNSET


def test_client_events_check_their_fields_when_built() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"InstructionsAppend.*\$\.content"):
        live.InstructionsAppend(content=3)  # type: ignore[arg-type]
    with pytest.raises(msgspec.ValidationError, match="rate"):
        live.SessionStart(
            session=live.SessionConfig(
                model="gpt-live-1",
                audio=live.AudioConfig(format=live.AudioPCM(rate=8000)),  # type: ignore[arg-type]
            )
        )
    with pytest.raises(msgspec.ValidationError):
        live.InputAudioAppend(audio=b"\x00\x01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="event_id"):
        live.DecisionCreate()  # type: ignore[call-arg]


def test_audio_is_built_from_pcm_and_summarised_in_reprs() -> None:
    append = live.InputAudioAppend.from_pcm(b"\x00\x00" * 480)
    assert msgspec.json.decode(encode_live(append))["audio"] == "AAAA" * 320
    assert "base64 1280 chars" in repr(append)
    delta = live.OutputAudioDelta(delta="A" * 400)
    assert "base64 400 chars" in repr(delta)


def test_secrets_stay_out_of_reprs() -> None:
    tool = live.McpTool(server_url="https://mcp.example", authorization="sk-secret")
    config = live.SessionConfig(model="gpt-live-1", safety_identifier="user-1234")
    assert "sk-secret" not in repr(tool)
    assert "user-1234" not in repr(config)


def test_unknown_types_are_delivered_not_dropped() -> None:
    frame = b'{"type":"session.future_thing","event_id":"e9","x":1}'
    event = decode_live(frame)
    assert isinstance(event, live.UnknownEvent)
    assert event.type == "session.future_thing"
    assert event.event_id == "e9"
    assert event.payload == {"type": "session.future_thing", "event_id": "e9", "x": 1}
    assert event.raw is frame


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "not an object"),
        (b'{"event_id": "e"}', "no string 'type'"),
        (b'{"type": "session.closed", "event_id": "e"}', "does not fit its schema"),
        (b'{"type": "session.input_audio.muted", "event_id": 5}', "does not fit"),
    ],
)
def test_broken_frames_raise_decode_error_carrying_the_frame(frame: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message) as caught:
        decode_live(frame)
    assert caught.value.frame is frame


def test_a_message_item_without_type_is_read_as_a_message() -> None:
    frame = (
        b'{"type":"decision.item.created","event_id":"e","client_event_id":"c",'
        b'"item":{"id":"i1","role":"user","content":"my order is late"}}'
    )
    event = decode_live(frame)
    assert isinstance(event, live.DecisionItemCreated)
    assert event.item == live.DecisionMessage(id="i1", role="user", content="my order is late")
    command = b'{"type":"decision.item.create","item":{"role":"user","content":"hi"}}'
    read = LiveClientDecoder().decode(command)
    assert isinstance(read, live.DecisionItemCreate)
    assert read.item == live.DecisionMessage(role="user", content="hi")


def test_events_without_event_id_leave_it_off_the_wire() -> None:
    assert msgspec.json.decode(encode_live_server(live.OutputAudioDelta(delta="AA=="))) == {
        "type": "session.output_audio.delta",
        "delta": "AA==",
    }
    muted = live.InputAudioMuted(event_id="", client_event_id="c1")
    assert msgspec.json.decode(encode_live_server(muted))["event_id"] == ""


def test_client_decoder_names_the_failed_event() -> None:
    with pytest.raises(DecodeError) as caught:
        LiveClientDecoder().decode(b'{"type":"session.instructions.append","event_id":"c7"}')
    assert caught.value.event_type == "session.instructions.append"
    assert caught.value.event_id == "c7"
    assert not caught.value.unknown_type
    with pytest.raises(ValueError, match="unknown Live channel"):
        LiveClientDecoder("phone")  # type: ignore[arg-type]


def test_encoder_refuses_what_is_not_a_client_event() -> None:
    with pytest.raises(live.EncodeError):
        encode_live(live.OutputAudioDelta(delta=""))  # type: ignore[arg-type]
