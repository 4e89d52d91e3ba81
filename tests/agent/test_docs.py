"""The agent page's examples run against the simulator and print what the page says.

(``tests/docs/test_code_blocks.py`` checks every docs block, these included, with
``mypy --strict``.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from realtime_bus.testing import Simulator

PAGE = Path(__file__).resolve().parents[2] / "docs" / "agent.md"
MARKER = "<!-- runs against the simulator in tests/agent/test_docs.py -->"
_BLOCK = re.compile(re.escape(MARKER) + r"\n```python\n(?P<code>.*?)\n```", re.DOTALL)


def blocks() -> list[str]:
    text = PAGE.read_text()
    found = [textwrap.dedent(m.group("code")) for m in _BLOCK.finditer(text)]
    assert len(found) == text.count(MARKER), "a marked block is not a python fence"
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


EXPECTED = [
    "completed You said: Hello!\nuser Hello!\nassistant You said: Hello!\n",
    "text turn: True\npriced: True\n1 turn, True True\n",
    "realtime.turn support-line\n",
    "4 items; You said: What is my name?\n",
]


def test_the_examples_print_what_the_page_says(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    found = blocks()
    assert len(found) == len(EXPECTED)
    for code, expected in zip(found, EXPECTED, strict=True):
        assert run(code, realtime_simulator_thread, tmp_path) == expected
