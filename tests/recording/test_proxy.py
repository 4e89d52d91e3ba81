"""The recording proxy between the openai package's client and the simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openai import AsyncOpenAI

from realtime_bus.recording import RecordingProxy, load_recording, upstream_url
from realtime_bus.testing import Simulator
from tests.testing._client import text_item

from .test_format import validate_lines

pytestmark = pytest.mark.anyio

KEY = "sk-proxy-client-own-key-42"


async def _until(conn: Any, type_name: str) -> list[str]:
    seen: list[str] = []
    async for event in conn:
        seen.append(event.type)
        if event.type == type_name:
            return seen
    raise AssertionError(f"the connection ended before {type_name}")


async def test_the_proxy_records_an_openai_client_talking_to_the_simulator(
    tmp_path: Path,
) -> None:
    async with (
        Simulator(api_key=KEY) as sim,
        RecordingProxy(sim.ws_base_url, tmp_path / "rec") as proxy,
    ):
        client = AsyncOpenAI(api_key=KEY, websocket_base_url=proxy.ws_base_url)
        async with client.realtime.connect(model="gpt-realtime") as conn:
            await conn.session.update(
                session={"type": "realtime", "instructions": f"the key is {KEY}"}
            )
            await _until(conn, "session.updated")
            await conn.conversation.item.create(item=text_item("Hello through the proxy")["item"])
            await conn.response.create()
            seen = await _until(conn, "response.done")
        await sim.history[-1].wait_closed(5)
        assert sim.history[-1].close_code == 1000  # the client's close went through
        assert len(proxy.recordings) == 1
        path = proxy.recordings[0]

    data = path.read_bytes()
    assert KEY.encode() not in data  # forwarded (the simulator accepted it), never recorded
    recording = load_recording(path)
    validate_lines(path)
    assert recording.header.source == "proxy"
    assert recording.header.url == sim.url + "?model=gpt-realtime"
    server_types = [e["type"] for e in recording.events("in")]
    assert server_types[0] == "session.created"
    end = len(server_types) - server_types[::-1].index("response.done")
    assert server_types[end - len(seen) : end] == seen
    client_types = [e["type"] for e in recording.events("out")]
    assert client_types == ["session.update", "conversation.item.create", "response.create"]
    assert recording.entries[-1].kind == "close"


async def test_a_refused_upstream_handshake_is_refused_to_the_client(tmp_path: Path) -> None:
    async with (
        Simulator(api_key=KEY) as sim,
        RecordingProxy(sim.ws_base_url, tmp_path) as proxy,
    ):
        client = AsyncOpenAI(api_key="sk-wrong-key", websocket_base_url=proxy.ws_base_url)
        with pytest.raises(Exception, match="401"):
            async with client.realtime.connect(model="gpt-realtime") as conn:
                await conn.session.update(session={"type": "realtime"})
        assert proxy.recordings == []


def test_the_upstream_path_prefix_is_not_repeated() -> None:
    assert (
        upstream_url("wss://api.openai.com/v1", "/v1/realtime?model=m")
        == "wss://api.openai.com/v1/realtime?model=m"
    )
    assert upstream_url("https://x.example/openai", "/v1/realtime?a=1") == (
        "wss://x.example/openai/v1/realtime?a=1"
    )
    assert upstream_url("ws://h:1", "/v1/realtime") == "ws://h:1/v1/realtime"
