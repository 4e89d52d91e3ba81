"""Run by test_interrupt.py in a subprocess: Ctrl-C while connect() waits on a hung handshake.

Prints one JSON line: whether KeyboardInterrupt came, how long it took, what was left.
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import time

from realtime_bus.sync import SyncBus


def main() -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts TCP, never answers
    port = listener.getsockname()[1]
    threads_before = threading.active_count()
    bus = SyncBus(f"ws://127.0.0.1:{port}/v1/realtime", api_key="sk-test-key")
    ident = threading.main_thread().ident
    assert ident is not None
    timer = threading.Timer(0.5, signal.pthread_kill, (ident, signal.SIGINT))
    timer.start()
    started = time.monotonic()
    interrupted = False
    try:
        bus.connect()
    except KeyboardInterrupt:
        interrupted = True
    report = {
        "interrupted": interrupted,
        "seconds_after_ctrl_c": round(time.monotonic() - started - 0.5, 3),
        "state": bus.state.name,
        "threads_left": threading.active_count() - threads_before,
    }
    timer.join()
    listener.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
