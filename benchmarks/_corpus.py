"""The benchmarks' corpus: frames of simulated voice conversations, made once and cached.

The generator, ``make_frames.py``, and the loopback server, ``wsserver.py``, live beside the
repository in ``../shared/bench``; set ``REALTIME_BUS_SHARED`` to that ``shared`` folder (or to
its ``bench`` folder) when it is elsewhere. Corpora are kept in ``benchmarks/.cache/``, so each
size is generated once for every benchmark.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["CACHE", "bench_dir", "corpus", "load_frames"]

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"


def bench_dir() -> Path:
    """The folder that holds ``make_frames.py`` and ``wsserver.py``; exits when not found."""
    override = os.environ.get("REALTIME_BUS_SHARED")
    base = Path(override) if override else HERE.parent.parent / "shared"
    for folder in (base / "bench", base):
        if (folder / "wsserver.py").is_file() and (folder / "make_frames.py").is_file():
            return folder
    sys.exit(
        f"benchmark tools not found under {str(base)!r}: set REALTIME_BUS_SHARED to the "
        "folder holding bench/wsserver.py and bench/make_frames.py"
    )


def corpus(n: int, seed: int = 1) -> Path:
    """The path of a corpus of ``n`` server frames, generated on first use."""
    path = CACHE / f"frames-{n}-seed{seed}.jsonl"
    if path.is_file():
        return path
    CACHE.mkdir(exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    command = [sys.executable, str(bench_dir() / "make_frames.py"), "-n", str(n)]
    print(f"generating a corpus of {n} frames (once) ...", file=sys.stderr, flush=True)
    subprocess.run(
        # Deterministic, and every frame validates against the reference as made (the protocol
        # tests check a prefix of it); the check takes long at this size.
        [*command, "--seed", str(seed), "--out", str(partial), "--no-validate"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    partial.rename(path)
    Path(str(partial).rsplit(".", 1)[0] + ".meta.json").unlink(missing_ok=True)
    return path


def load_frames(n: int, seed: int = 1) -> list[str]:
    """``n`` server frames as text, as a WebSocket client receives text frames."""
    frames = corpus(n, seed).read_text(encoding="utf-8").splitlines()
    if len(frames) != n:
        sys.exit(f"corpus has {len(frames)} frames, expected {n}")
    return frames
