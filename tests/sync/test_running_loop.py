"""The sync facade called from a thread whose own event loop is running (as in Jupyter)."""

from __future__ import annotations

import asyncio
import threading

from realtime_bus import ConversationItemCreate, ResponseDone, ResponseOutputTextDelta, user_message
from realtime_bus.testing import Simulator

from .conftest import make_bus


def test_inside_a_running_loop_in_the_main_thread(sim: Simulator) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def cell() -> tuple[str, str]:
        loop = asyncio.get_running_loop()  # a loop runs here, like a notebook kernel's
        background = loop.create_task(ticker())
        await asyncio.sleep(0.05)
        with make_bus(sim) as bus:
            assert bus.thread is not threading.current_thread()
            bus.session.update(output_modalities=["text"])
            bus.conversation.item.create(user_message("from a notebook"))
            with bus.stream(ResponseOutputTextDelta, ResponseDone) as events:
                bus.response.create()
                text = "".join(
                    e.delta for e in _until_done(events) if isinstance(e, ResponseOutputTextDelta)
                )
            status = bus.request(_item()).type
        before = ticks
        await asyncio.sleep(0.05)  # the caller's loop still runs between blocking calls
        background.cancel()
        assert ticks > before
        return text, status

    text, status = asyncio.run(cell())
    assert text == "You said: from a notebook"
    assert status == "conversation.item.added"


def _item() -> ConversationItemCreate:
    return ConversationItemCreate(item=user_message("and one more"))


def _until_done(events: object) -> list[object]:
    seen = []
    for event in events:  # type: ignore[attr-defined]
        seen.append(event)
        if isinstance(event, ResponseDone):
            break
    return seen


def test_inside_a_running_loop_in_another_thread(sim: Simulator) -> None:
    results: list[object] = []

    def worker() -> None:
        async def use_bus() -> None:
            with make_bus(sim) as bus:
                done = bus.expect(ResponseDone)
                bus.conversation.item.create(user_message("hi"))
                bus.response.create()
                results.append(done.wait(timeout=5).response.status)

        asyncio.run(use_bus())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(20)
    assert results == ["completed"]
