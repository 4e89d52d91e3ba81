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
from typing import Union

import _shared as bench
import msgspec

from realtime_bus import Bus
from realtime_bus.bus import ConnectionLost
from realtime_bus.protocol import SERVER_EVENT_CLASSES

Runner = Callable[[bench.Server, int], Awaitable[float]]


async def run_bus(srv: bench.Server, n: int) -> float:
    """Events per second through the bus to one no-op ``"*"`` handler."""
    done = asyncio.Event()
    counted = bench.EventCount(n, done.set)
    bus = Bus(url=srv.url(f"mode=in&n={n}"), api_key="x", reconnect=False)
    bus.on("*")(counted.seen)
    bus.on("bus.disconnected")(lambda event: done.set())
    try:
        async with bus:
            await done.wait()
    except ConnectionLost:
        pass  # the server's close after the last frame; reconnect=False makes it final
    return counted.per_second("bus")


async def run_bare(srv: bench.Server, n: int) -> float:
    """Events per second through a bare recv loop with a typed msgspec decode."""
    decode = msgspec.json.Decoder(Union[SERVER_EVENT_CLASSES]).decode  # noqa: UP007
    count = 0
    first = last = 0.0
    async with srv.connect(f"mode=in&n={n}") as ws:
        while count < n:
            frame = await ws.recv(decode=False)
            decode(frame)
            count += 1
            if count == 1:
                first = bench.now()
        last = bench.now()
    return (n - 1) / (last - first)


async def run_openai(srv: bench.Server, n: int) -> float:
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
                first = bench.now()
            elif count == n:
                last = bench.now()
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
    path = bench.corpus(args.corpus)
    with bench.server(path) as srv:
        assert srv.proc is not None
        load = bench.OtherLoad(srv.proc.pid)
        for fn in runners.values():  # warm-up: imports, decoder builds, first sockets
            await fn(srv, min(args.n, 2000))
            await bench.settle()
        for rep in range(args.repeats):
            for name in bench.rotation(list(runners), rep):
                n = args.n if name != "openai" else args.openai_n or args.n
                rates[name].append(await runners[name](srv, n))
                await bench.settle()
            bench.say_repeat(rep, args.repeats, bench.latest(rates, bench.fmt_rate), load)

    rows = [
        [*bench.rate_row(rates, name), " ".join(bench.fmt_rate(r) for r in rates[name])]
        for name in runners
    ]
    bench.print_table(
        f"Receive throughput, mode=in, {args.n} corpus frames, median of {args.repeats}",
        ["client", "events/s", "us/event", "vs bare", "vs openai", "runs"],
        rows,
    )
    print("\n" + bench.targets(rates, "bus >= 0.8x bare (aim 0.9x)", "bus >= 6x openai"))
    print(load.report())


def main() -> None:
    ap = bench.arguments(__doc__, n=50_000, unit="frames", corpus=True, openai=True)
    asyncio.run(amain(bench.parse(ap)))


if __name__ == "__main__":
    main()
