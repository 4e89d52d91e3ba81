"""What the tests of the bus and the layers above it share: a bus to a simulator with a test
key, and a function tool."""

from __future__ import annotations

from typing import Any

from realtime_bus import Bus, FunctionTool
from realtime_bus.testing import Simulator


def make_bus(sim: Simulator, **kwargs: Any) -> Bus:
    """A bus to ``sim`` with a test key; keyword arguments go to :class:`Bus`."""
    return Bus(sim.url, api_key="sk-test-key", query={"model": "gpt-realtime"}, **kwargs)


WEATHER = FunctionTool(
    name="get_weather",
    description="The weather in a city.",
    parameters={
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
)
