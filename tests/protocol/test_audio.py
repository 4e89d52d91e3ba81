"""Audio helpers: PCM in and out of base64 fields, and reprs that summarise audio and secrets."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from realtime_bus.protocol import (
    ContentPart,
    ConversationItemCreate,
    InputAudioBufferAppend,
    McpTool,
    MessageItem,
    RealtimeSession,
    ResponseOutputAudioDelta,
    SessionUpdate,
    TranslationInputAudioBufferAppend,
    TranslationOutputAudioDelta,
    base64_from_pcm,
    decode,
    encode,
    pcm16_duration_ms,
    pcm_from_base64,
)

from ._reference import GA_CLIENT

_pcm = st.binary(max_size=4096)


def _audio_delta_frame(pcm: bytes, kind: str = "response.output_audio.delta") -> str:
    return json.dumps(
        {
            "type": kind,
            "event_id": "event_1",
            "response_id": "resp_1",
            "item_id": "item_1",
            "output_index": 0,
            "content_index": 0,
            "delta": base64.b64encode(pcm).decode(),
        }
    )


@settings(max_examples=100, deadline=None)
@given(_pcm)
def test_an_append_from_pcm_carries_that_pcm(pcm: bytes) -> None:
    event = InputAudioBufferAppend.from_pcm(pcm, event_id="evt_1")
    assert event.event_id == "evt_1"
    assert pcm_from_base64(event.audio) == pcm
    # What the reference reads off the wire is the same audio, in standard base64.
    reference = GA_CLIENT.validate(encode(event))
    assert base64.b64decode(reference.audio, validate=True) == pcm  # type: ignore[attr-defined]


@settings(max_examples=100, deadline=None)
@given(_pcm)
def test_an_audio_delta_gives_its_pcm(pcm: bytes) -> None:
    event = decode(_audio_delta_frame(pcm))
    assert isinstance(event, ResponseOutputAudioDelta)
    assert event.pcm == pcm
    beta = decode(_audio_delta_frame(pcm, "response.audio.delta"), protocol="beta")
    assert isinstance(beta, ResponseOutputAudioDelta)
    assert beta.pcm == pcm


@settings(max_examples=50, deadline=None)
@given(_pcm)
def test_translation_audio_round_trips(pcm: bytes) -> None:
    append = TranslationInputAudioBufferAppend.from_pcm(pcm)
    assert pcm_from_base64(append.audio) == pcm
    frame = json.dumps(
        {"type": "session.output_audio.delta", "event_id": "e", "delta": append.audio}
    )
    delta = decode(frame, protocol="translation")
    assert isinstance(delta, TranslationOutputAudioDelta)
    assert delta.pcm == pcm


def test_base64_helpers() -> None:
    assert base64_from_pcm(b"") == ""
    assert pcm_from_base64("") == b""
    assert base64_from_pcm(memoryview(b"\x01\x02\x03")) == "AQID"
    assert pcm16_duration_ms(960) == 20.0  # 20 ms of 24 kHz mono PCM16


def test_audio_is_summarised_in_reprs() -> None:
    pcm = bytes(range(256)) * 4
    encoded = base64_from_pcm(pcm)
    append = InputAudioBufferAppend.from_pcm(pcm)
    delta = decode(_audio_delta_frame(pcm))
    item = ConversationItemCreate(
        item=MessageItem(role="user", content=[ContentPart(type="input_audio", audio=encoded)])
    )
    translated = TranslationOutputAudioDelta(delta=encoded)
    for event in (append, delta, item, translated):
        text = repr(event)
        assert f"<base64 {len(encoded)} chars>" in text, text
        assert encoded[:40] not in text
    # Short values are not audio worth hiding, and other fields still show.
    assert "item_id='item_1'" in repr(delta)


def test_mcp_credentials_never_show_in_a_repr() -> None:
    tool = McpTool(
        server_label="crm",
        server_url="https://mcp.example.com",
        authorization="Bearer sk-very-secret",
        headers={"X-Api-Key": "key-very-secret"},
    )
    update = SessionUpdate(session=RealtimeSession(tools=[tool]))
    for text in (repr(tool), repr(update), str(update)):
        assert "very-secret" not in text
        assert "authorization=<redacted>" in text
        assert "headers=<redacted>" in text
        assert "server_label='crm'" in text
    # Hidden from reprs only: the credentials still go on the wire.
    assert b"sk-very-secret" in encode(update)
