"""Helpers for the example tests: run an example as a program, the way a reader would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(
    name: str, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``examples/NAME`` with this interpreter; fail the test if it does not exit 0."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("REALTIME_URL", "OPENAI_API_KEY")}
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done
