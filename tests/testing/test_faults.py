"""Fault injection over real loopback sockets: each fault does what it says, and only that."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from realtime_bus.testing import Simulator

from ._client import connect, text_item


async def test_refuse_next_handshakes_then_accept(sim: Simulator) -> None:
    sim.faults.refuse_handshakes(2)
    for _ in range(2):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await connect(sim)
        assert refused.value.response.status_code == 503
    client = await connect(sim)
    assert len(sim.connections) == 1
    await client.ws.close()


async def test_refuse_with_401_and_403(sim: Simulator) -> None:
    for status in (401, 403):
        sim.faults.refuse_handshakes(1, status=status)
        with pytest.raises(websockets.InvalidStatus) as refused:
            await connect(sim)
        assert refused.value.response.status_code == status


async def test_drop_after_events_aborts_without_close_frame(sim: Simulator) -> None:
    sim.faults.drop_after_events(3)
    client = await connect(sim)  # event 1: session.created
    await client.send(text_item("one"))  # events 2 and 3
    await client.expect("conversation.item.added")
    await client.expect("conversation.item.done")
    with pytest.raises(websockets.ConnectionClosedError):
        await client.recv(timeout=3)
    assert client.ws.protocol.close_rcvd is None
    # One-shot: the next connection is not dropped.
    again = await connect(sim)
    await again.send(text_item("two"))
    await again.until("conversation.item.done")
    await again.ws.close()


async def test_drop_mid_response(sim: Simulator) -> None:
    client = await connect(sim)
    sim.faults.drop_mid_response(after_deltas=2)
    await client.send(text_item("a long enough message to stream several deltas"))
    await client.until("conversation.item.done")
    await client.send({"type": "response.create"})
    with pytest.raises(websockets.ConnectionClosedError):
        await client.until("response.done", timeout=3)
    deltas = [e for e in client.events if e["type"].endswith(".delta")]
    assert len(deltas) == 2
    assert "response.done" not in [e["type"] for e in client.events]


async def test_frame_delay_holds_every_frame(sim: Simulator) -> None:
    client = await connect(sim)
    sim.faults.frame_delay = 0.3
    start = time.monotonic()
    await client.send(text_item("delayed"))
    await client.expect("conversation.item.added")
    await client.expect("conversation.item.done")
    assert time.monotonic() - start >= 0.25
    sim.faults.frame_delay = 0
    start = time.monotonic()
    await client.send(text_item("prompt"))
    await client.expect("conversation.item.added")
    assert time.monotonic() - start < 0.25


async def test_malformed_and_unknown_frames_reach_the_client_and_the_connection_lives(
    sim: Simulator,
) -> None:
    client = await connect(sim)
    sim.faults.send_malformed_frame("json")
    raw = await asyncio.wait_for(client.ws.recv(), 3)
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    sim.faults.send_malformed_frame("schema")
    bad = json.loads(await asyncio.wait_for(client.ws.recv(), 3))
    assert bad["delta"] == 42
    sim.faults.send_unknown_event("response.from_the_future", payload={"x": 1})
    unknown = json.loads(await asyncio.wait_for(client.ws.recv(), 3))
    assert unknown["type"] == "response.from_the_future"
    assert unknown["event_id"].startswith("event_")
    await client.send(text_item("still alive"))
    await client.expect("conversation.item.added")


async def test_invalid_utf8_frame_makes_the_client_fail_the_connection(sim: Simulator) -> None:
    client = await connect(sim)
    sim.faults.send_malformed_frame("utf8")
    with pytest.raises(websockets.ConnectionClosedError):
        await asyncio.wait_for(client.ws.recv(), 3)
    assert client.ws.protocol.close_sent is not None
    assert client.ws.protocol.close_sent.code == 1007


async def test_stall_leaves_pings_unanswered_until_resumed(sim: Simulator) -> None:
    client = await connect(sim, ping_interval=None)
    sim.faults.stall()
    pong = await client.ws.ping()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.shield(pong), 0.3)
    await client.send(text_item("queued while stalled"))
    with pytest.raises(TimeoutError):
        await client.recv(timeout=0.3)
    assert not sim.connections[0].closed
    sim.faults.resume()
    await asyncio.wait_for(pong, 3)
    await client.expect("conversation.item.added")


async def test_never_answer_close(sim: Simulator) -> None:
    client = await connect(sim, close_timeout=0.5)
    sim.faults.never_answer_close = True
    start = time.monotonic()
    await client.ws.close()
    assert time.monotonic() - start >= 0.4
    assert client.ws.protocol.close_rcvd is None


async def test_close_with_code_and_reason(sim: Simulator) -> None:
    client = await connect(sim)
    sim.faults.close(1001, "going away for a test")
    with pytest.raises(websockets.ConnectionClosedOK):
        await client.recv(timeout=3)
    assert (client.ws.close_code, client.ws.close_reason) == (1001, "going away for a test")
    await sim.history[0].wait_closed(timeout=3)
    assert sim.history[0].close_code == 1001


async def test_drop_now(sim: Simulator) -> None:
    client = await connect(sim)
    sim.faults.drop()
    with pytest.raises(websockets.ConnectionClosedError):
        await client.recv(timeout=3)
    await sim.history[0].wait_closed(timeout=3)
    assert sim.connections == []


async def test_reset_undoes_standing_faults(sim: Simulator) -> None:
    sim.faults.frame_delay = 1.0
    sim.faults.never_answer_close = True
    sim.faults.refuse_handshakes(5)
    sim.faults.reset()
    client = await connect(sim, close_timeout=2)
    start = time.monotonic()
    await client.ws.close()
    assert client.ws.protocol.close_rcvd is not None
    assert time.monotonic() - start < 1.0
