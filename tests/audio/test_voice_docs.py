"""docs/voice.md (its blocks are type-checked with every page's, in
tests/docs/test_code_blocks.py): the marked ones run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from realtime_bus.testing import Simulator

PAGE = Path(__file__).resolve().parents[2] / "docs" / "voice.md"
MARKER = "<!-- runs against the simulator in tests/audio/test_voice_docs.py -->"
_ANY = re.compile(r"```python\n(?P<code>.*?)\n```", re.DOTALL)
_MARKED = re.compile(re.escape(MARKER) + r"\n```python\n(?P<code>.*?)\n```", re.DOTALL)


def _blocks(pattern: re.Pattern[str]) -> list[str]:
    return [textwrap.dedent(m.group("code")) for m in pattern.finditer(PAGE.read_text())]


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator().run_in_thread() as simulator:
        yield simulator


def _run(code: str, sim: Simulator, tmp_path: Path) -> str:
    script = tmp_path / "snippet.py"
    script.write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_API_KEY="sk-docs-test", OPENAI_BASE_URL=sim.http_url)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


def test_streaming_a_wav_file(sim: Simulator, tmp_path: Path) -> None:
    streaming, _ = _blocks(_MARKED)
    out = _run(streaming, sim, tmp_path).splitlines()
    assert out[0].startswith("sent ")
    assert out[1] == "heard: what is the capital of France"
    assert (tmp_path / "question.wav").exists()


def test_a_speaker_reports_playback(sim: Simulator, tmp_path: Path) -> None:
    _, speaker = _blocks(_MARKED)
    out = _run(speaker, sim, tmp_path).strip()
    match = re.fullmatch(r"played (\d+) of (\d+) ms", out)
    assert match, out
    assert match.group(1) == match.group(2)
    assert int(match.group(2)) > 500
