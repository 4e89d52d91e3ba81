"""Ctrl-C in the main thread while it blocks closes the bus cleanly (checked in a subprocess, so
that the interruption cannot reach the test runner)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("interrupt_child.py")


@pytest.mark.parametrize("mode", ["wait_for", "stream", "run"])
def test_ctrl_c_closes_the_bus_cleanly(mode: str) -> None:
    done = subprocess.run(
        [sys.executable, str(CHILD), mode],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {
        "interrupted": True,
        "seconds": report["seconds"],
        "state": "CLOSED",
        "thread_joined": True,
        "threads_left": 0,
        "leftover_tasks": [],
        "close_code": 1000,
    }
    # Interrupted at 0.3 s, not at the 30 s timeout.
    assert report["seconds"] < 10


def test_ctrl_c_during_a_hung_handshake_returns_promptly() -> None:
    child = CHILD.with_name("hung_connect_child.py")
    done = subprocess.run(
        [sys.executable, str(child)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["interrupted"] is True
    assert report["state"] == "CLOSED"
    assert report["threads_left"] == 0
    # Well under the 10 s open_timeout the handshake would otherwise wait out.
    assert report["seconds_after_ctrl_c"] < 1.0
