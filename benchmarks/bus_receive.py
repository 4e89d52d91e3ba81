"""Receive throughput: the bus vs a bare typed recv loop vs the ``openai`` package.

The loopback server (``mode=in``) sends the first N corpus frames as fast as the client reads
them, then closes. Each client counts events until it has seen N; the rate is taken from the
first event to the last, so connecting and closing are outside the clock for everyone.

- ``bus``: ``Bus`` with one no-op handler on ``"*"`` (decode, inbound buffer, dispatcher).
- ``bare``: a ``websockets`` recv loop decoding each frame with msgspec's typed union of every
  server event, the limit for any typed client.
- ``openai``: the ``openai`` package's ``async for event in connection``.

Runs are interleaved (bus, bare, openai, bus, ...) and medians reported, with ratios from the
same run. ``python benchmarks/bus_receive.py --help`` for the knobs.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Union

import msgspec
from _shared import (
    OtherLoad,
    Server,
    corpus,
    fmt_rate,
    median,
    now,
    paired_ratio,
    print_table,
    quiet_logs,
    server,
    settle,
)
from websockets.asyncio.client import connect

from realtime_bus import Bus
from realtime_bus.bus import ConnectionLost
from realtime_bus.protocol import SERVER_EVENT_CLASSES

Runner = Callable[[Server, int], Awaitable[float]]


async def run_bus(srv: Server, n: int) -> float:
    """Events per second through the bus to one no-op ``"*"`` handler."""
    count = 0
    first = last = 0.0
    done = asyncio.Event()

    bus = Bus(url=srv.url(f"mode=in&n={n}"), api_key="x", reconnect=False)

    @bus.on("*")
    def handler(event: Any) -> None:
        nonlocal count, first, last
        count += 1
        if count == 1:
            first = now()
        elif count == n:
            last = now()
            done.set()

    @bus.on("bus.disconnected")
    def gone(event: Any) -> None:
        done.set()

    try:
        async with bus:
            await done.wait()
    except ConnectionLost:
        pass  # the server's close after the last frame; reconnect=False makes it final
    if count != n:
        raise RuntimeError(f"bus saw {count} of {n} events")
    return (n - 1) / (last - first)


async def run_bare(srv: Server, n: int) -> float:
    """Events per second through a bare recv loop with a typed msgspec decode."""
    decode = msgspec.json.Decoder(Union[SERVER_EVENT_CLASSES]).decode  # noqa: UP007
    count = 0
    first = last = 0.0
    async with connect(
        srv.url(f"mode=in&n={n}"),
        additional_headers={"Authorization": "Bearer x"},
        max_size=None,
        compression=None,
    ) as ws:
        while count < n:
            frame = await ws.recv(decode=False)
            decode(frame)
            count += 1
            if count == 1:
                first = now()
        last = now()
    return (n - 1) / (last - first)


async def run_openai(srv: Server, n: int) -> float:
    """Events per second through the ``openai`` package's async iterator."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="x", websocket_base_url=srv.base)
    count = 0
    first = last = 0.0
    async with client.realtime.connect(
        model="gpt-realtime", extra_query={"mode": "in", "n": str(n)}
    ) as conn:
        async for _event in conn:
            count += 1
            if count == 1:
                first = now()
            elif count == n:
                last = now()
                break
    await client.close()
    if count != n:
        raise RuntimeError(f"openai saw {count} of {n} events")
    return (n - 1) / (last - first)


async def amain(args: argparse.Namespace) -> None:
    runners: dict[str, Runner] = {"bus": run_bus, "bare": run_bare}
    if not args.skip_openai:
        runners["openai"] = run_openai
    rates: dict[str, list[float]] = {name: [] for name in runners}
    path = corpus(args.corpus)
    with server(path) as srv:
        assert srv.proc is not None
        load = OtherLoad(srv.proc.pid)
        for fn in runners.values():  # warm-up: imports, decoder builds, first sockets
            await fn(srv, min(args.n, 2000))
            await settle()
        for rep in range(args.repeats):
            names = list(runners)
            order = names[rep % len(names) :] + names[: rep % len(names)]
            for name in order:
                n = args.n if name != "openai" else args.openai_n or args.n
                rates[name].append(await runners[name](srv, n))
                await settle()
            print(
                f"repeat {rep + 1}/{args.repeats}: "
                + ", ".join(f"{k} {fmt_rate(v[-1])}" for k, v in rates.items())
                + f" (other load {load.cores():.2f} cores)",
                flush=True,
            )

    med = {k: median(v) for k, v in rates.items()}
    rows: list[list[object]] = []
    for name in runners:
        row: list[object] = [name, fmt_rate(med[name])]
        row.append(f"{1e6 / med[name]:.2f}")
        row.append(f"{paired_ratio(rates[name], rates['bare']):.2f}x")
        row.append(f"{paired_ratio(rates[name], rates['openai']):.1f}x" if "openai" in med else "-")
        row.append(" ".join(fmt_rate(r) for r in rates[name]))
        rows.append(row)
    print_table(
        f"Receive throughput, mode=in, {args.n} corpus frames, median of {args.repeats}",
        ["client", "events/s", "us/event", "vs bare", "vs openai", "runs"],
        rows,
    )
    bus_bare = paired_ratio(rates["bus"], rates["bare"])
    print(f"\ntarget: bus >= 0.8x bare (aim 0.9x): {bus_bare:.2f}x", end="")
    if "openai" in med:
        print(f"; bus >= 6x openai: {paired_ratio(rates['bus'], rates['openai']):.1f}x")
    else:
        print()
    print(load.report())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=50_000, help="frames per run (default 50000)")
    ap.add_argument("--openai-n", type=int, default=0, help="frames per openai run (default -n)")
    ap.add_argument("--repeats", type=int, default=5, help="interleaved repeats (default 5)")
    ap.add_argument("--corpus", type=int, default=100_000, help="corpus size (default 100000)")
    ap.add_argument("--skip-openai", action="store_true", help="leave the openai package out")
    args = ap.parse_args()
    if args.n > args.corpus:
        ap.error("-n cannot exceed --corpus")
    quiet_logs()
    asyncio.run(amain(args))


if __name__ == "__main__":
    main()
