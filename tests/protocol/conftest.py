"""Fixtures for the protocol tests: the shared reference folder and a corpus made from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

_CORPUS_FRAMES = 3000


def shared_dir() -> Path:
    """The shared reference folder: ``$REALTIME_BUS_SHARED``, else ``../shared`` of the repo."""
    override = os.environ.get("REALTIME_BUS_SHARED")
    if not override:
        return Path(__file__).resolve().parents[2].parent / "shared"
    path = Path(override)
    # Like the benchmarks, accept the ``bench`` folder itself as well as its parent.
    return path.parent if path.name == "bench" else path


@pytest.fixture(scope="session")
def catalog() -> dict[str, Any]:
    """The machine-readable event catalog, or skip when the shared folder is absent."""
    path = shared_dir() / "protocol" / "realtime-events.json"
    if not path.is_file():
        pytest.skip(f"no event catalog at {path}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Frames of simulated voice conversations (validated against the reference as made)."""
    script = shared_dir() / "bench" / "make_frames.py"
    if not script.is_file():
        pytest.skip(f"no corpus generator at {script}")
    out = tmp_path_factory.mktemp("corpus") / "frames.jsonl"
    subprocess.run(
        [sys.executable, str(script), "-n", str(_CORPUS_FRAMES), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out.read_text(encoding="utf-8").splitlines()
