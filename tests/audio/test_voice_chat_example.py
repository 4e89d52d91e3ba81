"""examples/voice_chat.py with a fake sound card, against the simulator."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from realtime_bus import Bus
from realtime_bus.testing import Simulator, synthesize_speech

from ._fake_devices import FakeDevices

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "voice_chat.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("voice_chat", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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
