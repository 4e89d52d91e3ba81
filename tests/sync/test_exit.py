"""A bus left open is closed cleanly (code 1000) when the interpreter exits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CHILD = Path(__file__).with_name("exit_child.py")


def test_a_bus_left_open_is_closed_at_exit() -> None:
    done = subprocess.run(
        [sys.executable, str(CHILD)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"close_code": 1000, "state": "CLOSED", "thread_joined": True}
