"""realtime-bus talk, with a fake sound card in place of the default devices."""

from __future__ import annotations

import asyncio
import io
import sys

import pytest

from realtime_bus.cli import CommandError, main
from realtime_bus.cli._talk import run_talk
from realtime_bus.testing import synthesize_speech

from ._fake_devices import FakeDevices


async def _opened_microphone(devices: FakeDevices) -> None:
    async with asyncio.timeout(10):
        while not devices.inputs:  # noqa: ASYNC110 - the microphone opens inside the command
            await asyncio.sleep(0.01)


async def test_talk_hears_you_and_answers_through_the_speaker() -> None:
    # The microphone runs at real time, as a real one does: the command's microphone keeps
    # 2 s of audio while the program falls behind, and faster than real time that slack would
    # shrink (at twice real time, a one-second stall of a loaded machine dropped the speech).
    devices = FakeDevices(speed=1.0)
    out = io.StringIO()
    talking = asyncio.create_task(run_talk(devices=devices, turns=1, out=out))
    await _opened_microphone(devices)
    devices.inputs[0].speak(synthesize_speech("hello there"))
    try:
        status = await asyncio.wait_for(talking, 30)
    except TimeoutError:
        pytest.fail(f"no answer within 30 s; the command printed {out.getvalue()!r}")
    assert status == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Talking to the simulator at ws://127.0.0.1:")
    assert "you: hello there" in lines
    assert "assistant: You said: hello there" in lines
    # the answer was played, not just received
    played = bytes(devices.outputs[0].played)
    assert played.count(0) < len(played)
    assert devices.inputs[0].closed
    assert devices.outputs[0].closed


async def test_talk_says_when_the_microphone_stops() -> None:
    devices = FakeDevices()
    talking = asyncio.create_task(run_talk(devices=devices, turns=1, out=io.StringIO()))
    await _opened_microphone(devices)
    devices.inputs[0].stop()  # the device goes quiet: the microphone gives up after 5 s
    with pytest.raises(CommandError, match=r"the microphone stopped: .*delivered nothing"):
        await asyncio.wait_for(talking, 30)
    assert devices.inputs[0].closed
    assert devices.outputs[0].closed


def test_without_sounddevice_the_command_says_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    assert main(["talk"]) == 1
    assert "realtime-bus[devices]" in capsys.readouterr().err
