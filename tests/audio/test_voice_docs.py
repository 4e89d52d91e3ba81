"""docs/voice.md (its blocks are type-checked with every page's, in
tests/docs/test_code_blocks.py): the marked ones run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from realtime_bus.testing import Simulator
from tests.docs._snippets import DocsSnippets

SNIPPETS = DocsSnippets(__file__)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator().run_in_thread() as simulator:
        yield simulator


def test_streaming_a_wav_file(sim: Simulator, tmp_path: Path) -> None:
    streaming, _ = SNIPPETS.blocks("docs/voice.md")
    out = SNIPPETS.run(streaming, sim, tmp_path).splitlines()
    assert out[0].startswith("sent ")
    assert out[1] == "heard: what is the capital of France"
    assert (tmp_path / "question.wav").exists()


def test_a_speaker_reports_playback(sim: Simulator, tmp_path: Path) -> None:
    _, speaker = SNIPPETS.blocks("docs/voice.md")
    out = SNIPPETS.run(speaker, sim, tmp_path).strip()
    match = re.fullmatch(r"played (\d+) of (\d+) ms", out)
    assert match, out
    assert match.group(1) == match.group(2)
    assert int(match.group(2)) > 500
