"""The docs' runnable examples, run as programs against a simulator.

A Python block that follows the comment ``<!-- runs against the simulator in tests/PATH.py -->``
is run by the test module at that path. The blocks connect with ``Bus.openai()`` /
``SyncBus.openai()`` / ``AsyncOpenAI()``, which read ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``;
:meth:`DocsSnippets.run` points those at a simulator.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from realtime_bus.testing import Simulator

ROOT = Path(__file__).resolve().parents[2]


class DocsSnippets:
    """The blocks marked for one test module (``DocsSnippets(__file__)``), and how to run them."""

    def __init__(self, test_file: str) -> None:
        test_path = Path(test_file).resolve().relative_to(ROOT).as_posix()
        self.marker = f"<!-- runs against the simulator in {test_path} -->"
        self._block = re.compile(
            re.escape(self.marker) + r"\n(?P<indent>[ ]*)```python\n(?P<code>.*?)\n(?P=indent)```",
            re.DOTALL,
        )

    def blocks(self, page: str) -> list[str]:
        """The marked blocks of ``page`` (a path from the repository's root), dedented."""
        text = (ROOT / page).read_text()
        found = [textwrap.dedent(m.group("code")) for m in self._block.finditer(text)]
        assert len(found) == text.count(self.marker), f"a marked block in {page} is no python fence"
        return found

    def run(self, code: str, sim: Simulator, tmp_path: Path) -> str:
        """Run ``code`` in a fresh interpreter, in ``tmp_path``, against ``sim``; returns what
        it printed, and fails the test when it exits with an error."""
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
        assert done.returncode == 0, f"failed:\n{code}\n{done.stdout}\n{done.stderr[-3000:]}"
        return done.stdout
