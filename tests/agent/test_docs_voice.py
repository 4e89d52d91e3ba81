"""The barge-in and long-sessions pages: their programs run against the simulator (their
blocks are type-checked with every page's, in tests/docs/test_code_blocks.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from realtime_bus.testing import Simulator

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("barge-in.md", "long-sessions.md")
MARKER = "<!-- runs against the simulator in tests/agent/test_docs_voice.py -->"
_FENCE = re.compile(r"(?P<marker><!--[^\n]*-->\n)?```python\n(?P<code>.*?)\n```", re.DOTALL)


def blocks(page: str) -> list[tuple[bool, str]]:
    """The page's Python blocks: (whether it is marked to run, its code)."""
    text = (ROOT / "docs" / page).read_text()
    found = [
        (m.group("marker") == MARKER + "\n", textwrap.dedent(m.group("code")))
        for m in _FENCE.finditer(text)
    ]
    assert sum(marked for marked, _ in found) == text.count(MARKER)
    return found


def run(code: str, sim: Simulator, tmp_path: Path) -> str:
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
        check=False,
    )
    assert done.returncode == 0, f"failed:\n{code}\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_speaker_example_truncates_at_what_was_played(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    (code,) = [code for marked, code in blocks("barge-in.md") if marked]
    out = run(code, realtime_simulator_thread, tmp_path)
    match = re.fullmatch(r"heard (\d+) ms; transcript kept: ''\n", out)
    assert match is not None, out
    assert 300 <= int(match.group(1)) <= 2000


def test_the_rotation_example_rotates_and_carries_on(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    (code,) = [code for marked, code in blocks("long-sessions.md") if marked]
    out = run(code, realtime_simulator_thread, tmp_path)
    assert out == (
        "You said: My name is Ada.\n"
        "rotated: True\n"
        "You said: Thanks!\n"
        "['user', 'assistant', 'user', 'assistant']\n"
    )
