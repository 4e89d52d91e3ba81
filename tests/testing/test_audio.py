"""Input audio (append, commit, clear, server VAD, transcription) and audio output."""

from __future__ import annotations

import asyncio
import base64

import pytest

from realtime_bus.protocol import PCM16_BYTES_PER_SECOND
from realtime_bus.testing import (
    Simulator,
    decode_speech,
    silence,
    synthesize_speech,
    tone,
)

from ._client import Client, connect, text_item

NO_VAD = {
    "type": "session.update",
    "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
}


def append(pcm: bytes, event_id: str | None = None) -> dict[str, object]:
    event: dict[str, object] = {
        "type": "input_audio_buffer.append",
        "audio": base64.b64encode(pcm).decode(),
    }
    if event_id:
        event["event_id"] = event_id
    return event


async def send_audio(client: Client, pcm: bytes, chunk_ms: int = 100) -> None:
    step = PCM16_BYTES_PER_SECOND * chunk_ms // 1000
    for start in range(0, len(pcm), step):
        await client.send(append(pcm[start : start + step]))


def test_synthesized_speech_round_trips() -> None:
    pcm = synthesize_speech("what's the weather in Paris?")
    assert decode_speech(pcm) == "what's the weather in Paris?"
    assert decode_speech(silence(200) + pcm + tone(300) + synthesize_speech("ünïcode")) == (
        "what's the weather in Paris? ünïcode"
    )
    assert decode_speech(tone(500)) is None
    assert decode_speech(b"") is None


async def test_commit_creates_user_item_and_clear_empties(sim: Simulator, client: Client) -> None:
    await client.send(NO_VAD)
    await client.expect("session.updated")
    await client.send(append(synthesize_speech("hello")))
    await client.send({"type": "input_audio_buffer.commit"})
    committed = await client.expect("input_audio_buffer.committed")
    added = await client.expect("conversation.item.added")
    assert added["item"]["id"] == committed["item_id"]
    assert added["item"]["content"][0]["type"] == "input_audio"
    assert "audio" not in added["item"]["content"][0]
    await client.expect("conversation.item.done")
    await client.send(append(tone(200)))
    await client.send({"type": "input_audio_buffer.clear"})
    await client.expect("input_audio_buffer.cleared")
    assert sim.connections[0].input_audio == b""


async def test_committing_an_empty_buffer_is_an_error(client: Client) -> None:
    await client.send(NO_VAD)
    await client.expect("session.updated")
    await client.send({"type": "input_audio_buffer.commit", "event_id": "c1"})
    error = (await client.expect("error"))["error"]
    assert error["code"] == "input_audio_buffer_commit_empty"
    assert error["event_id"] == "c1"
    assert "0.00ms" in error["message"]


async def test_bad_base64_is_an_error(client: Client) -> None:
    await client.send({"type": "input_audio_buffer.append", "audio": "@@@", "event_id": "a1"})
    error = (await client.expect("error"))["error"]
    assert (error["param"], error["event_id"]) == ("audio", "a1")


async def test_append_over_15_mib_is_refused_with_an_error(client: Client) -> None:
    await client.send(append(bytes(15 * 1024 * 1024 + 2), event_id="big"))
    error = (await client.expect("error", timeout=20))["error"]
    assert error["event_id"] == "big"
    assert "15 MiB" in error["message"]
    # An append of exactly 15 MiB is accepted (no event), and the connection still works.
    await client.send(append(bytes(15 * 1024 * 1024)))
    await client.send(text_item("ok"))
    await client.expect("conversation.item.added", timeout=20)


