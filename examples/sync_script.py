"""A text and function-call conversation with SyncBus: a plain script, no asyncio in sight.

    python examples/sync_script.py          # against the embedded simulator
    OPENAI_API_KEY=sk-... python examples/sync_script.py \\
        --url "wss://api.openai.com/v1/realtime?model=gpt-realtime"

``--url`` (or ``REALTIME_URL``) points it at any Realtime server.
"""

from __future__ import annotations

import argparse
import contextlib
import os

from realtime_bus import (
    FunctionCallItem,
    FunctionTool,
    MessageItem,
    ResponseDone,
    SyncBus,
    function_output,
    user_message,
)
from realtime_bus.testing import Simulator

WEATHER = FunctionTool(
    name="get_weather",
    description="The current weather in a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


def converse(bus: SyncBus) -> None:
    bus.session.update(output_modalities=["text"], tools=[WEATHER], wait=True)
    for question in ("Hello!", "What's the weather in Paris?"):
        print("user:", question)
        bus.conversation.item.create(user_message(question))
        while True:  # until the model answers without calling a tool
            done = bus.expect(ResponseDone)  # armed before sending: cannot be missed
            bus.response.create()
            output = done.wait(timeout=60).response.output
            calls = [item for item in output if isinstance(item, FunctionCallItem)]
            for call in calls:
                print(f"tool: {call.name}({call.arguments})")
                result = {"sky": "sunny", "temp_c": 21}
                bus.conversation.item.create(function_output(call.call_id, result))
            if not calls:
                texts = [p.text for m in output if isinstance(m, MessageItem) for p in m.content]
                print("assistant:", " ".join(t for t in texts if isinstance(t, str)))
                break


def main() -> None:
    parser = argparse.ArgumentParser(description="A SyncBus conversation.")
    parser.add_argument("--url", default=os.environ.get("REALTIME_URL"), help="Realtime server")
    url = parser.parse_args().url
    with contextlib.ExitStack() as stack:
        if url is None:  # no server given: start the embedded simulator on a free port
            url = stack.enter_context(Simulator().run_in_thread()).url
        with SyncBus(url, api_key=os.environ.get("OPENAI_API_KEY", "sk-simulator")) as bus:
            converse(bus)


if __name__ == "__main__":
    main()
