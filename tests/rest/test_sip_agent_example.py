"""examples/sip_agent.py end to end: a simulated phone call to the app, over real sockets."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import httpx2
import pytest

from realtime_bus.protocol import RealtimeSession
from realtime_bus.rest import RealtimeAPI, generate_webhook_secret
from realtime_bus.testing import Simulator
from realtime_bus.testing._rest import SimulatedRest

from ._receiver import serve
from .conftest import API_KEY

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sip_agent.py"


@pytest.fixture(scope="module")
def sip_agent(monkeypatch_module: pytest.MonkeyPatch) -> ModuleType:
    # The module builds its default app at import time; that needs no credentials.
    spec = importlib.util.spec_from_file_location("sip_agent_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch_module.setitem(sys.modules, "sip_agent_example", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def monkeypatch_module() -> Any:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture
async def agent_url(
    sip_agent: ModuleType, sim: Simulator, rest: SimulatedRest
) -> AsyncIterator[tuple[str, Any]]:
    api = RealtimeAPI(api_key=API_KEY, base_url=sim.http_url, webhook_secret=rest.webhook_secret)
    app = sip_agent.create_app(api=api, api_key=API_KEY, websocket_base_url=sim.ws_base_url)
    async with api, serve(app) as url:
        yield url + "/webhook", app


async def _until(condition: Any, what: str, timeout: float = 10.0) -> None:
    # The state lives in the app and the simulator; a bounded poll reads it without hooks.
    with anyio.fail_after(timeout, reason=f"waiting for {what}"):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_a_call_from_ring_to_goodbye(
    agent_url: tuple[str, Any], sim: Simulator, rest: SimulatedRest
) -> None:
    url, app = agent_url
    placed = await rest.place_call(url, caller="+14155550123")
    assert placed.webhook_status == 200
    record = app.state.calls[placed.call_id]
    assert record.caller is not None
    assert "+14155550123" in record.caller

    session = await sim.wait_for_connection()
    assert session.call_id == placed.call_id
    assert isinstance(session.config, RealtimeSession)
    instructions = session.config.instructions
    assert isinstance(instructions, str)
    assert instructions.startswith("You answer the phone for Example Dental")
    await _until(lambda: len(record.transcript) >= 1, "the greeting")

    rest.caller_says(placed.call_id, "What are your opening hours?")
    await _until(lambda: len(record.transcript) >= 2, "the answer")
    assert "What are your opening hours" in record.transcript[1]

    rest.caller_says(placed.call_id, "Thanks, that is all, you can hang up now.")
    await _until(lambda: placed.call.state == "ended", "the agent hanging up")
    assert record.ended_by == "agent"
    await _until(lambda: not app.state.tasks, "the call task to finish")
    assert session.closed


async def test_the_caller_hangs_up_first(
    agent_url: tuple[str, Any], sim: Simulator, rest: SimulatedRest
) -> None:
    url, app = agent_url
    placed = await rest.place_call(url)
    record = app.state.calls[placed.call_id]
    await sim.wait_for_connection()
    await _until(lambda: len(record.transcript) >= 1, "the greeting")
    placed.call.end(1000, "The caller hung up.")  # the phone network ends the call
    await _until(lambda: not app.state.tasks, "the call task to finish")
    assert record.ended_by == "caller"


async def test_forged_webhooks_are_refused(agent_url: tuple[str, Any], rest: SimulatedRest) -> None:
    url, app = agent_url
    placed = await rest.place_call(url, secret=generate_webhook_secret())
    assert placed.webhook_status == 400
    assert placed.call.state == "ringing"
    async with httpx2.AsyncClient() as client:
        response = await client.post(url, content=b"{}")
    assert response.status_code == 400
    assert app.state.calls == {}
