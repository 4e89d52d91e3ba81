"""Receiving: handlers by name, class and glob, ordering, waiters, streams, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import structlog

from realtime_bus import (
    ErrorReport,
    ResponseDone,
    ResponseOutputTextDelta,
    ServerEvent,
    SessionCreated,
    StreamOverflow,
    UnknownEvent,
)
from realtime_bus.testing import Simulator
from tests._sim import make_bus

from .conftest import text_turn, user_text


async def test_handlers_by_name_class_and_glob(sim: Simulator) -> None:
    bus = make_bus(sim)
    seen: dict[str, list[str]] = {"name": [], "class": [], "glob": [], "all": []}

    @bus.on("response.done")
    async def by_name(event: Any) -> None:
        seen["name"].append(event.type)

    @bus.on(ResponseDone)
    def by_class(event: ResponseDone) -> None:
        seen["class"].append(event.response.status or "")

    @bus.on("response.*")
    def by_glob(event: ServerEvent) -> None:
        seen["glob"].append(event.type)

    @bus.on("*")
    def every(event: ServerEvent) -> None:
        seen["all"].append(event.type)

    async with bus:
        await text_turn(bus)
    assert seen["name"] == ["response.done"]
    assert seen["class"] == ["completed"]
    assert seen["glob"][0] == "response.created"
    assert seen["glob"][-1] == "response.done"
    assert all(t.startswith("response.") for t in seen["glob"])
    assert seen["all"][0] == "session.created"
    assert "bus.connected" not in seen["all"]  # lifecycle events are opted into by name


async def test_once_off_and_check(sim: Simulator) -> None:
    bus = make_bus(sim)
    calls: list[str] = []

    @bus.on(ResponseOutputTextDelta, once=True)
    def first_delta(event: ResponseOutputTextDelta) -> None:
        calls.append("once")

    def removed(event: Any) -> None:
        calls.append("removed")

    bus.add_handler("response.done", removed)
    assert bus.off(removed)

    @bus.on("response.done", check=lambda e: e.response.status == "cancelled")
    def only_cancelled(event: ResponseDone) -> None:
        calls.append("cancelled")

    async with bus:
        await text_turn(bus)
        await text_turn(bus, "again")
    assert calls == ["once"]


async def test_events_are_dispatched_in_order_and_handlers_finish_first(sim: Simulator) -> None:
    bus = make_bus(sim)
    order: list[str] = []
    active = 0

    @bus.on(ResponseOutputTextDelta)
    async def slow(event: ResponseOutputTextDelta) -> None:
        nonlocal active
        active += 1
        assert active == 1, "a second delta was dispatched before the first finished"
        await asyncio.sleep(0.01)
        order.append(event.delta)
        active -= 1

    async with bus:
        done = await text_turn(bus, "please count slowly for me")
        # response.done's waiter woke only after every delta's handler had finished.
        assert order
        texts = [
            c.text for item in done.response.output or [] for c in getattr(item, "content", [])
        ]
        assert "".join(order) == "".join(t for t in texts if isinstance(t, str))


async def test_waiters_see_handler_state_up_to_date(sim: Simulator) -> None:
    """A waiter armed outside handlers wakes after the handlers of earlier events ran."""
    bus = make_bus(sim)
    deltas: list[str] = []

    @bus.on(ResponseOutputTextDelta)
    async def collect(event: ResponseOutputTextDelta) -> None:
        await asyncio.sleep(0.002)
        deltas.append(event.delta)

    async with bus:
        final = await text_turn(bus, "say a long sentence please", "response.output_text.done")
        assert "".join(deltas) == final.text


async def test_concurrent_handlers_run_as_tasks(sim: Simulator) -> None:
    bus = make_bus(sim)
    started = asyncio.Event()
    release = asyncio.Event()
    after: list[str] = []

    @bus.on("session.created", concurrent=True)
    async def blocking(event: SessionCreated) -> None:
        started.set()
        await release.wait()

    @bus.on("session.updated")
    def later(event: Any) -> None:
        after.append(event.type)

    async with bus:
        await asyncio.wait_for(started.wait(), 5)
        await bus.session.update(instructions="x", wait=True)
        await asyncio.sleep(0.05)
        assert after == ["session.updated"]  # not held up by the blocked concurrent handler
        release.set()


class _AwaitableCount(int):
    """An int that is also awaitable: not one of the plain types the dispatcher skips."""

    def __await__(self) -> Any:
        return _record(int(self)).__await__()


_awaited: list[int] = []


async def _record(value: int) -> None:
    _awaited.append(value)


async def test_plain_handlers_returning_values_and_awaitables(sim: Simulator) -> None:
    bus = make_bus(sim)
    errors: list[ErrorReport] = []
    seen: list[object] = []
    finished = asyncio.Event()
    _awaited.clear()
    bus.on_error(errors.append)

    async def later(event: Any) -> None:
        seen.append(event.type)
        finished.set()

    for value in (True, 3, 2.5, "x", b"y", (1,), [2], {"k": 3}, {4}):
        bus.on("session.created")(lambda event, value=value: value)
    bus.on("session.created")(lambda event: _AwaitableCount(7))  # an int subclass: awaited
    bus.on("session.created")(lambda event: later(event))  # returns a coroutine: awaited too

    async with bus:
        await asyncio.wait_for(finished.wait(), 5)
        for _ in range(100):
            if _awaited:
                break
            await asyncio.sleep(0.01)
    assert seen == ["session.created"]
    assert _awaited == [7]
    assert errors == []


async def test_a_handler_can_await_a_request_without_deadlock(sim: Simulator) -> None:
    bus = make_bus(sim)
    acked = asyncio.Event()
    acks: list[str] = []

    @bus.on("session.created")
    async def configure(event: SessionCreated) -> None:
        # The handler holds the dispatcher while it waits for session.updated.
        updated = await bus.session.update(instructions="from a handler", wait=True)
        acks.append(updated.session.instructions)
        acked.set()

    async with bus:
        await asyncio.wait_for(acked.wait(), 5)
    assert acks == ["from a handler"]


async def test_slow_handler_is_reported(sim: Simulator) -> None:
    async def slow(event: Any) -> None:
        await asyncio.sleep(0.1)

    with structlog.testing.capture_logs() as logs:
        bus = make_bus(sim, slow_handler_seconds=0.05)
        bus.add_handler("session.updated", slow)
        async with bus:
            await bus.session.update(instructions="x", wait=True)
            await asyncio.sleep(0.2)
    assert bus.stats.slow_handlers == 1
    slow_logs = [entry for entry in logs if entry["event"] == "slow handler"]
    assert slow_logs
    assert slow_logs[0]["handler"].endswith("slow")
    assert slow_logs[0]["seconds"] >= 0.05


async def test_handler_errors_are_isolated_and_reported(sim: Simulator) -> None:
    bus = make_bus(sim)
    reports: list[ErrorReport] = []
    after: list[str] = []

    @bus.on("*")
    def always_fails(event: Any) -> None:
        raise RuntimeError(f"boom on {event.type}")

    @bus.on("response.done")
    def still_runs(event: Any) -> None:
        after.append(event.type)

    bus.on_error(reports.append)
    async with bus:
        await text_turn(bus)
    assert after == ["response.done"]
    assert reports
    assert all(r.kind == "handler" for r in reports)
    assert reports[0].event is not None
    assert reports[0].event.type == "session.created"
    assert "always_fails" in (reports[0].handler or "")
    assert bus.stats.handler_errors == len(reports)


async def test_wait_for_timeout_and_expect_before_send(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        with pytest.raises(TimeoutError):
            await bus.wait_for("conversation.item.deleted", timeout=0.05)
        exp = bus.expect(ResponseDone)
        await bus.session.update(output_modalities=["text"], turn_detection=None)
        await bus.conversation.item.create(user_text("hi"))
        await bus.response.create()
        await asyncio.sleep(0.5)  # the answer arrives before anyone awaits: not lost
        event = await exp.wait(5)
        assert isinstance(event, ResponseDone)


async def test_stream_delivers_in_order_and_ends_on_close(sim: Simulator) -> None:
    bus = make_bus(sim)
    collected: list[str] = []
    async with bus:
        await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
        await bus.conversation.item.create(user_text("stream this please"))
        async with bus.stream("response.output_text.delta", "response.done") as events:
            await bus.response.create()
            async for event in events:
                if event.type == "response.done":
                    break
                collected.append(event.delta)
    assert collected


async def test_stream_overflow_policies(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
        await bus.conversation.item.create(user_text("a fairly long answer would be nice"))
        async with (
            bus.stream(ResponseOutputTextDelta, maxsize=2, overflow="drop_oldest") as dropping,
            bus.stream(ResponseOutputTextDelta, maxsize=2, overflow="raise") as raising,
        ):
            done = bus.expect(ResponseDone)
            await bus.response.create()
            await done.wait(10)
            kept = [dropping.__anext__(), dropping.__anext__()]
            assert len(await asyncio.gather(*kept)) == 2
            assert dropping.dropped > 0
            received = [await raising.__anext__(), await raising.__anext__()]
            assert len(received) == 2
            with pytest.raises(StreamOverflow):
                await raising.__anext__()


async def test_unknown_and_malformed_frames_do_not_stop_the_bus(sim: Simulator) -> None:
    bus = make_bus(sim)
    reports: list[ErrorReport] = []
    unknown: list[UnknownEvent] = []
    bus.on_error(reports.append)

    @bus.on(UnknownEvent)
    def on_unknown(event: UnknownEvent) -> None:
        unknown.append(event)

    async with bus:
        connection = sim.connections[-1]
        connection.send_raw('{"type":"brand.new.event","event_id":"x1","n":1}')
        connection.send_raw("this is not json")
        await text_turn(bus)
    assert [u.type for u in unknown] == ["brand.new.event"]
    assert unknown[0].payload["n"] == 1
    kinds = [r.kind for r in reports]
    assert kinds == ["unknown_event", "decode"]
    assert reports[1].frame == b"this is not json"


async def test_a_cancelled_wait_for_is_disarmed(sim: Simulator) -> None:
    checked: list[str] = []

    def check(event: Any) -> bool:
        checked.append(event.type)
        return False  # never satisfied: the wait can only end by cancellation

    async with make_bus(sim) as bus:
        waiting = asyncio.create_task(bus.wait_for("conversation.item.*", check=check))
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await bus.conversation.item.create(user_text("after the cancel"), wait=True)
    assert checked == [], "the cancelled wait still filters later events"
