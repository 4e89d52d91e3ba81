"""The simulator records its sessions; a recording served back to a fresh client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from realtime_bus import Bus
from realtime_bus.recording import load_recording
from realtime_bus.testing import ReplayServer, Simulator

from ._app import drive, install
from .test_format import validate_lines

pytestmark = pytest.mark.anyio


def _frames(path: Path, direction: str) -> list[bytes]:
    return [f.data() for f in load_recording(path).frames if f.dir == direction]


async def test_the_simulator_records_each_session_as_the_bus_sees_it(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    ours = tmp_path / "bus.jsonl"
    async with Simulator(record_dir=sessions, api_key="sk-sim-only-key-1") as sim:
        bus = Bus(sim.url, api_key="sk-sim-only-key-1", query={"model": "m"}, record=ours)
        install(bus, [])
        async with bus:
            await drive(bus)
        session_id = sim.history[-1].id
        await sim.history[-1].wait_closed(5)
    path = sessions / f"{session_id}.jsonl"
    recording = load_recording(path)
    validate_lines(path)
    assert recording.header.source == "simulator"
    assert recording.header.url.endswith("/v1/realtime?model=m")
    assert b"sk-sim-only-key-1" not in path.read_bytes()
    assert _frames(path, "in") == _frames(ours, "in")
    assert _frames(path, "out") == _frames(ours, "out")
    kinds = [e.kind for e in recording.entries if e.kind != "frame"]
    assert kinds == ["connect", "close"]  # the client closed it


async def test_a_served_recording_gives_a_fresh_client_the_recorded_events_in_order(
    tmp_path: Path,
) -> None:
    original = tmp_path / "original.jsonl"
    async with Simulator() as sim:
        bus = Bus(sim.url, api_key="sk-test", query={"model": "m"}, record=original)
        install(bus, [])
        async with bus:
            await drive(bus)

    fresh = tmp_path / "fresh.jsonl"
    seen: list[Any] = []
    async with ReplayServer(original) as server:
        client = Bus(server.url, api_key="sk-another", record=fresh)
        install(client, seen)
        client.add_handler("*", lambda event: seen.append(event.type))
        async with client:
            await drive(client)
        assert server.stalls == []
    assert _frames(fresh, "in") == _frames(original, "in")
    recorded_types = [e["type"] for e in load_recording(original).events("in")]
    assert [s for s in seen if isinstance(s, str)] == recorded_types


async def test_the_replay_server_refuses_a_client_without_a_key(tmp_path: Path) -> None:
    from realtime_bus import HandshakeRefused

    original = tmp_path / "original.jsonl"
    async with Simulator() as sim, Bus(sim.url, api_key="sk-test", record=original):
        pass
    async with ReplayServer(original) as server:
        with pytest.raises(HandshakeRefused) as refused:
            async with Bus(server.url, reconnect=False):
                pass
    assert refused.value.status == 401
