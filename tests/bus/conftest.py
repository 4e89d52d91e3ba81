"""Fixtures for bus tests: a simulator on 127.0.0.1 and a bus connected to it."""

from __future__ import annotations

from typing import Any

from realtime_bus import Bus, ContentPart, MessageItem, ResponseDone


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
