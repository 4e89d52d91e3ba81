"""The agent page's examples run against the simulator and print what the page says.

(``tests/docs/test_code_blocks.py`` checks every docs block, these included, with
``mypy --strict``.)
"""

from __future__ import annotations

from pathlib import Path

from realtime_bus.testing import Simulator
from tests.docs._snippets import DocsSnippets

SNIPPETS = DocsSnippets(__file__)

EXPECTED = [
    "completed You said: Hello!\nuser Hello!\nassistant You said: Hello!\n",
    "text turn: True\npriced: True\n1 turn, True True\n",
    "realtime.turn support-line\n",
    "4 items; You said: What is my name?\n",
]


def test_the_examples_print_what_the_page_says(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    found = SNIPPETS.blocks("docs/agent.md")
    assert len(found) == len(EXPECTED)
    for code, expected in zip(found, EXPECTED, strict=True):
        assert SNIPPETS.run(code, realtime_simulator_thread, tmp_path) == expected
