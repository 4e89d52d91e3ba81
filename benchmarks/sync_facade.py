"""What the sync facade costs: ``SyncBus`` against the async ``Bus`` it drives, in one run.

Run on demand (not collected by pytest)::

    python benchmarks/sync_facade.py                 # ~30 s
    python benchmarks/sync_facade.py --requests 2000 -n 50000 --repeats 7

Two measurements, each interleaving facade and async runs and reporting medians:

* ``request`` round trip: ``input_audio_buffer.clear`` sent with ``request()`` until its
  ``input_audio_buffer.cleared`` comes back, one after another, against the simulator
  (``realtime-bus serve`` in its own process). Through the facade every call crosses to the
  bus's thread and back: the difference is the price of that crossing.
* Delivery to a handler: the shared loopback server (``mode=in``) sends N corpus frames as fast
  as they are read; a sync handler on ``"*"`` registered through the facade vs an async handler
  on the bus. The rate is taken from the first event to the N-th.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import _shared as bench

from realtime_bus import Bus, ConnectionLost, InputAudioBufferClear
from realtime_bus.sync import SyncBus

# -- the request round trip --------------------------------------------------------------------


@contextmanager
def simulator_process() -> Iterator[tuple[str, int]]:
    """``realtime-bus serve`` on a free port in its own process; yields its URL and pid."""
    command = [sys.executable, "-m", "realtime_bus.cli", "serve", "--port", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "ws://" in line:
                url = line[line.index("ws://") :].split()[0]
                break
        else:
            raise RuntimeError("the simulator did not start")
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def requests_sync(url: str, count: int) -> list[float]:
    """Seconds per ``request()`` through the facade, called from this (the main) thread."""
    with SyncBus(url, api_key="sk-bench") as bus:
        times = []
        for _ in range(count):
            started = bench.now()
            bus.request(InputAudioBufferClear())
            times.append(bench.now() - started)
    return times


def requests_async(url: str, count: int) -> list[float]:
    """Seconds per ``await request()`` on the async bus."""

    async def run() -> list[float]:
        async with Bus(url, api_key="sk-bench") as bus:
            times = []
            for _ in range(count):
                started = bench.now()
                await bus.request(InputAudioBufferClear())
                times.append(bench.now() - started)
        return times

    return asyncio.run(run())


# -- delivery to a handler ---------------------------------------------------------------------


def deliver_sync(srv: bench.Server, n: int) -> float:
    """Events per second to a sync handler registered through the facade."""
    done = threading.Event()
    counted = bench.EventCount(n, done.set)
    bus = SyncBus(srv.url(f"mode=in&n={n}"), api_key="x", reconnect=False, wait_for_session=False)
    bus.on("*")(counted.seen)
    bus.on("bus.disconnected")(lambda event: done.set())
    try:
        with bus:
            done.wait(120)
    except ConnectionLost:
        pass  # the server closes after the last frame; reconnect=False makes it final
    return counted.per_second("the facade")


def deliver_async(srv: bench.Server, n: int) -> float:
    """Events per second to an async handler on the bus."""

    async def run() -> float:
        done = asyncio.Event()
        counted = bench.EventCount(n, done.set)
        bus = Bus(srv.url(f"mode=in&n={n}"), api_key="x", reconnect=False, wait_for_session=False)

        @bus.on("*")
        async def handler(event: Any) -> None:
            counted.seen(event)

        bus.on("bus.disconnected")(lambda event: done.set())
        try:
            async with bus:
                await done.wait()
        except ConnectionLost:
            pass
        return counted.per_second("the bus")

    return asyncio.run(run())


# -- the run -----------------------------------------------------------------------------------


def settle() -> None:
    """Between runs: let sockets close and collect garbage, outside the clock."""
    time.sleep(0.1)
    gc.collect()


def main() -> None:
    ap = bench.arguments(__doc__, n=30_000, unit="delivery frames", corpus=True)
    ap.add_argument("--requests", type=int, default=1000, help="requests per run (default 1000)")
    args = bench.parse(ap)

    latency: dict[str, list[float]] = {"facade": [], "async": []}
    p99: dict[str, list[float]] = {"facade": [], "async": []}
    rates: dict[str, list[float]] = {"facade": [], "async": []}
    request_runs = {"facade": requests_sync, "async": requests_async}
    delivery_runs = {"facade": deliver_sync, "async": deliver_async}

    with simulator_process() as (url, sim_pid), bench.server(bench.corpus(args.corpus)) as srv:
        assert srv.proc is not None
        load = bench.OtherLoad(sim_pid, srv.proc.pid)
        for name in request_runs:  # warm-up: imports, first sockets, code paths
            request_runs[name](url, 100)
            delivery_runs[name](srv, min(args.n, 2000))
        for rep in range(args.repeats):
            for name in bench.rotation(list(request_runs), rep):
                times = sorted(request_runs[name](url, args.requests))
                latency[name].append(bench.median(times))
                p99[name].append(bench.percentile(times, 99))
                settle()
                rates[name].append(delivery_runs[name](srv, args.n))
                settle()
            request = bench.latest(latency, lambda seconds: f"{seconds * 1e6:.0f} us")
            bench.say_repeat(
                rep,
                args.repeats,
                f"request {request}; delivery {bench.latest(rates, bench.fmt_rate)}",
                load,
            )

    rows: list[list[object]] = []
    for name in request_runs:
        rows.append(
            [
                name,
                f"{bench.median(latency[name]) * 1e6:.0f}",
                f"{bench.median(p99[name]) * 1e6:.0f}",
                f"{bench.paired_ratio(latency[name], latency['async']):.2f}x",
            ]
        )
    bench.print_table(
        f"request() round trip, input_audio_buffer.clear, {args.requests} sequential requests, "
        f"median of {args.repeats}",
        ["client", "p50 us", "p99 us", "time vs async"],
        rows,
    )
    crossing = (bench.median(latency["facade"]) - bench.median(latency["async"])) * 1e6
    print(f"\ncrossing to the bus's thread and back adds {crossing:.0f} us per call (p50)")

    rows = []
    for name, handler in (("facade", "sync handler"), ("async", "async handler")):
        rows.append(
            [
                f"{name} ({handler})",
                bench.fmt_rate(bench.median(rates[name])),
                f"{1e6 / bench.median(rates[name]):.2f}",
                f"{bench.paired_ratio(rates[name], rates['async']):.2f}x",
            ]
        )
    bench.print_table(
        f"Delivery to a handler on '*', mode=in, {args.n} corpus frames, median of {args.repeats}",
        ["client", "events/s", "us/event", "rate vs async"],
        rows,
    )
    print()
    print(load.report())


if __name__ == "__main__":
    main()
