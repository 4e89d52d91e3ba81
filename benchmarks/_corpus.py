"""The decode benchmark's corpus: frames of simulated voice conversations, made once and cached.

The generator, ``make_frames.py``, lives beside the repository in ``../shared/bench``; set
``REALTIME_BUS_SHARED`` to that ``shared`` folder (or to its ``bench`` folder) when it is
elsewhere. Corpora are kept in ``benchmarks/.cache/`` under the same names the other
benchmarks use, so each size is generated once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["CACHE", "generator", "load_frames"]

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"


def generator() -> Path:
    """The path of ``make_frames.py``; exits with a clear message when it cannot be found."""
    override = os.environ.get("REALTIME_BUS_SHARED")
    base = Path(override) if override else HERE.parent.parent / "shared"
    for folder in (base / "bench", base):
        if (folder / "make_frames.py").is_file():
            return folder / "make_frames.py"
    sys.exit(
        f"make_frames.py not found under {str(base)!r}: set REALTIME_BUS_SHARED to the "
        "shared folder that holds bench/make_frames.py"
    )


def _corpus(n: int, seed: int) -> Path:
    path = CACHE / f"frames-{n}-seed{seed}.jsonl"
    if path.is_file():
        return path
    CACHE.mkdir(exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    command = [sys.executable, str(generator()), "-n", str(n), "--seed", str(seed)]
    print(f"generating a corpus of {n} frames (once) ...", file=sys.stderr, flush=True)
    subprocess.run(
        # Deterministic, and every frame validates against the reference as made (the protocol
        # tests check a prefix of it); the check takes long at this size.
        [*command, "--out", str(partial), "--no-validate"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    partial.rename(path)
    Path(str(partial).rsplit(".", 1)[0] + ".meta.json").unlink(missing_ok=True)
    return path


def load_frames(n: int, seed: int = 1) -> list[str]:
    """``n`` server frames as text, as a WebSocket client receives text frames."""
    frames = _corpus(n, seed).read_text(encoding="utf-8").splitlines()
    if len(frames) != n:
        sys.exit(f"corpus has {len(frames)} frames, expected {n}")
    return frames
