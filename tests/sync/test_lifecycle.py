"""Connecting, closing and failing: no thread and no task is left behind, and errors keep their
type and message across the thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from realtime_bus import (
    Bus,
    BusClosed,
    ConnectFailed,
    ConnectionLost,
    ConversationItemDelete,
    HandshakeRefused,
    ResponseDone,
    ServerError,
)
from realtime_bus.sync import SyncBus
from realtime_bus.testing import Simulator

from .conftest import bus_threads, make_bus


def _assert_clean(bus: SyncBus) -> None:
    assert bus.thread is None
    assert bus_threads() == []
    assert bus._runner.leftover_tasks == ()
    assert bus.state.name == "CLOSED"


def test_leaving_with_joins_the_thread_and_closes_with_1000(sim: Simulator) -> None:
    before = threading.active_count()
    with make_bus(sim) as bus:
        assert threading.active_count() == before + 1
        assert bus_threads() == [bus.thread]
    assert threading.active_count() == before
    _assert_clean(bus)
    assert sim.call(lambda: sim.history[-1].close_code) == 1000


def test_an_exception_in_the_block_still_closes_cleanly(sim: Simulator) -> None:
    before = threading.active_count()
    bus = make_bus(sim)

    def use() -> None:
        with bus:
            bus.send(_item())
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        use()
    assert threading.active_count() == before
    _assert_clean(bus)
    assert sim.call(lambda: sim.history[-1].close_code) == 1000


@pytest.mark.realtime_simulator(api_key="sk-the-right-key")
def test_a_refused_handshake_raises_from_enter_and_connect(sim: Simulator) -> None:
    before = threading.active_count()
    bus = make_bus(sim, api_key="sk-a-wrong-key")
    with pytest.raises(HandshakeRefused) as info, bus:
        pytest.fail("entered a refused bus")
    assert type(info.value) is HandshakeRefused
    assert info.value.status == 401
    assert str(info.value) == "handshake refused with HTTP 401 Unauthorized (check the API key)"
    assert "sk-a-wrong-key" not in str(info.value)
    assert threading.active_count() == before
    _assert_clean(bus)

    other = make_bus(sim, api_key="sk-another-wrong-key")
    with pytest.raises(HandshakeRefused, match="HTTP 401"):
        other.connect()
    _assert_clean(other)
    with pytest.raises(RuntimeError, match="connects only once"):
        other.connect()


def test_connect_failures_match_the_async_bus() -> None:
    """Nothing listens on the port: the sync bus raises what the async bus raises."""
    url = "ws://127.0.0.1:9/v1/realtime"

    async def async_failure() -> BaseException:
        try:
            async with Bus(url, api_key="sk-x", reconnect=False):
                pass
        except Exception as exc:
            return exc
        raise AssertionError("connected to nothing")

    expected = asyncio.run(async_failure())
    bus = SyncBus(url, api_key="sk-x", reconnect=False)
    with pytest.raises(Exception) as info:
        bus.connect()
    assert type(info.value) is type(expected) is ConnectFailed
    assert str(info.value) == str(expected)
    _assert_clean(bus)


def test_server_error_and_timeout_cross_the_thread_intact(sim: Simulator) -> None:
    with make_bus(sim) as bus:
        with pytest.raises(ServerError) as info:
            bus.request(ConversationItemDelete(item_id="item_missing"))
        assert type(info.value) is ServerError
        assert info.value.error.code == "item_delete_invalid_item_id"
        assert str(info.value).startswith(
            "server error invalid_request_error/item_delete_invalid_item_id (param item_id): "
        )
        with pytest.raises(TimeoutError) as timeout:
            bus.wait_for(ResponseDone, timeout=0.1)
        assert type(timeout.value) is TimeoutError
        assert str(timeout.value) == "no response.done event within 0.1 s"
        exp = bus.expect("response.created")
        with pytest.raises(TimeoutError, match=r"no response\.created event within 0\.05 s"):
            exp.wait(timeout=0.05)
        assert exp.done
        with pytest.raises(TypeError, match="expected an event type name"):
            bus.on(42)  # type: ignore[call-overload]
    _assert_clean(bus)


def test_a_lost_connection_fails_waiters_and_is_raised_on_leaving(sim: Simulator) -> None:
    before = threading.active_count()
    bus = make_bus(sim, reconnect=False)
    waited: list[type[BaseException]] = []

    def use() -> None:
        with bus:
            sim.call(sim.faults.close, 1011, "boom")
            try:
                bus.wait_for(ResponseDone, timeout=5)
            except BusClosed as exc:
                waited.append(type(exc))

    with pytest.raises(ConnectionLost, match="closed by server with code 1011"):
        use()
    assert waited == [BusClosed]
    assert isinstance(bus.failure, ConnectionLost)
    assert threading.active_count() == before
    _assert_clean(bus)
    bus.close()  # a later close does not raise the failure again


def test_close_wakes_other_threads_and_is_idempotent(sim: Simulator) -> None:
    bus = make_bus(sim).connect()
    outcomes: list[BaseException] = []
    armed = threading.Event()

    def wait() -> None:
        try:
            armed.set()
            bus.wait_for(ResponseDone, timeout=10)
        except BaseException as exc:
            outcomes.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    armed.wait(5)
    closers = [threading.Thread(target=bus.close) for _ in range(3)]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(10)
    waiter.join(10)
    assert [type(e) for e in outcomes] == [BusClosed]
    _assert_clean(bus)
    bus.close()


def test_after_close_calls_raise_bus_closed(bus: SyncBus) -> None:
    with bus:
        pass
    calls: list[Any] = [
        lambda: bus.send(_item()),
        lambda: bus.send_nowait(_item()),
        lambda: bus.request(_item()),
        lambda: bus.response.create(),
        lambda: bus.wait_for(ResponseDone),
        lambda: bus.expect(ResponseDone),
        lambda: bus.stream(ResponseDone),
    ]
    for call in calls:
        with pytest.raises(BusClosed, match="is closed"):
            call()
    with pytest.raises(RuntimeError, match="connects only once"):
        bus.connect()
    _assert_clean(bus)


def test_closing_a_bus_that_never_connected(bus: SyncBus) -> None:
    bus.close()
    with pytest.raises(BusClosed):
        bus.send(_item())
    _assert_clean(bus)


def _item() -> Any:
    from realtime_bus import ConversationItemCreate, user_message

    return ConversationItemCreate(item=user_message("hi"))
