"""The decorator style in an asyncio program: typed handlers, wildcards, lifecycle events,
``wait_for``, ``stream``, and errors that never stop the bus.

    python examples/handlers.py             # against the embedded simulator
    OPENAI_API_KEY=sk-... python examples/handlers.py \\
        --url "wss://api.openai.com/v1/realtime?model=gpt-realtime"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from typing import Any

from realtime_bus import (
    Bus,
    ConversationItemDelete,
    ErrorReport,
    LifecycleEvent,
    ResponseDone,
    ResponseOutputTextDelta,
    ServerError,
    user_message,
)
from realtime_bus.testing import Simulator


def build_bus(url: str, api_key: str) -> Bus:
    bus = Bus(url, api_key=api_key)
    text: list[str] = []

    @bus.on(ResponseOutputTextDelta)  # typed: the checker knows the event's fields
    def collect(event: ResponseOutputTextDelta) -> None:
        text.append(event.delta)

    @bus.on("response.*")  # a wildcard; "*" would be every server event
    async def trace(event: Any) -> None:
        if event.type in ("response.created", "response.done"):
            print(f"  <- {event.type}")

    @bus.on(ResponseDone)
    def show(event: ResponseDone) -> None:
        # Handlers of one event run in registration order: collect has seen every delta.
        print(f"assistant: {''.join(text)}")
        text.clear()

    @bus.on("bus.*")  # the bus's own lifecycle events
    def lifecycle(event: LifecycleEvent) -> None:
        print(f"  bus: {event.type}")

    @bus.once(ResponseDone)
    def buggy(event: ResponseDone) -> None:
        raise RuntimeError("a bug in a handler")  # reported below; the bus keeps going

    @bus.on_error
    def report(error: ErrorReport) -> None:
        print(f"  handled error: {error.kind} in {error.handler}: {error.error}")

    return bus


async def converse(bus: Bus) -> None:
    async with bus:
        await bus.session.update(output_modalities=["text"], wait=True)

        print("user: Hello!")
        await bus.conversation.item.create(user_message("Hello!"))
        done = bus.expect(ResponseDone)  # armed before sending: a fast answer is not missed
        await bus.response.create()
        await done.wait(timeout=60)

        print("user: Count to three.")
        await bus.conversation.item.create(user_message("Count to three."))
        async with bus.stream(ResponseOutputTextDelta, ResponseDone) as events:
            await bus.response.create()
            async for event in events:  # every delta, in order, as it arrives
                if isinstance(event, ResponseDone):
                    break
                print(f"  delta: {event.delta!r}")

        try:  # the server's error for a request is raised by the request
            await bus.request(ConversationItemDelete(item_id="item_that_does_not_exist"))
        except ServerError as exc:
            print(f"server error: {exc.error.code}")

        try:  # nothing is coming: wait_for gives up after its timeout
            await bus.wait_for("response.done", timeout=0.2)
        except TimeoutError as exc:
            print(f"timeout: {exc}")


async def main() -> None:
    parser = argparse.ArgumentParser(description="Decorator-style handlers on the async bus.")
    parser.add_argument("--url", default=os.environ.get("REALTIME_URL"), help="Realtime server")
    url = parser.parse_args().url
    async with contextlib.AsyncExitStack() as stack:
        if url is None:  # no server given: run the embedded simulator in this loop
            url = (await stack.enter_async_context(Simulator())).url
        bus = build_bus(url, os.environ.get("OPENAI_API_KEY", "sk-simulator"))
        await converse(bus)


if __name__ == "__main__":
    asyncio.run(main())
