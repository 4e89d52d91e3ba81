"""The code the docs show runs, unchanged, against the simulator.

A Python block that follows the comment ``<!-- runs against the simulator in
tests/examples/test_docs_snippets.py -->`` in a page under ``docs/`` is run here as a program.
The blocks connect with ``Bus.openai()`` / ``SyncBus.openai()`` / ``AsyncOpenAI()``, which read
``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``; the test points those at a simulator.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from realtime_bus.testing import Simulator

DOCS = Path(__file__).resolve().parents[2] / "docs"
MARKER = "<!-- runs against the simulator in tests/examples/test_docs_snippets.py -->"
_BLOCK = re.compile(
    re.escape(MARKER) + r"\n(?P<indent>[ ]*)```python\n(?P<code>.*?)\n(?P=indent)```", re.DOTALL
)


README = DOCS.parent / "README.md"


def blocks(page: str) -> list[str]:
    """The marked Python blocks of ``docs/PAGE`` (or of the README), dedented."""
    text = (README if page == "README.md" else DOCS / page).read_text()
    found = [textwrap.dedent(m.group("code")) for m in _BLOCK.finditer(text)]
    assert len(found) == text.count(MARKER), f"a marked block in {page} is not a python fence"
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


def test_the_three_uses(realtime_simulator_thread: Simulator, tmp_path: Path) -> None:
    found = blocks("three-uses.md")
    assert len(found) == 3
    for code in found:
        assert run(code, realtime_simulator_thread, tmp_path) == "You said: Hello!\n"


def test_the_readme_shows_three_uses_that_run(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    found = blocks("README.md")
    assert len(found) == 3
    for code in found:
        assert run(code, realtime_simulator_thread, tmp_path) == "You said: Hello!\n"


def test_the_tools_page(realtime_simulator_thread: Simulator, tmp_path: Path) -> None:
    (code,) = blocks("tools.md")
    out = run(code, realtime_simulator_thread, tmp_path)
    assert out.startswith("get_weather returned: ")
    assert '"location": "Paris"' in out


def test_the_first_agent(realtime_simulator_thread: Simulator, tmp_path: Path) -> None:
    (code,) = blocks("getting-started.md")
    assert run(code, realtime_simulator_thread, tmp_path) == "You said: Hello!\n"


def test_the_migration_guide_says_the_same_both_ways(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    openai_version, bus_version = blocks("migration.md")
    assert "client.realtime.connect" in openai_version
    assert "Bus.openai" in bus_version
    expected = 'get_weather returned: {"city": "Paris", "sky": "sunny", "temp_c": 21}\n'
    assert run(openai_version, realtime_simulator_thread, tmp_path) == expected
    assert run(bus_version, realtime_simulator_thread, tmp_path) == expected


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_marked_blocks_are_all_run_somewhere(page: str) -> None:
    tested = {"three-uses.md", "getting-started.md", "migration.md", "tools.md"}
    assert page in tested or not blocks(page)
