"""The fault matrix: the bus stays up, the application is told, nothing promised is lost or doubled.

Every fault is injected by the simulator over real loopback sockets. The table in
``docs/reliability.md`` names these tests.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from realtime_bus import (
    Bus,
    ConnectionLost,
    ConnectOptions,
    ConversationItemRetrieve,
    Disconnected,
    ErrorReport,
    HandshakeRefused,
    RealtimeSession,
    Reconnected,
    ReconnectFailed,
    Reconnecting,
    ReconnectPolicy,
    ResponseDone,
    ResponseOutputTextDelta,
    SessionExpiring,
    SessionUpdate,
    UnknownEvent,
)
from realtime_bus.testing import Simulator
from tests._sim import make_bus

from .conftest import FAST, poll_until, text_turn, user_text


def _recording(bus: Bus) -> list[Any]:
    events: list[Any] = []
    bus.add_handler("bus.*", events.append)
    return events


async def test_dropped_connection_reconnects_and_replays_the_configuration(
    sim: Simulator,
) -> None:
    bus = make_bus(sim, reconnect=FAST)
    events = _recording(bus)
    async with bus:
        await bus.session.update(instructions="remember me", wait=True)
        first = bus.session_id
        reconnected = bus.expect(Reconnected)
        sim.faults.drop_after_events(1)
        await bus.session.update(tools=[])  # its session.updated is the last event sent
        event = await reconnected.wait(10)
        assert event.old_session_id == first
        assert event.new_session_id == bus.session_id != first
        await bus.wait_for("session.updated", timeout=5)
        new = sim.connections[-1]
        assert new.received[0].type == "session.update"
        assert new.config.instructions == "remember me"  # type: ignore[union-attr]
    kinds = [type(e).__name__ for e in events]
    assert kinds[:4] == ["Connected", "Disconnected", "Reconnecting", "Reconnected"]
    disconnected = next(e for e in events if isinstance(e, Disconnected))
    assert disconnected.will_reconnect
    assert "without a close frame" in disconnected.cause


async def test_drop_mid_response_then_carry_on(sim: Simulator) -> None:
    bus = make_bus(sim, reconnect=FAST)
    async with bus:
        await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
        await bus.conversation.item.create(user_text("tell me a long story please"))
        sim.faults.drop_mid_response(after_deltas=2)
        reconnected = bus.expect(Reconnected)
        await bus.response.create()
        await reconnected.wait(10)
        # The new session holds none of the old conversation: start again there.
        await bus.wait_for("session.updated", timeout=5)
        assert sim.connections[-1].items == []
        await bus.conversation.item.create(user_text("again"))
        done = bus.expect(ResponseDone)
        await bus.response.create()
        assert (await done.wait(10)).response.status == "completed"


async def test_a_request_waiting_across_a_drop_fails_with_connection_lost(sim: Simulator) -> None:
    bus = make_bus(sim, reconnect=FAST)
    async with bus:
        reconnected = bus.expect(Reconnected)
        sim.faults.stall()
        pending = asyncio.create_task(bus.request(ConversationItemRetrieve(item_id="item_x")))
        await asyncio.sleep(0.1)
        sim.faults.resume()
        sim.faults.drop()
        with pytest.raises(ConnectionLost):
            await asyncio.wait_for(pending, 5)
        await reconnected.wait(5)
        assert (await bus.session.update(instructions="still here", wait=True)).type


async def test_queued_events_are_written_after_reconnect_in_order_and_once(
    sim: Simulator,
) -> None:
    bus = make_bus(sim, reconnect=FAST)
    async with bus:
        reconnected = bus.expect(Reconnected)
        sim.faults.refuse_handshakes(3)
        sim.faults.drop()
        await poll_until(lambda: not bus.is_open)
        sent = [
            bus.send_nowait(SessionUpdate(session=RealtimeSession(instructions=f"n{n}")))
            for n in range(10)
        ]
        await reconnected.wait(10)
        await bus.session.update(instructions="done", wait=True)
    ids = [e.event_id for e in sent]
    every = [e.event_id for s in sim.history for e in s.received if e.type == "session.update"]
    assert [i for i in every if i in ids] == ids  # each written once, in order
    assert bus.stats.reconnects >= 4  # three refused attempts, then success


async def test_malformed_frames_and_unknown_events_are_reported(sim: Simulator) -> None:
    bus = make_bus(sim)
    reports: list[ErrorReport] = []
    unknown: list[UnknownEvent] = []
    bus.on_error(reports.append)
    bus.add_handler(UnknownEvent, unknown.append)
    async with bus:
        sim.faults.send_malformed_frame("json")
        sim.faults.send_unknown_event()
        sim.faults.send_malformed_frame("schema")
        assert (await bus.session.update(instructions="x", wait=True)).type == "session.updated"
    assert [r.kind for r in reports] == ["decode", "unknown_event", "decode"]
    assert all(r.frame is not None or r.event is not None for r in reports)
    assert len(unknown) == 1


async def test_a_stalled_server_is_detected_by_keepalive(sim: Simulator) -> None:
    options = ConnectOptions(ping_interval=0.2, ping_timeout=0.3, close_timeout=0.3)
    bus = make_bus(sim, reconnect=FAST, options=options)
    events = _recording(bus)
    async with bus:
        disconnected = bus.expect(Disconnected)
        sim.faults.stall()
        await disconnected.wait(10)
        sim.faults.resume()
        await bus.wait_for(Reconnected, timeout=10)
        assert (await bus.session.update(instructions="alive", wait=True)).type
    assert any(isinstance(e, Reconnecting) for e in events)


async def test_refused_handshakes_then_success(sim: Simulator) -> None:
    sim.faults.refuse_handshakes(2, status=503)
    bus = make_bus(sim, reconnect=FAST, retry_first_connect=True)
    events = _recording(bus)
    async with bus:
        assert bus.is_open
    assert [type(e).__name__ for e in events][:3] == ["Reconnecting", "Reconnecting", "Connected"]
    first = events[0]
    assert isinstance(first, Reconnecting)
    assert "503" in first.cause


async def test_unauthorized_reconnect_stops_at_once(sim: Simulator) -> None:
    bus = make_bus(sim, reconnect=FAST)

    async def lose_the_key() -> None:
        async with bus:
            sim.faults.refuse_handshakes(5, status=401)
            sim.faults.drop()
            await bus.wait_for("bus.closed", timeout=10)

    with pytest.raises(HandshakeRefused) as caught:
        await lose_the_key()
    assert caught.value.status == 401
    assert bus.stats.reconnects == 1


async def test_giving_up_surfaces_the_cause(sim: Simulator) -> None:
    policy = ReconnectPolicy(base_delay=0.01, max_delay=0.02, max_attempts=2)
    bus = make_bus(sim, reconnect=policy)
    closed: list[Any] = []
    bus.add_handler("bus.closed", closed.append)

    async def lose_the_server() -> None:
        async with bus:
            sim.faults.refuse_handshakes(100)
            sim.faults.drop()
            await bus.wait_for("bus.closed", timeout=10)

    with pytest.raises(ReconnectFailed) as caught:
        await lose_the_server()
    assert isinstance(caught.value.__cause__, HandshakeRefused)
    assert closed
    assert closed[0].error


async def test_run_surfaces_the_give_up_too(sim: Simulator) -> None:
    bus = make_bus(sim, reconnect=ReconnectPolicy(enabled=False))
    task = asyncio.create_task(bus.run())
    await bus.wait_open(5)
    sim.faults.drop()
    with pytest.raises(ConnectionLost):
        await asyncio.wait_for(task, 5)


async def test_clean_close_never_reconnects(sim: Simulator) -> None:
    bus = make_bus(sim, reconnect=FAST)
    async with bus:
        pass
    await asyncio.sleep(0.2)
    assert bus.stats.reconnects == 0
    assert len(sim.history) == 1


async def test_slow_handler_catches_up_in_order(sim: Simulator) -> None:
    bus = make_bus(sim, slow_handler_seconds=0.1)
    seen: list[str] = []

    @bus.on(ResponseOutputTextDelta)
    async def slow(event: ResponseOutputTextDelta) -> None:
        if not seen:
            await asyncio.sleep(0.3)  # events queue meanwhile; the socket keeps being read
        seen.append(event.delta)

    async with bus:
        final = await text_turn(
            bus, "many words in this answer please", "response.output_text.done"
        )
    assert "".join(seen) == final.text
    assert bus.stats.slow_handlers == 1
    assert bus.stats.max_inbound_backlog > 1


async def test_session_expiry_warning_then_1001_then_reconnect() -> None:
    async with Simulator(max_session_seconds=1.2) as sim:
        bus = make_bus(sim, reconnect=FAST, session_expiry_warning=0.8)
        events = _recording(bus)
        async with bus:
            await bus.session.update(instructions="keep me", wait=True)
            expiring = await bus.wait_for(SessionExpiring, timeout=5)
            assert 0 < expiring.seconds_left <= 0.9
            reconnected = await bus.wait_for(Reconnected, timeout=5)
            assert reconnected.new_session_id != reconnected.old_session_id
            await bus.wait_for("session.updated", timeout=5)
            assert sim.connections[-1].config.instructions == "keep me"  # type: ignore[union-attr]
        disconnected = next(e for e in events if isinstance(e, Disconnected))
        assert disconnected.code == 1001


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    policy = ReconnectPolicy(base_delay=0.5, factor=2, max_delay=4, jitter=0.5)
    rng = random.Random(7)
    delays = [policy.delay(n, rng) for n in range(1, 8)]
    raw = [0.5, 1, 2, 4, 4, 4, 4]
    for delay, bound in zip(delays, raw, strict=True):
        assert bound * 0.5 <= delay <= bound
    assert policy.allows(8, 0)
    assert not policy.allows(9, 0)
    assert not policy.allows(1, 1000)
    assert not ReconnectPolicy(enabled=False).allows(1, 0)


@pytest.mark.parametrize("factor", [2.0, 2, 1.5, 10.0])
def test_backoff_stays_at_the_cap_however_many_attempts(factor: float) -> None:
    # A float power past ~1e308 raises OverflowError (2.0 ** 1024 does): the delay must not.
    policy = ReconnectPolicy(base_delay=0.25, factor=factor, max_delay=10.0, jitter=0.0)
    assert policy.delay(5000) == 10.0
    assert ReconnectPolicy(base_delay=0.0, factor=factor, jitter=0.0).delay(5000) == 0.0
    jittered = ReconnectPolicy(factor=factor, max_delay=10.0, jitter=0.5)
    assert 5.0 <= jittered.delay(5000, random.Random(3)) <= 10.0
