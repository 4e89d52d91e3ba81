"""``realtime-bus`` in a process of its own, for the tests of commands that serve until stopped."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cli_process(*args: str, stderr: int = subprocess.PIPE) -> Iterator[subprocess.Popen[str]]:
    """``python -m realtime_bus.cli ARGS`` with unbuffered text output; on exit, terminated
    (killed after 10 s) unless it has ended already."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "realtime_bus.cli", *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    with proc:  # closes the pipes and reaps the process, whatever the test did with them
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def url_after(proc: subprocess.Popen[str], prefix: str, *, within: int = 20) -> str:
    """What follows ``prefix: `` on the first of the first ``within`` lines that starts with it
    ("" when none does)."""
    assert proc.stdout is not None
    for _ in range(within):
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line.split(": ", 1)[1].strip()
    return ""
