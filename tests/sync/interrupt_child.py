"""Run by test_interrupt.py in a subprocess: Ctrl-C reaches the main thread while it blocks.

Prints one JSON line describing what was left afterwards.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time

from realtime_bus.sync import SyncBus
from realtime_bus.testing import Simulator


def ctrl_c() -> None:
    # A terminal's Ctrl-C is delivered to the main thread; do the same, deterministically.
    ident = threading.main_thread().ident
    assert ident is not None
    signal.pthread_kill(ident, signal.SIGINT)


def main(mode: str) -> None:
    with Simulator().run_in_thread() as sim:
        threads_before = threading.active_count()
        bus = SyncBus(sim.url, api_key="sk-test-key", query={"model": "gpt-realtime"})
        bus.connect()
        timer = threading.Timer(0.3, ctrl_c)
        started = time.monotonic()
        timer.start()
        interrupted = False
        try:
            if mode == "wait_for":
                bus.wait_for("response.done", timeout=30)
            elif mode == "stream":
                for _event in bus.stream("response.output_text.delta"):
                    pass
            elif mode == "run":
                bus.run()
        except KeyboardInterrupt:
            interrupted = True
        elapsed = time.monotonic() - started
        timer.join()
        session = sim.history[-1]
        sim.call(session.wait_closed, 5.0)
        report = {
            "interrupted": interrupted,
            "seconds": round(elapsed, 3),
            "state": bus.state.name,
            "thread_joined": bus.thread is None,
            "threads_left": threading.active_count() - threads_before,
            "leftover_tasks": list(bus._runner.leftover_tasks),
            "close_code": sim.call(lambda: session.close_code),
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
