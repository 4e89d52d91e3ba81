"""examples/voice_chat.py with a fake sound card, against the simulator."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import ModuleType

import pytest

from realtime_bus import Bus
from realtime_bus.testing import Simulator, synthesize_speech
from tests._scripts import load_script

from ._fake_devices import FakeDevices

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "voice_chat.py"


def _load() -> ModuleType:
    return load_script(EXAMPLE, "voice_chat", register=True)


async def test_the_voice_chat_answers(sim: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    voice_chat = _load()
    devices = FakeDevices(speed=2.0)
    async with Bus(sim.url, api_key="sk-test") as bus:
        chatting = asyncio.create_task(voice_chat.chat(bus, devices, answers=1))
        async with asyncio.timeout(10):
            while not devices.inputs:  # noqa: ASYNC110 - the microphone opens inside chat()
                await asyncio.sleep(0.01)
        devices.inputs[0].speak(synthesize_speech("what time is it"))
        await asyncio.wait_for(chatting, 30)
    out = capsys.readouterr().out.splitlines()
    assert out == ["you: what time is it", "assistant: You said: what time is it"]


async def test_the_voice_chat_says_when_the_microphone_stops(sim: Simulator) -> None:
    voice_chat = _load()
    devices = FakeDevices()
    async with Bus(sim.url, api_key="sk-test") as bus:
        chatting = asyncio.create_task(voice_chat.chat(bus, devices, answers=1))
        async with asyncio.timeout(10):
            while not devices.inputs:  # noqa: ASYNC110 - the microphone opens inside chat()
                await asyncio.sleep(0.01)
        devices.inputs[0].stop()  # the device goes quiet: the microphone gives up after 5 s
        with pytest.raises(RuntimeError, match="the microphone stopped"):
            await asyncio.wait_for(chatting, 30)
    assert devices.inputs[0].closed
    assert devices.outputs[0].closed
