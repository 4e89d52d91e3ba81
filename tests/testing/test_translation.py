"""Translation sessions: a translation client secret opens ``/v1/realtime/translations``; source
audio in, the translated transcript and audio out, every event valid for the openai package."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx2
import pydantic
import pytest
import websockets
from openai import AsyncOpenAI
from openai.types.realtime.realtime_translation_server_event import (
    RealtimeTranslationServerEvent,
)

from realtime_bus.testing import Simulator, decode_speech, silence, synthesize_speech

_SERVER_EVENT: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(RealtimeTranslationServerEvent)


def _validate(frame: str | bytes) -> dict[str, Any]:
    _SERVER_EVENT.validate_json(frame, strict=True)
    return json.loads(frame)  # type: ignore[no-any-return]


async def _secret(sim: Simulator, session: dict[str, Any]) -> str:
    async with httpx2.AsyncClient() as http:
        reply = await http.post(
            f"{sim.http_url}/realtime/translations/client_secrets",
            headers={"Authorization": "Bearer sk-test"},
            json={"session": session},
        )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["value"])


async def _events_until_silent(ws: Any, quiet: float = 1.0) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        try:
            frame = await asyncio.wait_for(ws.recv(), quiet)
        except TimeoutError:
            return events
        events.append(_validate(frame))
        assert len(events) < 2000


async def _speak(ws: Any, pcm: bytes) -> None:
    for start in range(0, len(pcm), 4800):
        chunk = base64.b64encode(pcm[start : start + 4800]).decode()
        await ws.send(json.dumps({"type": "session.input_audio_buffer.append", "audio": chunk}))


async def test_a_secret_opens_a_translation_session_that_translates_speech() -> None:
    async with Simulator() as sim:
        key = await _secret(
            sim,
            {
                "model": "gpt-realtime-translate",
                "audio": {
                    "input": {"transcription": {"model": "gpt-4o-mini-transcribe"}},
                    "output": {"language": "es"},
                },
            },
        )
        async with websockets.connect(
            f"{sim.url}/translations?model=gpt-realtime-translate",
            additional_headers={"Authorization": f"Bearer {key}"},
        ) as ws:
            created = _validate(await ws.recv())
            assert created["type"] == "session.created"
            assert created["session"]["audio"]["output"]["language"] == "es"
            await _speak(ws, synthesize_speech("what time is it") + silence(600))
            events = await _events_until_silent(ws)
            source = "".join(
                e["delta"] for e in events if e["type"] == "session.input_transcript.delta"
            )
            translated = "".join(
                e["delta"] for e in events if e["type"] == "session.output_transcript.delta"
            )
            audio = b"".join(
                base64.b64decode(e["delta"])
                for e in events
                if e["type"] == "session.output_audio.delta"
            )
            assert source == "what time is it"
            assert translated == "[es] what time is it"
            assert decode_speech(audio) == "[es] what time is it"
            deltas = [e for e in events if e["type"] == "session.output_audio.delta"]
            assert {(d["format"], d["sample_rate"], d["channels"]) for d in deltas} == {
                ("pcm16", 24000, 1)
            }
            assert all(d["elapsed_ms"] % 200 == 0 for d in deltas)
            await ws.send(json.dumps({"type": "session.close"}))
            closed = _validate(await asyncio.wait_for(ws.recv(), 5))
            assert closed["type"] == "session.closed"
        assert sim.translations == []


async def test_the_openai_package_talks_to_a_translation_session() -> None:
    async with Simulator() as sim:
        client = AsyncOpenAI(api_key="sk-test", websocket_base_url=sim.ws_base_url)
        async with client.realtime.translations.connect(model="gpt-realtime-translate") as conn:
            created = await asyncio.wait_for(conn.recv(), 5)
            assert created.type == "session.created"
            await conn.send(
                {
                    "type": "session.update",
                    "session": {"audio": {"output": {"language": "fr"}}},
                }
            )
            updated = await asyncio.wait_for(conn.recv(), 5)
            assert updated.type == "session.updated"
            speech = synthesize_speech("good morning") + silence(600)
            for start in range(0, len(speech), 4800):
                await conn.send(
                    {
                        "type": "session.input_audio_buffer.append",
                        "audio": base64.b64encode(speech[start : start + 4800]).decode(),
                    }
                )
            said = ""
            while said != "[fr] good morning":
                event = await asyncio.wait_for(conn.recv(), 5)
                assert event.type != "session.input_transcript.delta"  # transcription is off
                if event.type == "session.output_transcript.delta":
                    said += event.delta


async def test_translation_keys_and_realtime_keys_are_not_interchangeable() -> None:
    async with Simulator() as sim:
        bad = await asyncio.gather(
            _refused(f"{sim.url}/translations?model=m", "ek_not_issued"),
        )
        assert bad == [401]
        key = await _secret(sim, {"model": "gpt-realtime-translate"})
        assert await _refused(f"{sim.url}?model=gpt-realtime", key) == 401


async def _refused(url: str, key: str) -> int:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {key}"}):
            pass
    return refused.value.response.status_code


async def test_an_unknown_translation_event_is_an_error_and_the_session_goes_on() -> None:
    async with (
        Simulator() as sim,
        websockets.connect(
            f"{sim.url}/translations?model=m", additional_headers={"Authorization": "Bearer sk-x"}
        ) as ws,
    ):
        _validate(await ws.recv())
        await ws.send(json.dumps({"type": "response.create", "event_id": "e1"}))
        error = _validate(await asyncio.wait_for(ws.recv(), 5))
        assert error["type"] == "error"
        assert error["error"]["type"] == "invalid_request_error"
        await ws.send(json.dumps({"type": "session.update", "session": {}}))
        assert _validate(await asyncio.wait_for(ws.recv(), 5))["type"] == "session.updated"
