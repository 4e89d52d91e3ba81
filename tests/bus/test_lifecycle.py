"""Connecting, closing, states and lifecycle events, embedding, logging hygiene."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
import structlog

from realtime_bus import (
    Bus,
    BusClosed,
    BusState,
    Closed,
    Connected,
    HandshakeRefused,
    InputAudioBufferAppend,
)
from realtime_bus.testing import Simulator
from tests._sim import make_bus

from .conftest import text_turn


async def test_clean_exit_closes_with_1000_and_leaves_no_task(sim: Simulator) -> None:
    before = set(asyncio.all_tasks())
    bus = make_bus(sim)
    events: list[Any] = []
    bus.add_handler("bus.*", events.append)
    assert bus.state is BusState.NEW
    async with bus:
        assert bus.state is BusState.OPEN
        assert bus.session_id == sim.connections[-1].id
        assert isinstance(bus.expires_at, int)
    assert bus.state is BusState.CLOSED
    await sim.history[-1].wait_closed(5)
    assert sim.history[-1].close_code == 1000
    assert set(asyncio.all_tasks()) - before == set()
    assert [type(e) for e in events] == [Connected, Closed]
    with pytest.raises(BusClosed):
        await bus.send(InputAudioBufferAppend(audio=""))


async def test_queued_events_are_flushed_before_closing(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        for n in range(20):
            bus.send_nowait(InputAudioBufferAppend.from_pcm(bytes([n]) * 960))
    received = sim.history[-1].received
    assert sum(1 for e in received if e.type == "input_audio_buffer.append") >= 1
    assert bus.stats.dropped_on_close == 0
    assert sim.history[-1].input_audio == b"".join(bytes([n]) * 960 for n in range(20))


async def test_close_is_bounded_when_the_server_never_answers(sim: Simulator) -> None:
    sim.faults.never_answer_close = True
    bus = make_bus(sim)
    async with bus:
        pass
    started = time.monotonic()
    bus2 = make_bus(sim)
    async with bus2:
        started = time.monotonic()
    assert time.monotonic() - started < bus2.options.close_timeout + 2


async def test_refused_handshake_names_the_status_and_is_not_retried() -> None:
    async with Simulator(api_key="sk-the-right-key") as sim:
        bus = Bus(sim.url, api_key="sk-the-wrong-key-123")
        with pytest.raises(HandshakeRefused) as caught:
            await bus.__aenter__()
        assert caught.value.status == 401
        assert "401" in str(caught.value)
        assert "sk-the-wrong-key-123" not in str(caught.value)
        assert "sk-the-wrong-key-123" not in repr(caught.value)
        assert bus.stats.reconnects == 0
        assert bus.state is BusState.CLOSED


async def test_run_as_a_task_in_the_host_task_group(sim: Simulator) -> None:
    bus_a, bus_b = make_bus(sim), make_bus(sim)
    results: list[str] = []
    async with asyncio.TaskGroup() as tg:
        tg.create_task(bus_a.run())
        tg.create_task(bus_b.run())
        for bus in (bus_a, bus_b):
            await bus.wait_open(timeout=5)
        for bus in (bus_a, bus_b):
            results.append((await text_turn(bus, "hello")).response.status or "")
        await bus_a.close()
        await bus_b.close()
    assert results == ["completed", "completed"]
    assert bus_a.session_id != bus_b.session_id


async def test_secrets_never_reach_the_logs(sim: Simulator) -> None:
    secret = "sk-log-secret-4242"
    with structlog.testing.capture_logs() as logs:
        bus = Bus(sim.url, api_key=secret)
        async with bus:
            await bus.input_audio_buffer.append(b"\x00" * 4800)
            sim.connections[-1].send_raw("not json")
            await asyncio.sleep(0.05)
            assert secret not in repr(bus)
    text = repr(logs)
    assert logs
    assert secret not in text
    assert "A" * 100 not in text  # audio is never dumped


async def test_a_bus_runs_only_once(sim: Simulator) -> None:
    bus = make_bus(sim)
    async with bus:
        pass
    with pytest.raises(RuntimeError):
        await bus.run()


async def test_a_handler_can_close_the_bus(sim: Simulator) -> None:
    bus = make_bus(sim)

    @bus.on("session.updated")
    async def hang_up(event: Any) -> None:
        await bus.close()  # returns at once; the bus closes after this handler

    started = time.monotonic()
    async with bus:
        await bus.session.update(instructions="bye")
        await bus.wait_for("bus.closed", timeout=5)
    assert time.monotonic() - started < 2
    assert bus.state is BusState.CLOSED
    assert sim.history[-1].close_code == 1000
