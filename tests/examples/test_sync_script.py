"""examples/sync_script.py runs a whole conversation, against its own simulator or a given URL."""

from __future__ import annotations

import pytest

from realtime_bus.testing import Simulator

from .conftest import run_example

EXPECTED = [
    "user: Hello!",
    "assistant: You said: Hello!",
    "user: What's the weather in Paris?",
    'tool: get_weather({"city":"Paris"})',
    'assistant: get_weather returned: {"sky": "sunny", "temp_c": 21}',
]


def test_against_the_embedded_simulator() -> None:
    done = run_example("sync_script.py")
    assert done.stdout.splitlines() == EXPECTED


@pytest.mark.realtime_simulator(api_key="sk-given-key")
def test_against_a_given_url_with_the_key_from_the_environment(
    realtime_simulator_thread: Simulator,
) -> None:
    sim = realtime_simulator_thread
    done = run_example("sync_script.py", "--url", sim.url, env={"OPENAI_API_KEY": "sk-given-key"})
    assert done.stdout.splitlines() == EXPECTED
    assert len(sim.history) == 1
    done = run_example(
        "sync_script.py", env={"REALTIME_URL": sim.url, "OPENAI_API_KEY": "sk-given-key"}
    )
    assert len(sim.history) == 2
