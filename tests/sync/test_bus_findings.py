"""Behaviour of the async bus found while building the facade on it (expected to fail until
the bus changes; strict, so a fix shows up as an unexpected pass)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from realtime_bus import Bus, ConversationItemCreate, user_message
from realtime_bus.testing import Simulator


@pytest.mark.anyio
@pytest.mark.xfail(
    strict=True,
    reason="a cancelled wait_for stays armed: Expectation.wait disarms only on timeout or result",
)
async def test_a_cancelled_wait_for_is_disarmed(realtime_simulator: Simulator) -> None:
    checked: list[str] = []

    def check(event: Any) -> bool:
        checked.append(event.type)
        return False  # never satisfied: the wait can only end by cancellation

    async with Bus(realtime_simulator.url, api_key="sk-test-key") as bus:
        waiting = asyncio.create_task(bus.wait_for("conversation.item.*", check=check))
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await bus.request(ConversationItemCreate(item=user_message("after the cancel")))
    assert checked == [], "the cancelled wait still filters later events"
