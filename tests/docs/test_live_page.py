"""The GPT-Live page's runnable example runs against the simulator (tests/docs/test_code_blocks.py
type-checks every block)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from realtime_bus.testing import Simulator

PAGE = Path(__file__).resolve().parents[2] / "docs" / "live.md"
MARKER = "<!-- runs against the simulator in tests/docs/test_live_page.py -->"
_MARKED = re.compile(re.escape(MARKER) + r"\n```python\n(?P<code>.*?)\n```", re.DOTALL)


def test_the_marked_example_prints_what_it_heard(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    text = PAGE.read_text()
    (code,) = [textwrap.dedent(m.group("code")) for m in _MARKED.finditer(text)]
    script = tmp_path / "live_example.py"
    script.write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_API_KEY="sk-docs-test", OPENAI_BASE_URL=realtime_simulator_thread.http_url)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout == "You said: Hello!\n"
