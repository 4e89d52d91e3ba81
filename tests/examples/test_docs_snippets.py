"""The code shown in the docs runs, unchanged, against the simulator.

Each snippet connects with ``Bus.openai()`` / ``SyncBus.openai()`` / ``AsyncOpenAI()``, which
read ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``; the test points those at a simulator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from realtime_bus.testing import Simulator

SNIPPETS = Path(__file__).resolve().parents[2] / "docs" / "snippets"


def run_snippet(name: str, sim: Simulator) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(OPENAI_API_KEY="sk-docs-test", OPENAI_BASE_URL=sim.http_url)
    done = subprocess.run(
        [sys.executable, str(SNIPPETS / name)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.parametrize("name", ["handlers.py", "sync_script.py", "embedded.py"])
def test_the_three_uses(name: str, realtime_simulator_thread: Simulator) -> None:
    assert run_snippet(name, realtime_simulator_thread) == "You said: Hello!\n"


def test_the_migration_guide_says_the_same_both_ways(realtime_simulator_thread: Simulator) -> None:
    expected = 'get_weather returned: {"city": "Paris", "sky": "sunny", "temp_c": 21}\n'
    assert run_snippet("migration_openai.py", realtime_simulator_thread) == expected
    assert run_snippet("migration_bus.py", realtime_simulator_thread) == expected
