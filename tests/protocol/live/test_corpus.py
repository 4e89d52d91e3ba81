"""The Live benchmark corpus: every frame is one the reference accepts, and decodes typed."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from realtime_bus.protocol import live
from tests._scripts import load_script

from .test_conformance_server import check_server_frame

_SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "live_frames.py"


def _generator() -> ModuleType:
    return load_script(_SCRIPT, "live_frames")


def test_corpus_frames_validate_and_decode_typed() -> None:
    frames: list[str] = _generator().frames(1500, seed=3)
    assert len(frames) == 1500
    seen: set[str] = set()
    for frame in frames:
        event = check_server_frame(frame, "primary")
        assert not isinstance(event, live.UnknownEvent)
        seen.add(event.type)
    assert {"session.started", "session.output_audio.delta", "session.usage.updated"} <= seen
    assert len(seen) >= 10


def test_corpus_is_deterministic() -> None:
    make = _generator().frames
    assert make(300, seed=5) == make(300, seed=5)
    assert make(300, seed=5) != make(300, seed=6)
