"""Helpers for bus tests: a text turn, a user message, a quick reconnect policy, a poll."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from realtime_bus import Bus, ContentPart, MessageItem, ReconnectPolicy, ResponseDone

FAST = ReconnectPolicy(base_delay=0.01, max_delay=0.05, max_attempts=10, max_elapsed=20)
"""Reconnects quickly and often enough for the tests that drop connections."""


async def poll_until(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll ``predicate`` every 10 ms until it is true, for at most ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - polling a plain attribute in a test
            await asyncio.sleep(0.01)


def user_text(text: str) -> MessageItem:
    """A user message item."""
    return MessageItem(role="user", content=[ContentPart(type="input_text", text=text)])


async def text_turn(bus: Bus, text: str = "Tell me something", until: Any = ResponseDone) -> Any:
    """A text-only turn (no turn detection): ``text`` as a user message, then a response;
    returns the ``until`` event (by default the ``response.done``), within 10 s."""
    await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
    await bus.conversation.item.create(user_text(text))
    done = bus.expect(until)
    await bus.response.create()
    return await done.wait(10)
