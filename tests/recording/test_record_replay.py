"""Record a simulator session through the bus, then replay it with no network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from realtime_bus import Bus
from realtime_bus.recording import FrameLine, Marker, load_recording
from realtime_bus.testing import Replay, Simulator

from ._app import drive, install

pytestmark = pytest.mark.anyio


async def record_session(path: Path, **bus_options: Any) -> list[Any]:
    log: list[Any] = []
    async with Simulator() as sim:
        bus = Bus(
            sim.url,
            api_key="sk-test-recording-key",
            query={"model": "gpt-realtime"},
            record=path,
            **bus_options,
        )
        install(bus, log)
        async with bus:
            await drive(bus)
    return log


async def test_a_recorded_session_replays_with_identical_outputs(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    live = await record_session(path)
    kinds = [entry[0] for entry in live]
    assert {"text", "tool", "spoken", "audio", "heard"} <= set(kinds)

    recording = load_recording(path)
    assert recording.header.url.endswith("/v1/realtime?model=gpt-realtime")
    assert isinstance(recording.entries[0], Marker)
    assert recording.entries[0].kind == "connect"
    assert isinstance(recording.entries[-1], Marker)
    assert recording.entries[-1].kind == "close"
    assert any(isinstance(e, FrameLine) and e.dir == "out" for e in recording.entries)

    replayed: list[Any] = []
    replay = Replay(path)
    install(replay.bus, replayed)
    async with replay:
        await drive(replay.bus)
    assert replayed == live
    replay.assert_matches()

    again: list[Any] = []
    second = Replay(path)
    install(second.bus, again)
    async with second:
        await drive(second.bus)
    assert again == live  # deterministic


async def test_a_different_app_is_reported_at_its_first_divergence(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    await record_session(path)
    replay = Replay(path, gate_timeout=0.5)
    log: list[Any] = []
    install(replay.bus, log)
    async with replay:
        await replay.bus.session.update(output_modalities=["audio"], wait=True)
    divergence = replay.divergence()
    assert divergence is not None
    assert divergence.index == 0
    assert "output_modalities" in divergence.message
    with pytest.raises(AssertionError, match="diverged"):
        replay.assert_matches()
    assert replay.replayer.stalls  # it never sent the rest


async def test_a_hand_over_is_recorded_as_a_rotation(tmp_path: Path) -> None:
    path = tmp_path / "rotated.jsonl"
    async with Simulator() as sim:
        bus = Bus(sim.url, api_key="sk-test", query={"model": "m"}, record=path)
        async with bus:
            old = bus.session_id
            await bus.hand_over(await bus.open_standby())
            new = bus.session_id
    entries = load_recording(path).entries
    rotations = [e for e in entries if isinstance(e, Marker) and e.kind == "rotation"]
    assert [(m.session_id, m.new_session_id) for m in rotations] == [(old, new)]
    assert old != new


def test_a_divergence_names_the_first_extra_or_missing_client_event() -> None:
    from realtime_bus.recording._compare import first_divergence

    recorded = [{"type": "session.update"}, {"type": "response.create"}]
    extra = first_divergence(recorded[:1], recorded)
    assert extra is not None
    assert (extra.index, extra.expected, extra.actual) == (1, None, recorded[1])
    assert extra.message == "client event 1 (response.create) was sent but not recorded"
    missing = first_divergence(recorded, recorded[:1])
    assert missing is not None
    assert (missing.index, missing.expected, missing.actual) == (1, recorded[1], None)
    assert missing.message == "client event 1 (response.create) was recorded but not sent"
    assert first_divergence(recorded, list(recorded)) is None
