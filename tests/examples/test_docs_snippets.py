"""The code the docs show runs, unchanged, against the simulator.

A Python block that follows the comment ``<!-- runs against the simulator in
tests/examples/test_docs_snippets.py -->`` in a page under ``docs/`` is run here as a program.
The blocks connect with ``Bus.openai()`` / ``SyncBus.openai()`` / ``AsyncOpenAI()``, which read
``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``; the test points those at a simulator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from realtime_bus.testing import Simulator
from tests.docs._snippets import ROOT, DocsSnippets

SNIPPETS = DocsSnippets(__file__)
DOCS = ROOT / "docs"


def blocks(page: str) -> list[str]:
    """The marked Python blocks of ``docs/PAGE`` (or of the README), dedented."""
    return SNIPPETS.blocks(page if page == "README.md" else f"docs/{page}")


def test_the_three_uses(realtime_simulator_thread: Simulator, tmp_path: Path) -> None:
    found = blocks("three-uses.md")
    assert len(found) == 3
    for code in found:
        assert SNIPPETS.run(code, realtime_simulator_thread, tmp_path) == "You said: Hello!\n"


def test_the_readme_shows_three_uses_that_run(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    found = blocks("README.md")
    assert len(found) == 3
    for code in found:
        assert SNIPPETS.run(code, realtime_simulator_thread, tmp_path) == "You said: Hello!\n"


def test_the_tools_page(realtime_simulator_thread: Simulator, tmp_path: Path) -> None:
    (code,) = blocks("tools.md")
    out = SNIPPETS.run(code, realtime_simulator_thread, tmp_path)
    assert out.startswith("get_weather returned: ")
    assert '"location": "Paris"' in out


def test_the_first_agent(realtime_simulator_thread: Simulator, tmp_path: Path) -> None:
    (code,) = blocks("getting-started.md")
    assert SNIPPETS.run(code, realtime_simulator_thread, tmp_path) == "You said: Hello!\n"


def test_the_migration_guide_says_the_same_both_ways(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    openai_version, bus_version = blocks("migration.md")
    assert "client.realtime.connect" in openai_version
    assert "Bus.openai" in bus_version
    expected = 'get_weather returned: {"city": "Paris", "sky": "sunny", "temp_c": 21}\n'
    assert SNIPPETS.run(openai_version, realtime_simulator_thread, tmp_path) == expected
    assert SNIPPETS.run(bus_version, realtime_simulator_thread, tmp_path) == expected


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_marked_blocks_are_all_run_somewhere(page: str) -> None:
    tested = {"three-uses.md", "getting-started.md", "migration.md", "tools.md"}
    assert page in tested or not blocks(page)
