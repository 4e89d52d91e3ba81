"""Run by test_exit.py in a subprocess: a bus left open when the program ends.

The report is registered with ``atexit`` before realtime_bus is imported, so it runs after the
library's own exit hook and sees what that hook did.
"""

from __future__ import annotations

import atexit
import json
import os
from typing import Any

state: dict[str, Any] = {}


def report() -> None:
    sim, bus = state["sim"], state["bus"]
    session = sim.history[-1]
    sim.call(session.wait_closed, 5.0)
    print(
        json.dumps(
            {
                "close_code": sim.call(lambda: session.close_code),
                "state": bus.state.name,
                "thread_joined": bus.thread is None,
            }
        ),
        flush=True,
    )
    # The simulator was left running on purpose; skip finalizing its context manager, which
    # would try to stop it while the interpreter has already frozen its daemon thread.
    os._exit(0)


atexit.register(report)

from realtime_bus.sync import SyncBus  # noqa: E402
from realtime_bus.testing import Simulator  # noqa: E402

running = Simulator().run_in_thread()
sim = running.__enter__()  # left running: its thread is a daemon
bus = SyncBus(sim.url, api_key="sk-test-key", query={"model": "gpt-realtime"}).connect()
state.update(sim=sim, bus=bus, running=running)
# The program ends here without closing the bus.
