"""The simulator's Live side at the wire: refusals, bad frames, audio formats, the registry."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from realtime_bus.testing import (
    Simulator,
    decode_speech,
    live_of,
    synthesize_speech,
)
from realtime_bus.testing._g711 import from_pcm24k, to_pcm24k

from ._live import checked_simulator

_AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with checked_simulator(api_key="sk-test") as simulator:
        yield simulator


async def recv(ws: Any) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5.0))
    return payload


async def until(ws: Any, type_name: str, count: int = 400) -> list[dict[str, Any]]:
    seen = []
    for _ in range(count):
        seen.append(await recv(ws))
        if seen[-1]["type"] == type_name:
            return seen
    raise AssertionError(f"no {type_name}")


async def test_wrong_key_is_refused(sim: Simulator) -> None:
    url = f"{sim.ws_base_url}/live/sessions"
    with pytest.raises(websockets.InvalidStatus, match="401"):
        async with websockets.connect(url, additional_headers={"Authorization": "Bearer x"}):
            pass


async def test_azure_path_and_bad_frames(sim: Simulator) -> None:
    url = f"ws://{sim.host}:{sim.port}/openai/v1/live/sessions"
    async with websockets.connect(url, additional_headers=_AUTH) as ws:
        await ws.send("not json")
        assert (await recv(ws))["error"]["code"] == "invalid_json"
        await ws.send(json.dumps({"type": "input_audio_buffer.append", "event_id": "e1"}))
        error = await recv(ws)
        assert error["error"]["code"] == "invalid_value"
        assert error["client_event_id"] == "e1"
        assert "'session.start'" in error["error"]["message"]
        await ws.send(json.dumps({"type": "session.start", "session": {}}))
        error = await recv(ws)
        assert error["error"]["code"] == "missing_required_parameter"
        assert error["error"]["param"] == "session.model"


async def test_g711_session_speaks_and_hears_g711(sim: Simulator) -> None:
    url = f"{sim.ws_base_url}/live/sessions"
    async with websockets.connect(url, additional_headers=_AUTH) as ws:
        fmt = {"type": "audio/pcmu", "rate": 8000}
        start = {"model": "gpt-live-1", "audio": {"format": fmt}}
        await ws.send(json.dumps({"type": "session.start", "session": start}))
        started = await recv(ws)
        assert started["session"]["audio"]["format"] == fmt
        ulaw = from_pcm24k(synthesize_speech("hello"), "audio/pcmu")
        for i in range(0, len(ulaw), 800):
            audio = base64.b64encode(ulaw[i : i + 800]).decode()
            await ws.send(json.dumps({"type": "session.input_audio.append", "audio": audio}))
        events = await until(ws, "session.usage.updated")
        heard = "".join(e["delta"] for e in events if e["type"] == "session.input_transcript.delta")
        assert heard == "hello"  # synthesized speech survives G.711
        out = b"".join(
            base64.b64decode(e["delta"])
            for e in events
            if e["type"] == "session.output_audio.delta"
        )
        assert decode_speech(to_pcm24k(out, "audio/pcmu")) == "You said: hello"


async def test_sessions_are_registered_and_closed_by_stop() -> None:
    sim = Simulator()
    await sim.start()
    url = f"{sim.ws_base_url}/live/sessions"
    async with websockets.connect(url, additional_headers=_AUTH) as ws:
        start = {"model": "gpt-live-1", "store": True}
        await ws.send(json.dumps({"type": "session.start", "session": start}))
        started = await recv(ws)
        session = await live_of(sim).wait_for_session()
        assert session.id == started["session"]["id"]
        assert session.config is not None
        await sim.stop()
        closed = await until(ws, "session.closed")
        assert closed[-1]["reason"] == "connection_lost"
