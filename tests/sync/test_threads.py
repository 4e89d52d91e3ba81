"""Threads: where handlers run, what they may call, and calls from many threads at once."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from realtime_bus import (
    ConversationItemAdded,
    ConversationItemCreate,
    FunctionTool,
    MessageItem,
    QueueFull,
    ResponseCreate,
    ResponseDone,
    ResponseFunctionCallArgumentsDone,
    function_output,
    user_message,
)
from realtime_bus.sync import SyncBus
from realtime_bus.testing import Simulator

from .conftest import make_bus


def test_sync_handlers_run_on_the_bus_thread(bus: SyncBus) -> None:
    threads: list[threading.Thread] = []
    bus.on("session.created")(lambda event: threads.append(threading.current_thread()))
    with bus:
        expected = bus.thread
        bus.request(ConversationItemCreate(item=user_message("hi")))
    assert threads == [expected]
    assert threads[0] is not threading.main_thread()


def test_a_slow_handler_delays_the_next_event(bus: SyncBus) -> None:
    log: list[tuple[str, str, float]] = []

    @bus.on("response.created")
    def slow(event: Any) -> None:
        log.append(("start", event.type, time.monotonic()))
        time.sleep(0.3)
        log.append(("end", event.type, time.monotonic()))

    @bus.on("response.*")
    def every(event: Any) -> None:
        log.append(("start", event.type, time.monotonic()))

    with bus:
        bus.conversation.item.create(user_message("hi"))
        done = bus.expect(ResponseDone)
        bus.response.create(output_modalities=["text"])
        done.wait(timeout=5)
    slow_end = next(t for kind, name, t in log if kind == "end")
    after = [(name, t) for kind, name, t in log if kind == "start" and name != "response.created"]
    assert after, "no later events were handled"
    # Every later event was handled only once the slow handler had returned.
    assert all(t >= slow_end for _, t in after)
    assert bus.stats.slow_handlers == 1


def test_async_handlers_run_on_the_bus_loop_and_may_await_the_async_bus(bus: SyncBus) -> None:
    seen: list[Any] = []

    @bus.on(ConversationItemAdded)
    async def added(event: ConversationItemAdded) -> None:
        seen.append(threading.current_thread())
        await asyncio.sleep(0)
        if event.item.role == "user":
            seen.append(await bus.async_bus.request(ResponseCreate()))

    with bus:
        done = bus.expect(ResponseDone)
        bus.conversation.item.create(user_message("hi"))
        done.wait(timeout=5)
        thread = bus.thread
    assert seen[0] is thread
    assert seen[1].type == "response.created"


def test_handlers_queue_without_waiting_and_refuse_to_wait(bus: SyncBus) -> None:
    """A function-call loop driven from a sync handler, and the calls a handler may not make."""
    refused: list[str] = []
    weather = FunctionTool(
        name="get_weather",
        parameters={"type": "object", "properties": {"city": {"type": "string"}}},
    )

    @bus.on(ResponseFunctionCallArgumentsDone)
    def run_tool(event: ResponseFunctionCallArgumentsDone) -> None:
        for forbidden in (
            lambda: bus.request(ResponseCreate()),
            lambda: bus.wait_for(ResponseDone, timeout=1),
            lambda: bus.expect(ResponseDone),
            lambda: bus.stream(ResponseDone),
            lambda: bus.session.update(instructions="x", wait=True),
        ):
            with pytest.raises(RuntimeError, match="bus's own thread") as info:
                forbidden()
            refused.append(str(info.value)[:20])
        sent = bus.conversation.item.create(function_output(event.call_id, {"sky": "clear"}))
        assert isinstance(sent.event_id, str)
        bus.response.create()

    with bus:
        bus.session.update(tools=[weather], output_modalities=["text"])
        bus.conversation.item.create(user_message("weather in Oslo?"))
        answered = bus.expect(
            ResponseDone, check=lambda e: isinstance(e.response.output[0], MessageItem)
        )
        bus.response.create()
        final = answered.wait(timeout=5)
    assert len(refused) == 5
    assert final.response.output[0].content[0].text == 'get_weather returned: {"sky": "clear"}'


def test_a_handler_gets_queue_full_instead_of_blocking(sim: Simulator) -> None:
    bus = make_bus(sim, outbound_maxsize=3)
    outcome: list[Any] = []

    @bus.on("conversation.item.added")
    def flood(event: Any) -> None:
        if outcome:
            return
        sent = 0
        try:
            # The writer cannot run while this handler holds the bus's thread.
            for _ in range(10):
                bus.send(_item("flood"))
                sent += 1
        except QueueFull as exc:
            outcome.append((sent, str(exc)))

    with bus:
        bus.request(ConversationItemCreate(item=user_message("start")))
    assert outcome[0][0] == 3
    assert "handler cannot wait" in outcome[0][1]


def _item(text: str) -> ConversationItemCreate:
    return ConversationItemCreate(item=user_message(text))


def test_requests_from_many_threads_each_get_their_own_answer(sim: Simulator) -> None:
    with make_bus(sim) as bus:

        def create(n: int) -> str:
            item = MessageItem(
                id=f"item_thread_{n}",
                role="user",
                content=user_message(f"message {n}").content,
            )
            added = bus.request(ConversationItemCreate(item=item), timeout=10)
            return str(added.item.id)

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(create, range(40)))
    assert ids == [f"item_thread_{n}" for n in range(40)]


def test_registering_from_threads_and_from_handlers(bus: SyncBus) -> None:
    calls: list[str] = []
    registered = threading.Event()

    @bus.on("conversation.item.added")
    def add_more(event: Any) -> None:
        if not registered.is_set():
            registered.set()
            bus.on("conversation.item.done")(lambda e: calls.append("from handler"))

    with bus:
        handlers = [lambda e, n=n: calls.append(f"thread {n}") for n in range(4)]
        workers = [
            threading.Thread(target=bus.on("conversation.item.added"), args=(h,)) for h in handlers
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        bus.request(_item("one"))
        bus.request(_item("two"))
        for h in handlers[:2]:
            assert bus.off(h)
        bus.request(_item("three"))
    assert sorted(c for c in calls if c.startswith("thread")) == sorted(
        [f"thread {n}" for n in range(4)] * 2 + ["thread 2", "thread 3"]
    )
    assert "from handler" in calls


def test_close_from_a_handler_ends_run(sim: Simulator, bus: SyncBus) -> None:
    @bus.on("bus.connected")
    def start(event: Any) -> None:
        bus.conversation.item.create(user_message("hi"))
        bus.response.create()

    @bus.on(ResponseDone)
    def finish(event: ResponseDone) -> None:
        bus.close()  # returns at once: a handler cannot wait for its own bus to stop

    started = time.monotonic()
    bus.run()
    assert time.monotonic() - started < 10
    assert bus.state.name == "CLOSED"
    assert bus.thread is None
    assert sim.call(lambda: sim.history[-1].close_code) == 1000
