"""The lifecycle state machine and the one key-matching rule, on their own."""

from __future__ import annotations

import asyncio

import pytest

from realtime_bus import ResponseDone, UnknownEvent
from realtime_bus.bus import BusState, KeyMatcher
from realtime_bus.bus._matching import key_of
from realtime_bus.bus._state import Flag, IllegalTransition, Lifecycle


def test_a_flag_wakes_its_waiters_as_an_asyncio_event_does() -> None:
    async def check() -> None:
        flag = Flag()
        assert not flag.is_set()
        waiters = [asyncio.create_task(flag.wait()) for _ in range(3)]
        await asyncio.sleep(0)
        assert "waiters:3" in repr(flag)
        flag.set()
        assert await asyncio.wait_for(asyncio.gather(*waiters), 5) == [True, True, True]
        flag.clear()
        late = asyncio.create_task(flag.wait())
        await asyncio.sleep(0)
        late.cancel()  # a cancelled waiter leaves the list
        with pytest.raises(asyncio.CancelledError):
            await late
        assert "waiters" not in repr(flag)
        flag.set()
        assert await asyncio.wait_for(flag.wait(), 5) is True

    asyncio.run(check())


def test_transitions_follow_the_table_and_set_the_signals() -> None:
    async def check() -> None:
        life = Lifecycle()
        assert life.state is BusState.NEW
        assert not life.started
        life.to(BusState.CONNECTING)
        with pytest.raises(IllegalTransition, match="CONNECTING -> CLOSED"):
            life.to(BusState.CLOSED)
        life.to(BusState.OPEN)
        assert life.opened.is_set()
        assert life.established
        life.to(BusState.RECONNECTING)
        life.to(BusState.RECONNECTING)  # one more attempt
        life.to(BusState.OPEN)
        life.to(BusState.CLOSING)
        assert life.stopping.is_set()
        assert not life.usable
        life.to(BusState.CLOSED)
        assert life.finished.is_set()
        with pytest.raises(IllegalTransition):
            life.to(BusState.OPEN)

    asyncio.run(check())


def test_a_new_bus_may_close_without_running() -> None:
    async def check() -> None:
        life = Lifecycle()
        life.to(BusState.CLOSED)
        assert life.finished.is_set()
        assert not life.usable

    asyncio.run(check())


@pytest.mark.parametrize(
    ("keys", "name", "unknown", "expected"),
    [
        (("response.done",), "response.done", False, True),
        (("response.*",), "response.output_text.delta", False, True),
        (("*",), "response.done", False, True),
        (("*",), "bus.connected", False, False),
        (("bus.*",), "bus.connected", False, True),
        ((key_of(UnknownEvent),), "future.event", True, True),
        ((key_of(UnknownEvent),), "UnknownEvent", False, False),
        ((key_of(ResponseDone), "session.*"), "session.updated", False, True),
        (("response.[dc]*",), "response.created", False, True),
    ],
)
def test_one_matching_rule(keys: tuple[str, ...], name: str, unknown: bool, expected: bool) -> None:
    assert KeyMatcher(keys).matches(name, unknown) is expected


def test_a_key_can_be_taken_out() -> None:
    matcher = KeyMatcher(("a.b", "c.*")).without("c.*")
    assert matcher.keys == ("a.b",)
    assert not matcher.matches("c.d")
