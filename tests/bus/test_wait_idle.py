"""Bus.wait_idle: returns once every received event reached its handlers; always bounded."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from realtime_bus import ServerEvent
from realtime_bus.testing import Simulator
from tests._sim import make_bus

from .conftest import user_text


async def test_wait_idle_waits_for_the_handlers_and_is_bounded(sim: Simulator) -> None:
    bus = make_bus(sim)
    gate = asyncio.Event()
    held = asyncio.Event()
    seen: list[str] = []
    from_handler: list[BaseException] = []

    @bus.on("*")
    async def every(event: ServerEvent) -> None:
        if event.type == "response.created":
            held.set()
            await gate.wait()  # holds up the dispatch of everything after it
        seen.append(event.type)

    @bus.on("conversation.item.added")
    async def inside(event: Any) -> None:
        try:
            await bus.wait_idle(timeout=1)
        except RuntimeError as exc:
            from_handler.append(exc)

    async with bus:
        await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
        await bus.conversation.item.create(user_text("Tell me something"), wait=True)
        await bus.response.create()
        await asyncio.wait_for(held.wait(), 10)
        with pytest.raises(TimeoutError):
            await bus.wait_idle(timeout=0.2)
        assert "response.done" not in seen
        gate.set()
        deadline = asyncio.get_running_loop().time() + 10
        while "response.done" not in seen:  # the server may still be sending
            assert asyncio.get_running_loop().time() < deadline
            await bus.wait_idle(timeout=10)
            await asyncio.sleep(0.01)
        await bus.wait_idle(timeout=10)
    assert from_handler  # the user's item and the assistant's were both added
    assert all("from a handler" in str(exc) for exc in from_handler)
    await asyncio.wait_for(bus.wait_idle(timeout=None), 1)  # a finished bus is idle at once
