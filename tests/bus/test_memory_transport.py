"""The bus over an in-memory transport: no socket, a scripted server on the other end.

The bus is typed against the ``Transport`` protocol; these tests give it ``memory_pair()`` ends
through ``connector=`` and play the server by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import msgspec
import pytest

from realtime_bus import Bus, Disconnected, RealtimeSession, Reconnected, ResponseCreate
from realtime_bus.bus import DialectSpec, Handshake, ReconnectPolicy, dialect_for
from realtime_bus.protocol import ClientEvent, SessionUpdate
from realtime_bus.transport import (
    ConnectOptions,
    Endpoint,
    MemoryTransport,
    Transport,
    memory_pair,
)

FAST = ReconnectPolicy(base_delay=0.01, max_delay=0.02, max_attempts=5)


def created(n: int) -> bytes:
    return msgspec.json.encode(
        {
            "type": "session.created",
            "event_id": f"event_{n}",
            "session": {"type": "realtime", "id": f"sess_{n}", "object": "realtime.session"},
        }
    )


def updated(n: int) -> bytes:
    return msgspec.json.encode(
        {
            "type": "session.updated",
            "event_id": f"event_u{n}",
            "session": {"type": "realtime", "id": f"sess_{n}", "object": "realtime.session"},
        }
    )


class Servers:
    """Hands the bus a fresh client end per connect and keeps the server ends."""

    def __init__(self) -> None:
        self.ends: list[MemoryTransport] = []
        self.arrived = asyncio.Event()

    async def connect(self, _endpoint: Endpoint, _options: ConnectOptions) -> Transport:
        client, server = memory_pair()
        self.ends.append(server)
        self.arrived.set()
        return client

    async def next(self, count: int) -> MemoryTransport:
        async with asyncio.timeout(5):
            while len(self.ends) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.ends[count - 1]


async def _recv_type(end: MemoryTransport) -> dict[str, Any]:
    async with asyncio.timeout(5):
        frame = await end.recv()
    payload: dict[str, Any] = msgspec.json.decode(frame)
    return payload


async def test_request_and_reconnect_without_a_socket() -> None:
    servers = Servers()
    bus = Bus(connector=servers.connect, reconnect=FAST)
    lifecycle: list[Any] = []
    bus.add_handler("bus.*", lifecycle.append)
    task = asyncio.create_task(bus.run())
    first = await servers.next(1)
    await first.send(created(1))
    await bus.wait_open(5)
    assert bus.session_id == "sess_1"

    answer = asyncio.create_task(bus.session.update(instructions="hi", wait=True))
    sent = await _recv_type(first)
    assert sent["type"] == "session.update"
    assert sent["session"]["instructions"] == "hi"
    await first.send(updated(1))
    assert (await answer).type == "session.updated"

    # The server goes away with 1001: the bus reconnects and replays the configuration.
    reconnected = bus.expect(Reconnected)
    await first.close(1001, "going away")
    second = await servers.next(2)
    await second.send(created(2))
    assert (await reconnected.wait(5)).new_session_id == "sess_2"
    replay = await _recv_type(second)
    assert replay["type"] == "session.update"
    assert replay["session"]["instructions"] == "hi"

    await bus.close()
    await task
    disconnected = [e for e in lifecycle if isinstance(e, Disconnected)]
    assert disconnected[0].code == 1001
    assert disconnected[0].reason == "going away"


async def test_events_queued_before_the_session_wait_for_it() -> None:
    servers = Servers()
    bus = Bus(connector=servers.connect)
    task = asyncio.create_task(bus.run())
    end = await servers.next(1)
    await bus.send(ResponseCreate())
    await asyncio.sleep(0.05)
    assert end.peer is not None
    assert end.peer.sent == []
    await end.send(created(1))
    assert (await _recv_type(end))["type"] == "response.create"
    await bus.close()
    await task


def _client_first() -> DialectSpec:
    """Realtime's codec with a client-first handshake: the client opens with its configuration
    and the session starts with the server's ``session.updated`` (as GPT-Live's start does)."""
    realtime = dialect_for("ga")

    def start(config: Mapping[str, Any]) -> ClientEvent:
        return msgspec.convert({"type": "session.update", "session": dict(config)}, SessionUpdate)

    return DialectSpec(
        name="client-first-test",
        decoder=realtime.decoder,
        encoder=realtime.encoder,
        handshake=Handshake(ready=frozenset({"session.updated"}), start=start),
        acknowledgement=realtime.acknowledgement,
        session_of=realtime.session_of,
        configures=realtime.configures,
        helpers=realtime.helpers,
    )


async def test_a_client_first_dialect_sends_its_start_then_waits_for_the_answer() -> None:
    servers = Servers()
    bus = Bus(
        connector=servers.connect,
        protocol=_client_first(),
        reconnect=FAST,
        session=RealtimeSession(instructions="start like this"),
    )
    await bus.send(ResponseCreate())
    task = asyncio.create_task(bus.run())
    end = await servers.next(1)
    start = await _recv_type(end)
    assert start["type"] == "session.update"  # the client spoke first
    assert start["session"]["instructions"] == "start like this"
    await asyncio.sleep(0.05)
    assert end.peer is not None
    assert len(end.peer.sent) == 1
    await end.send(updated(1))
    await bus.wait_open(5)
    assert (await _recv_type(end))["type"] == "response.create"
    assert bus.session_id == "sess_1"
    await bus.close()
    await task


async def test_a_dropped_memory_link_is_reported_without_a_close_frame() -> None:
    servers = Servers()
    bus = Bus(connector=servers.connect, reconnect=False)
    task = asyncio.create_task(bus.run())
    end = await servers.next(1)
    await end.send(created(1))
    await bus.wait_open(5)
    end.abort()
    with pytest.raises(Exception, match="without a close frame"):
        await asyncio.wait_for(task, 5)
