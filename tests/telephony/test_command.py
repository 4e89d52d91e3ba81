"""realtime-bus twilio: the bridge in its own process, against its own simulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import httpx2 as httpx
import pytest

from realtime_bus.cli import main
from realtime_bus.testing import synthesize_speech

from ._fake_twilio import FakeTwilio


async def _line(stream: asyncio.StreamReader, prefix: str) -> str:
    for _ in range(20):
        line = (await asyncio.wait_for(stream.readline(), 20)).decode()
        if line.strip().startswith(prefix):
            return line.strip()
    raise AssertionError(f"no line starting with {prefix!r}")


async def test_the_command_bridges_a_call_and_stops_on_ctrl_c() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "realtime_bus.cli",
        "twilio",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert "the simulator" in await _line(process.stdout, "Twilio bridge to")
        voice = (await _line(process.stdout, "voice webhook:")).split()[-1]
        media = (await _line(process.stdout, "media stream:")).split()[-1]
        async with httpx.AsyncClient() as client:
            twiml = (await client.post(voice, data={"From": "+15550100"})).text
        assert f'<Stream url="{media}">' in twiml
        async with FakeTwilio(media) as phone:
            await phone.say(synthesize_speech("hello from the phone"), speed=4)
            await phone.wait_until(lambda: phone.heard() == "You said: hello from the phone", 20)
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_usage_errors(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    assert main(["twilio", "--live"]) != 0
    assert "OPENAI_API_KEY" in capsys.readouterr().err
    assert main(["twilio", "--check-signatures"]) != 0
    assert "TWILIO_AUTH_TOKEN" in capsys.readouterr().err
    assert main(["twilio", "--live", "--url", "ws://x"]) == 2
