"""Synthesized speech survives a phone line: G.711 at 8 kHz in, the same words out, both ways."""

from __future__ import annotations

import array
import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realtime_bus.audio import from_session_format, resample, to_session_format
from realtime_bus.testing import Simulator, decode_speech, synthesize_speech, tone

from ._client import connect


def _phone(pcm: bytes, kind: str, backend: str = "auto") -> bytes:
    """24 kHz PCM16 -> G.711 at 8 kHz -> back to 24 kHz, as a phone line would carry it."""
    wire = to_session_format(pcm, kind, rate=24000, backend=backend)  # type: ignore[arg-type]
    return from_session_format(wire, kind, rate=24000, backend=backend)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["audio/pcmu", "audio/pcma"])
@pytest.mark.parametrize("backend", ["python", "soxr"])
def test_words_survive_g711(kind: str, backend: str) -> None:
    text = "what's the weather in Paris? ünïcode, 42 %"
    assert decode_speech(_phone(synthesize_speech(text), kind, backend)) == text


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_text_survives_mu_law(text: str) -> None:
    assert decode_speech(_phone(synthesize_speech(text, ms_per_char=20), "audio/pcmu")) == text


def test_level_changes_and_offsets_do_not_matter() -> None:
    at_8k = array.array("h", resample(synthesize_speech("quieter and later"), 24000, 8000))
    # 6 dB quieter, and 37 samples (4.6 ms) later
    shifted = array.array("h", [0] * 37 + [s // 2 for s in at_8k])
    assert decode_speech(resample(shifted.tobytes(), 8000, 24000)) == "quieter and later"


def test_what_carries_no_words() -> None:
    assert decode_speech(tone(800)) is None
    assert decode_speech(_phone(tone(800), "audio/pcmu")) is None
    assert decode_speech(bytes(48_000)) is None


async def test_a_phone_call_is_understood_and_answered(sim: Simulator) -> None:
    client = await connect(sim)
    await client.update_session(
        {
            "type": "realtime",
            "audio": {
                "input": {
                    "format": {"type": "audio/pcmu"},
                    "transcription": {"model": "gpt-4o-transcribe"},
                },
                "output": {"format": {"type": "audio/pcmu"}},
            },
        }
    )
    caller = to_session_format(synthesize_speech("book a table for two"), "audio/pcmu", rate=24000)
    for start in range(0, len(caller), 160):  # 20 ms frames, as a phone network sends them
        chunk = base64.b64encode(caller[start : start + 160]).decode()
        await client.send({"type": "input_audio_buffer.append", "audio": chunk})
    events = await client.until("response.done", timeout=15)
    transcript = next(
        e for e in events if e["type"] == "conversation.item.input_audio_transcription.completed"
    )
    assert transcript["transcript"] == "book a table for two"
    wire = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    said = next(e for e in events if e["type"] == "response.output_audio_transcript.done")
    assert said["transcript"] == "You said: book a table for two"
    # the assistant's mu-law audio carries the same words
    assert decode_speech(from_session_format(wire, "audio/pcmu", rate=24000)) == said["transcript"]
