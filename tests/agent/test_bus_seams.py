"""The two bus seams the agent layer stands on: receive times and derived events."""

from __future__ import annotations

import time
from typing import Any, ClassVar

import msgspec
import pytest

from realtime_bus import Bus
from realtime_bus.bus import DerivedEvent
from realtime_bus.protocol import Response, ResponseDone
from realtime_bus.protocol.server import encode_server
from realtime_bus.testing import Simulator

pytestmark = pytest.mark.anyio


class Noted(DerivedEvent):
    """A derived event for the tests."""

    __slots__ = ("of",)
    type: ClassVar[str] = "agent.noted"

    def __init__(self, of: str) -> None:
        self.of = of


def make_bus(sim: Simulator) -> Bus:
    return Bus(sim.url, api_key="sk-test-key", query={"model": "gpt-realtime"})


async def test_every_received_event_carries_its_monotonic_receive_time(sim: Simulator) -> None:
    seen: list[Any] = []
    bus = make_bus(sim)
    bus.on("*")(seen.append)
    before = time.monotonic()
    async with bus:
        await bus.session.update(instructions="Be brief.")
        await bus.response.create()
        await bus.wait_for(ResponseDone, timeout=10)
    after = time.monotonic()
    assert len(seen) > 5
    stamps = [event.received for event in seen]
    assert all(isinstance(s, float) and before <= s <= after for s in stamps)
    assert stamps == sorted(stamps)
    # The stamp is not protocol: not on the wire, not in the repr.
    assert b"received" not in encode_server(seen[-1])
    assert "received" not in repr(seen[-1])
    # An event that did not come through a bus has none.
    assert ResponseDone(response=Response()).received is msgspec.UNSET


async def test_derived_events_reach_handlers_waiters_and_streams_right_after_their_cause(
    sim: Simulator,
) -> None:
    order: list[str] = []
    bus = make_bus(sim)

    @bus.on("*")
    def publish(event: Any) -> None:
        order.append(event.type)
        if event.type == "response.created":
            bus.publish(Noted(event.type))

    @bus.on(Noted)
    def noted(event: Noted) -> None:
        order.append(f"noted:{event.of}")

    star_derived: list[Any] = []
    bus.on("*")(lambda e: star_derived.append(e) if isinstance(e, DerivedEvent) else None)
    async with bus:
        waiting = bus.expect("agent.noted")
        async with bus.stream("agent.*") as stream:
            await bus.response.create()
            got = await waiting.wait(timeout=10)
            streamed = await stream.__anext__()
        await bus.wait_for(ResponseDone, timeout=10)
    assert isinstance(got, Noted)
    assert streamed is got
    at = order.index("response.created")
    assert order[at + 1] == "noted:response.created"
    assert star_derived == []  # "*" is server events only


async def test_publish_refuses_what_is_not_a_derived_event(sim: Simulator) -> None:
    bus = make_bus(sim)
    with pytest.raises(TypeError, match="DerivedEvent"):
        bus.publish(ResponseDone(response=Response()))  # type: ignore[arg-type]
