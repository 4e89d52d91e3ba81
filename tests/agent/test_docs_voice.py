"""The barge-in and long-sessions pages: their programs run against the simulator (their
blocks are type-checked with every page's, in tests/docs/test_code_blocks.py)."""

from __future__ import annotations

import re
from pathlib import Path

from realtime_bus.testing import Simulator
from tests.docs._snippets import DocsSnippets

SNIPPETS = DocsSnippets(__file__)


def test_the_speaker_example_truncates_at_what_was_played(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    (code,) = SNIPPETS.blocks("docs/barge-in.md")
    out = SNIPPETS.run(code, realtime_simulator_thread, tmp_path)
    match = re.fullmatch(r"heard (\d+) ms; transcript kept: ''\n", out)
    assert match is not None, out
    assert 300 <= int(match.group(1)) <= 2000


def test_the_rotation_example_rotates_and_carries_on(
    realtime_simulator_thread: Simulator, tmp_path: Path
) -> None:
    (code,) = SNIPPETS.blocks("docs/long-sessions.md")
    out = SNIPPETS.run(code, realtime_simulator_thread, tmp_path)
    assert out == (
        "You said: My name is Ada.\n"
        "rotated: True\n"
        "You said: Thanks!\n"
        "['user', 'assistant', 'user', 'assistant']\n"
    )
