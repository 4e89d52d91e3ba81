"""What every interop script shares: a virtual environment per framework, a running
``realtime-bus serve``, and the user's speech as PCM files.

The virtual environments live under ``interop/.venvs/`` (ignored by git); ``--fresh`` rebuilds
one. The simulator runs at real-time pacing, as ``serve`` does by default, from the project's
own environment (the Python that runs the script, with realtime-bus installed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENVS = HERE / ".venvs"

SPEECH = {
    "question": "what time is it",
    "weather": "what is the weather in Paris",
    "story": "tell me a long story about the sea and the ships on it",
    "still": "are you still there",
}
"""The user's spoken turns, by name: ``<name>.pcm`` is PCM16 mono at 24 kHz."""

STEPS = ("text", "tool", "audio", "interrupt")


def python_venv(name: str, requirements: Sequence[str], *, fresh: bool = False) -> Path:
    """A venv at ``interop/.venvs/<name>`` with ``requirements`` installed; its python."""
    path = VENVS / name
    python = path / "bin" / "python"
    stamp = path / "requirements.json"
    wanted = json.dumps(sorted(requirements))
    if fresh and path.exists():
        shutil.rmtree(path)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    print(f"[{name}] creating {path} and installing {' '.join(requirements)}", file=sys.stderr)
    venv.create(path, with_pip=True, clear=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *requirements], check=True)
    stamp.write_text(wanted)
    return python


def installed_version(python: Path, distribution: str) -> str:
    out = subprocess.run(
        [str(python), "-c", f"import importlib.metadata as m; print(m.version({distribution!r}))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def speech_files(directory: Path) -> dict[str, Path]:
    """Write the user's spoken turns as PCM16 files (made by the simulator's own synthesizer)."""
    from realtime_bus.testing import silence, synthesize_speech

    files = {}
    for name, text in SPEECH.items():
        path = directory / f"{name}.pcm"
        path.write_bytes(synthesize_speech(text) + silence(800))
        files[name] = path
    return files


@contextlib.contextmanager
def simulator(url: str | None = None) -> Iterator[str]:
    """``realtime-bus serve --port 0`` (real-time pacing) for the duration; its WebSocket URL."""
    if url is not None:
        yield url
        return
    process = subprocess.Popen(
        [sys.executable, "-m", "realtime_bus.cli", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("Realtime simulator: "):
                break
            if not line and process.poll() is not None:
                raise RuntimeError("realtime-bus serve exited before it was ready")
        else:
            raise RuntimeError("realtime-bus serve did not start within 30 s")
        yield line.split(": ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def run_scenario(
    framework: str, version: str, command: Sequence[str], *, timeout: float = 240
) -> int:
    """Run a scenario process; print its one-line JSON result (with ``version``); exit status."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        results = dict.fromkeys(STEPS, "FAIL: the scenario timed out")
        print(json.dumps({"framework": framework, "version": version, "results": results}))
        return 1
    sys.stderr.write(done.stderr[-4000:])
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        results = dict.fromkeys(STEPS, f"FAIL: no result (exit {done.returncode})")
    else:
        results = json.loads(lines[-1])["results"]
    print(json.dumps({"framework": framework, "version": version, "results": results}))
    ok = done.returncode == 0 and all(results.get(step) == "ok" for step in STEPS)
    return 0 if ok else 1


Arguments = Callable[[str, Path, dict[str, Path]], list[str]]
"""A scenario's arguments from the simulator's URL, the work directory and the speech files."""


@dataclass(frozen=True)
class PythonFramework:
    """A Python framework: installed in a venv of its own, where its scenario runs.

    ``NAME`` (its key in ``run_one.py``) names both the venv, ``interop/.venvs/NAME``, and the
    scenario, ``NAME_scenario.py`` (``-`` spelt ``_``).
    """

    title: str
    """The framework as the results name it."""
    requirements: Sequence[str]
    distribution: str
    """The distribution whose version the results show."""
    arguments: Arguments

    def run(self, name: str, args: argparse.Namespace) -> int:
        """The whole run: the venv, a simulator, the speech files, the scenario; exit status."""
        python = python_venv(name, self.requirements, fresh=args.fresh)
        version = installed_version(python, self.distribution)
        scenario = HERE / f"{name.replace('-', '_')}_scenario.py"
        with workdir() as work, simulator(args.url) as url:
            command = [str(python), str(scenario), *self.arguments(url, work, speech_files(work))]
            return run_scenario(self.title, version, command)


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="realtime-bus-interop-") as name:
        yield Path(name)
