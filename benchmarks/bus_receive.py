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

import msgspec
from _shared import (
    EventCount,
    OtherLoad,
    Server,
    arguments,
    corpus,
    fmt_rate,
    latest,
    median,
    now,
    parse,
    print_table,
    ratio_to,
    rotation,
    say_repeat,
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
    done = asyncio.Event()
    counted = EventCount(n, done.set)
    bus = Bus(url=srv.url(f"mode=in&n={n}"), api_key="x", reconnect=False)
    bus.on("*")(counted.seen)
    bus.on("bus.disconnected")(lambda event: done.set())
    try:
        async with bus:
            await done.wait()
    except ConnectionLost:
        pass  # the server's close after the last frame; reconnect=False makes it final
    return counted.per_second("bus")


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
            for name in rotation(list(runners), rep):
                n = args.n if name != "openai" else args.openai_n or args.n
                rates[name].append(await runners[name](srv, n))
                await settle()
            say_repeat(rep, args.repeats, latest(rates, fmt_rate), load)

    med = {k: median(v) for k, v in rates.items()}
    rows: list[list[object]] = []
    for name in runners:
        row: list[object] = [name, fmt_rate(med[name])]
        row.append(f"{1e6 / med[name]:.2f}")
        row.append(ratio_to(rates, name, "bare"))
        row.append(ratio_to(rates, name, "openai", digits=1))
        row.append(" ".join(fmt_rate(r) for r in rates[name]))
        rows.append(row)
    print_table(
        f"Receive throughput, mode=in, {args.n} corpus frames, median of {args.repeats}",
        ["client", "events/s", "us/event", "vs bare", "vs openai", "runs"],
        rows,
    )
    targets = [f"bus >= 0.8x bare (aim 0.9x): {ratio_to(rates, 'bus', 'bare')}"]
    if "openai" in rates:
        targets.append(f"bus >= 6x openai: {ratio_to(rates, 'bus', 'openai', digits=1)}")
    print("\ntarget: " + "; ".join(targets))
    print(load.report())


def main() -> None:
    ap = arguments(__doc__, n=50_000, unit="frames", corpus=True, openai=True)
    asyncio.run(amain(parse(ap)))


if __name__ == "__main__":
    main()
