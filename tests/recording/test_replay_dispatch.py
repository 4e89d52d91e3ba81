"""A replayed burst is dispatched in the reader's task, with the semantics of events read alone.

The reader decodes the frames a burst holds, then hands them to the dispatcher together
(``Dispatcher.dispatch_burst``). These tests play bursts of text deltas and change things from
a handler in the middle of one: the handlers, the waiters, the order, the errors.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from realtime_bus import Bus, ErrorReport, ResponseOutputTextDelta
from realtime_bus.bus import DerivedEvent
from realtime_bus.bus._dispatcher import Dispatcher
from realtime_bus.recording import Recorder, Replayer
from realtime_bus.recording._replay import _YIELD_EVERY

N = 3 * _YIELD_EVERY  # deltas after the session.created, played in bursts of _YIELD_EVERY
MID = _YIELD_EVERY + _YIELD_EVERY // 2  # in the middle of the second burst: the first is
# queued whole (the session.created before it is), the later ones are dispatched as they come
DELTA = ResponseOutputTextDelta


def _record(path: Path, n: int = N) -> None:
    recorder = Recorder(path, url="ws://127.0.0.1:1/v1/realtime")
    recorder.opened(1)
    recorder.received(
        b'{"type":"session.created","session":{"type":"realtime","model":"gpt-realtime"}}', True
    )
    for i in range(1, n + 1):
        recorder.received(
            b'{"type":"response.output_text.delta","event_id":"e%d","response_id":"r",'
            b'"item_id":"i","output_index":0,"content_index":0,"delta":"%d"}' % (i, i),
            True,
        )
    recorder.close(code=1000)


def _bus(tmp_path: Path, **kwargs: Any) -> Bus:
    path = tmp_path / "burst.jsonl"
    _record(path)
    return Bus("ws://replay.invalid/", connector=Replayer(path, gated=False), **kwargs)


def _task() -> str:
    task = asyncio.current_task()
    return task.get_name() if task is not None else ""


async def _play(bus: Bus, until: Callable[[], bool] | None = None) -> None:
    """Run ``bus`` until the last delta has been handled (and ``until`` holds)."""
    last = bus.expect(DELTA, check=lambda e: e.delta == str(N))
    async with bus:
        await last.wait(10)
        if until is not None:
            async with asyncio.timeout(5):
                while not until():  # noqa: ASYNC110 - polling the test's own lists
                    await asyncio.sleep(0.01)


async def test_a_handler_added_or_removed_mid_burst_applies_from_the_next_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bursts: list[int] = []
    dispatch_burst = Dispatcher.dispatch_burst

    def spy(self: Dispatcher, events: Sequence[Any]) -> int:
        bursts.append(len(events))
        return dispatch_burst(self, events)

    monkeypatch.setattr(Dispatcher, "dispatch_burst", spy)
    bus = _bus(tmp_path)
    seen: dict[str, list[int]] = {"every": [], "gone": [], "late": []}
    tasks: dict[int, str] = {}

    def late(event: DELTA) -> None:
        seen["late"].append(int(event.delta))

    def gone(event: DELTA) -> None:
        seen["gone"].append(int(event.delta))

    @bus.on(DELTA)
    def every(event: DELTA) -> None:
        i = int(event.delta)
        seen["every"].append(i)
        tasks[i] = _task()
        if i == MID:
            bus.add_handler(DELTA, late)
            assert bus.off(gone)

    bus.add_handler(DELTA, gone)
    await _play(bus)
    everything = list(range(1, N + 1))
    assert seen["every"] == everything
    # The route of the event being handled was taken before its handlers ran.
    assert seen["gone"] == everything[:MID]
    assert seen["late"] == everything[MID:]
    # These were dispatched from a burst, in the reader's task.
    assert max(bursts) == 64
    assert tasks[MID - 1].endswith("-read")
    assert tasks[MID].endswith("-read")
    assert tasks[MID + 1].endswith("-read")


def _noting(order: list[str], name: str, fails: tuple[str, ...] = ()) -> Callable[[DELTA], None]:
    """A handler, named ``name``, that notes ``name delta`` in ``order`` and then raises
    ``ValueError`` on the deltas in ``fails``."""

    def note(event: DELTA) -> None:
        order.append(f"{name} {event.delta}")
        if event.delta in fails:
            raise ValueError(event.delta)

    note.__qualname__ = name
    return note


async def test_a_handler_that_raises_mid_burst_is_reported_and_the_burst_goes_on(
    tmp_path: Path,
) -> None:
    bus, reports, order = _bus(tmp_path), list[ErrorReport](), list[str]()
    bus.on_error(reports.append)
    failing = (str(MID), str(MID + 1))
    for name in ("before", "bad", "after"):
        bus.add_handler(DELTA, _noting(order, name, failing if name == "bad" else ()))
    await _play(bus, until=lambda: len(reports) == 2)
    assert order == [f"{name} {i}" for i in range(1, N + 1) for name in ("before", "bad", "after")]
    assert [r.kind for r in reports] == ["handler", "handler"]
    assert [r.event.delta for r in reports] == list(failing)
    assert [r.handler for r in reports] == ["bad", "bad"]
    assert [str(r.error) for r in reports] == list(failing)
    assert bus.stats.handler_errors == 2
    assert bus.stats.events_dispatched >= N


async def test_waiters_are_resolved_in_order_after_the_handlers_of_their_event(
    tmp_path: Path,
) -> None:
    bus = _bus(tmp_path)
    handled: list[str] = []
    fed: list[str] = []
    armed_mid: list[Any] = []

    def after_handlers(wanted: str) -> Callable[[DELTA], bool]:
        def check(event: DELTA) -> bool:
            # An ordered waiter is offered an event once its handlers have run.
            assert handled[-1] == event.delta
            if event.delta != wanted:
                return False
            fed.append(event.delta)
            return True

        return check

    @bus.on(DELTA)
    def note(event: DELTA) -> None:
        handled.append(event.delta)
        if event.delta == str(MID):
            # Armed by a handler in the reader's task: an ordered waiter, offered this very
            # event once its handlers have run, as for an event dispatched alone.
            armed_mid.append(bus.expect(DELTA))

    wanted = [str(i) for i in (MID - 10, MID, MID + 1, MID + 20)]
    waits = [bus.expect(DELTA, check=after_handlers(w)) for w in reversed(wanted)]
    await _play(bus)
    results = [await w.wait(1) for w in waits]
    assert [r.delta for r in results] == list(reversed(wanted))
    assert fed == wanted  # offered in dispatch order, whatever the order they were armed in
    assert (await armed_mid[0].wait(1)).delta == str(MID)


class Marked(DerivedEvent):
    """Published by a handler in the middle of a burst."""

    __slots__ = ("after",)
    type: ClassVar[str] = "agent.test.marked"

    def __init__(self, after: str) -> None:
        self.after = after


async def test_publishing_or_an_async_handler_mid_burst_queues_the_rest_in_order(
    tmp_path: Path,
) -> None:
    bus, order, tasks = _bus(tmp_path), list[str](), dict[str, str]()
    bus.add_handler(Marked, lambda event: order.append(f"marked after {event.after}"))

    async def slow(event: DELTA) -> None:
        await asyncio.sleep(0)
        order.append(f"slow {event.delta}")

    @bus.on(DELTA)
    def plain(event: DELTA) -> None:
        order.append(event.delta)
        tasks[event.delta] = _task()
        if event.delta == str(MID):
            bus.publish(Marked(event.delta))
        elif event.delta == str(MID + 2):
            bus.add_handler(DELTA, slow)

    await _play(bus, until=lambda: order[-1] == f"slow {N}")
    expected = [str(i) for i in range(1, MID + 1)]
    expected += [f"marked after {MID}", str(MID + 1), str(MID + 2)]
    for i in range(MID + 3, N + 1):
        expected += [str(i), f"slow {i}"]
    assert order == expected
    assert tasks[str(MID)].endswith("-read")
    assert tasks[str(MID + 1)].endswith("-read")  # the published event did not queue the rest
    # Once an event has an async handler, the dispatcher's task runs its handlers.
    assert not tasks[str(MID + 3)].endswith("-read")


async def test_a_queued_burst_keeps_to_the_bounds(tmp_path: Path) -> None:
    bus = _bus(tmp_path, inbound_maxsize=8)
    seen: list[int] = []

    @bus.on(DELTA)
    async def behind(event: DELTA) -> None:
        await asyncio.sleep(0)
        seen.append(int(event.delta))

    await _play(bus, until=lambda: len(seen) == N)
    assert seen == list(range(1, N + 1))
    assert bus.stats.reading_pauses > 0
    assert bus.stats.max_inbound_backlog <= 8


async def test_each_event_of_a_burst_keeps_its_own_receive_stamp(tmp_path: Path) -> None:
    bus = _bus(tmp_path)
    stamps: list[tuple[float, float]] = []

    @bus.on(DELTA)
    def note(event: DELTA) -> None:
        assert isinstance(event.received, float)
        stamps.append((event.received, time.monotonic()))

    before = time.monotonic()
    await _play(bus)
    assert len(stamps) == N
    received = [r for r, _ in stamps]
    assert received == sorted(received)
    assert len(set(received)) > 1
    assert before <= received[0]
    assert all(r <= handled for r, handled in stamps)


async def test_a_slow_handler_mid_burst_is_the_only_one_reported(tmp_path: Path) -> None:
    bus = _bus(tmp_path, slow_handler_seconds=0.05)

    @bus.on(DELTA)
    def quick(event: DELTA) -> None:
        if event.delta == str(MID):
            time.sleep(0.08)

    @bus.on(DELTA)
    def also_quick(event: DELTA) -> None:
        pass

    await _play(bus)
    assert bus.stats.slow_handlers == 1


class Slow(DerivedEvent):
    """Published mid-burst, with an ``async`` handler."""

    __slots__ = ()
    type: ClassVar[str] = "agent.test.slow"


async def test_derived_events_published_mid_burst_come_right_after_their_event(
    tmp_path: Path,
) -> None:
    bus, order, tasks, reports = _bus(tmp_path), list[str](), dict[str, str](), list[ErrorReport]()
    bus.on_error(reports.append)

    @bus.on(Marked)
    def marked(event: Marked) -> None:
        order.append(f"marked {event.after}")
        if event.after == "a":
            bus.publish(Marked("a2"))  # after what is already published: FIFO, as in run()
        elif event.after == "b":
            raise RuntimeError("b")

    @bus.on(Slow)
    async def slow(event: Slow) -> None:
        await asyncio.sleep(0)
        order.append("slow")

    @bus.on(DELTA)
    def plain(event: DELTA) -> None:
        order.append(event.delta)
        tasks[event.delta] = _task()
        if event.delta == str(MID):
            bus.publish(Marked("a"))
            bus.publish(Marked("b"))
        elif event.delta == str(MID + 10):
            bus.publish(Slow())

    await _play(bus)
    at = order.index(str(MID))
    assert order[at : at + 5] == [str(MID), "marked a", "marked b", "marked a2", str(MID + 1)]
    at = order.index(str(MID + 10))
    assert order[at : at + 3] == [str(MID + 10), "slow", str(MID + 11)]
    assert [d for d in order if d.isdigit()] == [str(i) for i in range(1, N + 1)]
    assert [r.kind for r in reports] == ["handler"]
    assert isinstance(reports[0].event, Marked)
    assert reports[0].event.after == "b"
    # Dispatched in the reader's task up to the async handler's event; the dispatcher's
    # task took the rest of that burst.
    assert all(tasks[str(i)].endswith("-read") for i in range(MID, MID + 11))
    assert not tasks[str(MID + 11)].endswith("-read")
