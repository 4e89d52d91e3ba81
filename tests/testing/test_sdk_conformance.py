"""The official ``openai`` SDK speaks to the simulator: proof that we speak the protocol.

Each test drives ``AsyncOpenAI(...).realtime.connect()`` against the simulator over loopback,
and every event the simulator sent is validated strictly against the SDK's models.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai import AsyncOpenAI
from openai.resources.realtime.realtime import AsyncRealtimeConnection

from realtime_bus.protocol.server import encode_server
from realtime_bus.testing import Simulator, decode_speech, synthesize_speech

from ._client import text_item, validate_event

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a location.",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}


@pytest.fixture
async def sdk(sim: Simulator) -> AsyncIterator[AsyncRealtimeConnection]:
    client = AsyncOpenAI(api_key="sk-test", websocket_base_url=sim.ws_base_url)
    async with client.realtime.connect(model="gpt-realtime") as connection:
        yield connection
    for session in sim.history:
        for event in session.sent:
            validate_event(encode_server(event))


async def events_until(conn: AsyncRealtimeConnection, type_name: str) -> list[Any]:
    seen = []
    async for event in conn:
        seen.append(event)
        if event.type == type_name:
            return seen
    raise AssertionError(f"connection ended before {type_name}")


async def test_text_turn(sdk: AsyncRealtimeConnection) -> None:
    created = await sdk.recv()
    assert created.type == "session.created"
    await sdk.session.update(session={"type": "realtime", "output_modalities": ["text"]})
    await sdk.conversation.item.create(item=text_item("good morning")["item"])
    await sdk.response.create()
    events = await events_until(sdk, "response.done")
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == "You said: good morning"
    assert events[-1].response.status == "completed"


async def test_audio_turn_with_server_vad(sdk: AsyncRealtimeConnection) -> None:
    await sdk.session.update(
        session={
            "type": "realtime",
            "audio": {
                "input": {
                    "transcription": {"model": "gpt-4o-transcribe"},
                    "turn_detection": {"type": "server_vad", "silence_duration_ms": 300},
                }
            },
        }
    )
    speech = synthesize_speech("what time is it")
    for start in range(0, len(speech), 4800):
        await sdk.input_audio_buffer.append(
            audio=base64.b64encode(speech[start : start + 4800]).decode()
        )
    events = await events_until(sdk, "response.done")
    types = [e.type for e in events]
    for expected in (
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.input_audio_transcription.completed",
        "response.output_audio.delta",
        "response.output_audio_transcript.done",
    ):
        assert expected in types
    transcript = next(
        e for e in events if e.type == "conversation.item.input_audio_transcription.completed"
    ).transcript
    assert transcript == "what time is it"
    audio = b"".join(
        base64.b64decode(e.delta) for e in events if e.type == "response.output_audio.delta"
    )
    assert decode_speech(audio) == "You said: what time is it"


async def test_function_call_round_trip(sdk: AsyncRealtimeConnection) -> None:
    await sdk.session.update(
        session={"type": "realtime", "tools": [WEATHER_TOOL], "output_modalities": ["text"]}
    )
    await sdk.conversation.item.create(item=text_item("What's the weather in Lisbon?")["item"])
    await sdk.response.create()
    events = await events_until(sdk, "response.done")
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert (done.name, done.arguments) == ("get_weather", '{"location":"Lisbon"}')
    await sdk.conversation.item.create(
        item={"type": "function_call_output", "call_id": done.call_id, "output": "sunny, 24C"}
    )
    await sdk.response.create()
    events = await events_until(sdk, "response.done")
    text = next(e for e in events if e.type == "response.output_text.done").text
    assert text == "get_weather returned: sunny, 24C"


async def test_cancellation() -> None:
    async with Simulator(realtime_factor=1.0) as sim:
        client = AsyncOpenAI(api_key="sk-test", websocket_base_url=sim.ws_base_url)
        async with client.realtime.connect(model="gpt-realtime") as conn:
            await conn.conversation.item.create(item=text_item("tell me a long story " * 4)["item"])
            await conn.response.create()
            await events_until(conn, "response.output_audio.delta")
            await conn.response.cancel()
            events = await events_until(conn, "response.done")
            response = events[-1].response
            assert response.status == "cancelled"
            assert response.status_details.reason == "client_cancelled"
        for event in sim.history[0].sent:
            validate_event(encode_server(event))


async def test_every_kind_of_event_validates_strictly(sim: Simulator) -> None:
    """One session that makes the simulator send every event type it can send."""
    from ._client import connect

    client = await connect(sim)
    await client.update_session(
        {
            "type": "realtime",
            "tools": [WEATHER_TOOL],
            "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}},
        }
    )
    speech = synthesize_speech("weather in Rome")
    await client.send(
        {"type": "input_audio_buffer.append", "audio": base64.b64encode(speech).decode()}
    )
    events = await client.until("response.done")
    call = events[-1]["response"]["output"][0]
    await client.send(
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": call["call_id"], "output": "ok"},
        }
    )
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    item_id = events[-1]["response"]["output"][0]["id"]
    for event in (
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": 100,
        },
        {"type": "conversation.item.retrieve", "item_id": item_id},
        {"type": "conversation.item.delete", "item_id": item_id},
        {"type": "input_audio_buffer.clear"},
        {"type": "response.cancel"},
        text_item("bye"),
    ):
        await client.send(event)
    await client.until("conversation.item.done")
    sent = {event.type for event in sim.connections[0].sent}
    assert sent >= {
        "session.created",
        "session.updated",
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "input_audio_buffer.cleared",
        "conversation.item.added",
        "conversation.item.done",
        "conversation.item.input_audio_transcription.delta",
        "conversation.item.input_audio_transcription.completed",
        "conversation.item.truncated",
        "conversation.item.retrieved",
        "conversation.item.deleted",
        "response.created",
        "response.output_item.added",
        "response.output_item.done",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_audio.delta",
        "response.output_audio.done",
        "response.output_audio_transcript.delta",
        "response.output_audio_transcript.done",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.done",
        "rate_limits.updated",
        "error",
    }
    for event in sim.connections[0].sent:
        validate_event(encode_server(event))