async def test_server_vad_turn_with_transcription_and_audio_reply(
    sim: Simulator, client: Client
) -> None:
    await client.update_session(
        {
            "type": "realtime",
            "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}},
        }
    )
    speech = synthesize_speech("tell me a joke", lead_silence_ms=500)
    await send_audio(client, speech)
    started = await client.expect("input_audio_buffer.speech_started")
    # 500 ms of silence, minus the default 300 ms of prefix padding.
    assert started["audio_start_ms"] == 200
    stopped = await client.expect("input_audio_buffer.speech_stopped")
    speech_ms = (len(speech) - len(silence(500)) - len(silence(800))) * 1000 // 48000
    # Speech ends, then the default 200 ms of silence ends the turn.
    assert stopped["audio_end_ms"] == 500 + speech_ms + 200
    assert stopped["item_id"] == started["item_id"]
    committed = await client.expect("input_audio_buffer.committed")
    assert committed["item_id"] == started["item_id"]
    events = await client.until("response.done")
    types = [e["type"] for e in events]
    completed = next(
        e for e in events if e["type"] == "conversation.item.input_audio_transcription.completed"
    )
    assert completed["transcript"] == "tell me a joke"
    assert "response.created" in types
    transcript = "".join(
        e["delta"] for e in events if e["type"] == "response.output_audio_transcript.delta"
    )
    assert transcript == "You said: tell me a joke"
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    assert decode_speech(audio) == transcript
    done = events[-1]["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0] == {"type": "output_audio", "transcript": transcript}
    assert done["usage"]["output_token_details"]["audio_tokens"] > 0
    user_item = sim.connections[0].items[0]
    assert user_item.content[0].transcript == "tell me a joke"  # type: ignore[union-attr]


async def test_vad_without_create_response_only_commits(client: Client) -> None:
    updated = await client.update_session(
        {
            "type": "realtime",
            "audio": {
                "input": {"turn_detection": {"type": "server_vad", "create_response": False}}
            },
        }
    )
    assert updated["audio"]["input"]["turn_detection"]["silence_duration_ms"] == 200
    await send_audio(client, synthesize_speech("no reply please") + silence(300))
    await client.until("conversation.item.done")
    await client.send(text_item("marker"))
    added = await client.expect("conversation.item.added")
    assert added["item"]["content"][0]["text"] == "marker"


async def test_real_audio_gets_vad_and_a_placeholder_transcript(client: Client) -> None:
    await client.update_session(
        {
            "type": "realtime",
            "output_modalities": ["text"],
            "audio": {"input": {"transcription": {"model": "whisper-1"}}},
        }
    )
    await send_audio(client, silence(100) + tone(1000) + silence(600))
    events = await client.until("response.done")
    completed = next(
        e for e in events if e["type"] == "conversation.item.input_audio_transcription.completed"
    )
    assert completed["transcript"].startswith("(unintelligible speech")
    assert completed["usage"]["type"] == "duration"


async def test_barge_in_cancels_the_active_response_with_turn_detected() -> None:
    async with Simulator(realtime_factor=1.0) as sim:
        client = await connect(sim)
        await client.send(text_item("please talk for a while about many many things"))
        await client.until("conversation.item.done")
        await client.send({"type": "response.create"})
        await client.until("response.output_audio.delta")
        await send_audio(client, synthesize_speech("stop", lead_silence_ms=0))
        events = await client.until("response.done")
        done = events[-1]["response"]
        assert done["status"] == "cancelled"
        assert done["status_details"]["reason"] == "turn_detected"
        assert "input_audio_buffer.speech_started" in [e["type"] for e in events]


async def test_realtime_pacing_takes_about_the_audio_duration() -> None:
    import time

    async with Simulator(realtime_factor=0.5) as sim:
        client = await connect(sim)
        await client.send(NO_VAD)
        await client.expect("session.updated")
        await client.send(text_item("x" * 20))
        await client.until("conversation.item.done")
        start = time.monotonic()
        await client.send({"type": "response.create"})
        events = await client.until("response.done", timeout=10)
        elapsed = time.monotonic() - start
        audio = sum(
            len(base64.b64decode(e["delta"]))
            for e in events
            if e["type"] == "response.output_audio.delta"
        )
        seconds = audio / PCM16_BYTES_PER_SECOND
        # Half real time: at least ~0.4x the audio duration (generous lower bound only).
        assert elapsed >= seconds * 0.4


async def test_transcription_session_transcribes_and_does_not_respond(sim: Simulator) -> None:
    client = await connect(sim, query="intent=transcription")
    session = client.events[0]["session"]
    assert session["type"] == "transcription"
    await client.update_session(
        {
            "type": "transcription",
            "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}},
        }
    )
    await send_audio(client, synthesize_speech("just transcribe me"))
    completed = await client.until("conversation.item.input_audio_transcription.completed")
    assert completed[-1]["transcript"] == "just transcribe me"
    await client.send({"type": "response.create", "event_id": "r"})
    error = (await client.expect("error"))["error"]
    assert error["event_id"] == "r"


@pytest.mark.parametrize("factor", [0.0, 0.2])
async def test_idle_timeout_triggers_a_response_after_silence(factor: float) -> None:
    async with Simulator(realtime_factor=factor) as sim:
        await _idle_timeout_scenario(sim, factor)


async def _idle_timeout_scenario(sim: Simulator, factor: float) -> None:
    client = await connect(sim)
    await client.update_session(
        {
            "type": "realtime",
            "output_modalities": ["text"],
            "audio": {"input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 5000}}},
        }
    )
    await client.send({"type": "response.create"})
    await client.until("response.done")
    ended = asyncio.get_running_loop().time()
    # No speech for idle_timeout_ms after the response: the server prompts by itself, on the
    # simulator's clock (5 s scaled by the pacing factor: at once at 0, after 1 s at 0.2).
    events = await client.until("response.done", timeout=4)
    triggered = next(e for e in events if e["type"] == "input_audio_buffer.timeout_triggered")
    assert triggered
    assert asyncio.get_running_loop().time() - ended >= 5.0 * factor * 0.9
    types = [e["type"] for e in events]
    assert types[:2] == ["rate_limits.updated", "input_audio_buffer.timeout_triggered"]
    text = next(e for e in events if e["type"] == "response.output_text.done")["text"]
    assert text == "Are you still there?"


@pytest.mark.parametrize("kind", ["audio/pcmu", "audio/pcma"])
async def test_g711_sessions_hear_and_speak_g711(sim: Simulator, kind: str) -> None:
    from realtime_bus.testing._g711 import from_pcm24k, to_pcm24k

    client = await connect(sim)
    updated = await client.update_session(
        {
            "type": "realtime",
            "audio": {
                "input": {"format": {"type": kind}},
                "output": {"format": {"type": kind}},
            },
        }
    )
    assert updated["audio"]["input"]["format"] == {"type": kind}
    # A telephone caller: 8 kHz G.711, a loud tone between silences.
    caller = from_pcm24k(silence(200) + tone(800) + silence(600), kind)  # type: ignore[arg-type]
    for start in range(0, len(caller), 160):
        await client.send(append(caller[start : start + 160]))
    started = await client.until("input_audio_buffer.speech_started")
    assert 0 <= started[-1]["audio_start_ms"] <= 200
    events = await client.until("response.done")
    wire = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    transcript = next(e for e in events if e["type"] == "response.output_audio_transcript.done")[
        "transcript"
    ]
    # 8000 bytes a second on the wire; the same duration as the 24 kHz speech it carries.
    pcm = to_pcm24k(wire, kind)  # type: ignore[arg-type]
    speech = synthesize_speech(transcript, ms_per_char=50, lead_silence_ms=0, trail_silence_ms=0)
    assert abs(len(pcm) - len(speech)) <= 6 * 3
