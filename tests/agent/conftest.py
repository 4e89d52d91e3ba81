"""Helpers for agent tests: a bus on a simulator, and a user who speaks in real time."""

from __future__ import annotations

import asyncio

from realtime_bus import Bus, FunctionTool

FRAME_MS = 20
FRAME_BYTES = 48 * FRAME_MS

WEATHER = FunctionTool(
    name="get_weather",
    description="The weather in a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


async def speak(bus: Bus, pcm: bytes) -> None:
    """Append ``pcm`` in 20 ms frames at real time, against a clock (no drift)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index, offset in enumerate(range(0, len(pcm), FRAME_BYTES)):
        await bus.input_audio_buffer.append(pcm[offset : offset + FRAME_BYTES])
        delay = start + (index + 1) * FRAME_MS / 1000 - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
