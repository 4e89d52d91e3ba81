"""``realtime-bus demo``: the README's first command, run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "realtime_bus.cli", "demo", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_demo_runs_a_conversation_against_the_simulator(tmp_path: Path) -> None:
    out = tmp_path / "reply.wav"
    result = _run("--out", str(out))
    assert result.returncode == 0, result.stderr
    trace = result.stdout
    for expected in (
        "connected: session sess_",
        "user: Hello! Who are you?",
        "assistant: ",
        "tool call: get_weather({'location': 'Paris'})",
        "tool result:",
        "server VAD: speech started",
        "server VAD: speech stopped",
        "user (transcribed): What should I wear today?",
        "assistant (speaking): ",
        "demo complete",
    ):
        assert expected in trace, f"missing {expected!r} in:\n{trace}"
    assert trace.count("response completed") == 4
    with wave.open(str(out)) as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        assert wav.getframerate() == 24000
        assert wav.getnframes() > 24000 // 2


def test_demo_failure_is_one_line_and_non_zero() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    result = _run("--live", env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("demo failed:")
    assert "OPENAI_API_KEY" in lines[0]
