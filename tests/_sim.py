"""What the tests of the bus and the layers above it share: a bus (or a sync bus) to a simulator
with a test key, and a function tool."""

from __future__ import annotations

from typing import Any

from realtime_bus import Bus, FunctionTool, SyncBus
from realtime_bus.testing import Simulator


def make_bus(sim: Simulator, **kwargs: Any) -> Bus:
    """A bus to ``sim`` with a test key; keyword arguments go to :class:`Bus`."""
    return Bus(sim.url, api_key="sk-test-key", query={"model": "gpt-realtime"}, **kwargs)


def make_sync_bus(sim: Simulator, **options: Any) -> SyncBus:
    """A sync bus to ``sim`` with a test key (unless ``api_key`` is given); keyword arguments go
    to the :class:`Bus` it drives."""
    options.setdefault("api_key", "sk-test-key")
    return SyncBus(sim.url, query={"model": "gpt-realtime"}, **options)


WEATHER = FunctionTool(
    name="get_weather",
    description="The weather in a city.",
    parameters={
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
)
