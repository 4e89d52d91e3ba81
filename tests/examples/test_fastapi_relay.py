"""examples/fastapi_relay.py behind a real uvicorn on 127.0.0.1, with several browsers at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets

from realtime_bus.testing import Simulator
from tests._scripts import load_script
from tests._served import Served

from .conftest import EXAMPLES

relay = load_script(EXAMPLES / "fastapi_relay.py", "fastapi_relay", register=True)


@pytest.fixture
def served_with_embedded_simulator() -> Iterator[str]:
    with Served(relay.create_app()) as served:
        yield served.ws_url("/realtime")


async def _recv(ws: Any, timeout: float = 5.0) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))  # type: ignore[no-any-return]


async def _browser(url: str, text: str) -> tuple[str, str]:
    """One browser: configure text output, say ``text``, collect the answer."""
    async with websockets.connect(url) as ws:
        created = await _recv(ws)
        assert created["type"] == "session.created"
        await ws.send(
            json.dumps(
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "output_modalities": ["text"]},
                }
            )
        )
        await ws.send(
            json.dumps(
                {
                    "type": "conversation.item.create",
                    "item": {
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": text}],
                    },
                }
            )
        )
        await ws.send(json.dumps({"type": "response.create"}))
        answer = ""
        while True:
            event = await _recv(ws)
            if event["type"] == "response.output_text.delta":
                answer += event["delta"]
            if event["type"] == "response.done":
                return created["session"]["id"], answer


async def test_several_browsers_at_once_each_with_its_own_session(
    served_with_embedded_simulator: str,
) -> None:
    url = served_with_embedded_simulator
    results = await asyncio.gather(*(_browser(url, f"browser number {n}") for n in range(4)))
    assert [answer for _, answer in results] == [f"You said: browser number {n}" for n in range(4)]
    assert len({session_id for session_id, _ in results}) == 4


async def test_a_bad_frame_gets_an_error_event_and_the_relay_goes_on(
    served_with_embedded_simulator: str,
) -> None:
    async with websockets.connect(served_with_embedded_simulator) as ws:
        assert (await _recv(ws))["type"] == "session.created"
        await ws.send('{"type": "response.create", "event_id": "evt_1", "response": 7}')
        error = await _recv(ws)
        assert error["type"] == "error"
        assert error["error"]["type"] == "invalid_request_error"
        assert error["error"]["event_id"] == "evt_1"
        await ws.send(json.dumps({"type": "response.create"}))
        types = []
        while not types or types[-1] != "response.done":
            types.append((await _recv(ws))["type"])
        assert types[0] == "response.created"


def test_buses_close_cleanly_when_browsers_leave_and_on_shutdown() -> None:
    async def browse(url: str) -> int | None:
        await _browser(url, "first")
        async with websockets.connect(url) as ws:  # stays connected through the shutdown
            await _recv(ws)
            served.__exit__(None, None, None)
            with pytest.raises(websockets.ConnectionClosed):
                await _recv(ws, timeout=10)
            return ws.close_code

    with Simulator().run_in_thread() as sim:
        served = Served(relay.create_app(sim.url, api_key="sk-relay-key"))
        url = served.__enter__().ws_url("/realtime")
        code = asyncio.run(browse(url))
        assert code in (1001, 1012)  # going away, or uvicorn's service restart
        codes = [sim.call(lambda s=s: s.close_code) for s in sim.history]
    assert codes == [1000, 1000]


@pytest.mark.realtime_simulator(api_key="sk-right-key")
def test_a_refused_key_closes_the_browser_with_the_reason(
    realtime_simulator_thread: Simulator,
) -> None:
    sim = realtime_simulator_thread

    async def browse(url: str) -> tuple[int | None, str | None]:
        async with websockets.connect(url) as ws:
            with pytest.raises(websockets.ConnectionClosed):
                await _recv(ws)
            return ws.close_code, ws.close_reason

    with Served(relay.create_app(sim.url, api_key="sk-wrong-key")) as served:
        code, reason = asyncio.run(browse(served.ws_url("/realtime")))
    assert code == 1011
    assert reason == "handshake refused with HTTP 401 Unauthorized (check the API key)"
