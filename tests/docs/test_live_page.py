"""The GPT-Live page's runnable example runs against the simulator (tests/docs/test_code_blocks.py
type-checks every block)."""

from __future__ import annotations

from pathlib import Path

from realtime_bus.testing import Simulator
from tests.docs._snippets import DocsSnippets

SNIPPETS = DocsSnippets(__file__)


def test_the_marked_example_prints_what_it_heard(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    (code,) = SNIPPETS.blocks("docs/live.md")
    assert SNIPPETS.run(code, realtime_simulator_thread, tmp_path) == "You said: Hello!\n"
