"""Function tools on a SyncBus: install() blocks, the tools run on the bus's loop."""

from __future__ import annotations

import json
import threading
from typing import Any

from realtime_bus import FunctionCallOutputItem, ResponseDone, SessionUpdated, user_message
from realtime_bus.extras import Tools
from realtime_bus.sync import SyncBus
from realtime_bus.testing import Simulator


def test_tools_with_a_sync_bus_install_blocking_and_answer_calls(
    realtime_simulator_thread: Simulator,
) -> None:
    sim = realtime_simulator_thread
    calls: list[tuple[str, str]] = []
    with SyncBus(sim.url, api_key="sk-test", query={"model": "gpt-realtime"}) as bus:
        tools = Tools(bus)

        @tools.register
        def get_weather(location: str) -> dict[str, Any]:
            """The weather in a city."""
            calls.append((location, threading.current_thread().name))
            return {"location": location, "temperature": 21}

        installed = tools.install()  # blocks: no coroutine to forget
        assert isinstance(installed, SessionUpdated)
        assert [tool.name for tool in installed.session.tools] == ["get_weather"]
        bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
        dones: list[ResponseDone] = []
        both = threading.Event()

        @bus.on(ResponseDone)
        def done(event: ResponseDone) -> None:
            dones.append(event)
            if len(dones) == 2:  # the call, then the follow-up after the tool's output
                both.set()

        bus.conversation.item.create(user_message("What's the weather in Oslo?"))
        bus.response.create()
        assert both.wait(timeout=10)
    assert calls
    assert calls[0][0] == "Oslo"
    assert calls[0][1].startswith("realtime-bus-")  # ran on the bus's loop thread
    outputs = [
        i for i in sim.call(lambda: sim.history[-1].items) if isinstance(i, FunctionCallOutputItem)
    ]
    assert json.loads(outputs[0].output) == {"location": "Oslo", "temperature": 21}
