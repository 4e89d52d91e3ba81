"""The Live benchmark corpus: every frame is one the reference accepts, and decodes typed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from realtime_bus.protocol import live

from .test_conformance_server import check_server_frame

_SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "live_frames.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("live_frames", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
