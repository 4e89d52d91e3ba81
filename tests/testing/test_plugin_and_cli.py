"""The pytest fixtures users get by installing the package, and ``realtime-bus serve``."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
import websockets
from websockets.sync.client import connect as sync_connect

from realtime_bus.testing import Simulator
from tests.cli._process import cli_process, url_after

from ._client import connect

AUTH = {"Authorization": "Bearer sk-test"}


async def test_async_fixture_serves_a_session(realtime_simulator: Simulator) -> None:
    client = await connect(realtime_simulator)
    assert len(realtime_simulator.connections) == 1
    await client.ws.close()


@pytest.mark.realtime_simulator(api_key="sk-only-this", max_session_seconds=120)
async def test_marker_configures_the_simulator(realtime_simulator: Simulator) -> None:
    assert realtime_simulator.max_session_seconds == 120
    with pytest.raises(websockets.InvalidStatus):
        await connect(realtime_simulator, key="sk-other")
    client = await connect(realtime_simulator, key="sk-only-this")
    await client.ws.close()


def test_url_fixture_for_synchronous_tests(realtime_simulator_url: str) -> None:
    with sync_connect(realtime_simulator_url + "?model=m", additional_headers=AUTH) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "session.created"


def test_thread_fixture_takes_calls_from_the_test_thread(
    realtime_simulator_thread: Simulator,
) -> None:
    sim = realtime_simulator_thread
    sim.call(sim.faults.refuse_handshakes, 1, 503)
    with pytest.raises(websockets.InvalidStatus) as refused:
        sync_connect(sim.url, additional_headers=AUTH)
    assert refused.value.response.status_code == 503
    with sync_connect(sim.url, additional_headers=AUTH) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "session.created"
        assert sim.call(lambda: len(sim.connections)) == 1


def test_serve_prints_the_url_and_stops_on_ctrl_c() -> None:
    with cli_process(
        "serve", "--port", "0", "--realtime-factor", "0", stderr=subprocess.STDOUT
    ) as proc:
        url = url_after(proc, "Realtime simulator")
        assert url.startswith("ws://127.0.0.1:")
        assert url.endswith("/v1/realtime")
        with sync_connect(url, additional_headers=AUTH) as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "session.created"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_serve_rejects_a_negative_factor() -> None:
    from realtime_bus.cli import main

    assert main(["serve", "--realtime-factor", "-1"]) == 2
