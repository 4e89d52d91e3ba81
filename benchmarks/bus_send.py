"""Send throughput of ``input_audio_buffer.append`` (20 ms PCM16 chunks): the bus vs a bare send
vs the ``openai`` package.

The loopback server (``mode=out&n=N``) counts client frames and, after the N-th, closes with the
reason ``n=<frames> bytes=<payload>``. The clock runs from the first append to that close, so
every figure is audio the server has received, not audio sitting in a buffer.

- ``bare``: ``websockets`` sending a minimal msgspec struct per chunk, the limit for any typed
  client.
- ``bus``: ``bus.input_audio_buffer.append(...)`` with coalescing off, one frame per append like
  the others (``wait_for_session=False``: this server sends no ``session.created``).
- ``openai``: the ``openai`` package's ``connection.input_audio_buffer.append(audio=...)``.
- ``bus coalescing``: the bus as configured by default; a producer faster than the socket lets
  appends queue up and the writer merges them into fewer frames. The server cannot know how many
  frames to wait for here, so the clock stops when the bus's clean close returns (the server
  answers the close only after reading every frame before it). A last, untimed run checks the
  coalesced frame count against the server's own count.

Runs are interleaved and medians reported, with ratios from the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import _shared as bench
import msgspec
from websockets.exceptions import ConnectionClosed

from realtime_bus import Bus
from realtime_bus.bus import ConnectionLost
from realtime_bus.protocol import InputAudioBufferClear, base64_from_pcm

CHUNK_BYTES = 960  # 20 ms of 24 kHz mono PCM16
NEVER = 10**12  # a frame count the server never reaches: the client ends the connection


class _Append(msgspec.Struct, tag="input_audio_buffer.append", tag_field="type"):
    audio: str


def chunks() -> list[str]:
    """Sixteen distinct 20 ms chunks, base64, as a microphone pipeline would hand them over."""
    rnd = random.Random(5)
    return [base64_from_pcm(rnd.randbytes(CHUNK_BYTES)) for _ in range(16)]


class Result(msgspec.Struct):
    rate: float
    frames: int
    appends: int


def _reason_frames(reason: str) -> int:
    fields = dict(part.split("=", 1) for part in reason.split() if "=" in part)
    return int(fields.get("n", -1))


async def run_bare(srv: bench.Server, n: int, audio: list[str]) -> Result:
    encode = msgspec.json.Encoder().encode
    async with srv.connect(f"mode=out&n={n}") as ws:
        t0 = bench.now()
        for i in range(n):
            await ws.send(encode(_Append(audio=audio[i & 15])), text=True)
        t1, frames = await _server_close(ws.recv)
    return Result((n - 1) / (t1 - t0), frames, n)


async def _server_close(recv: Callable[[], Awaitable[object]]) -> tuple[float, int]:
    """Wait for the server's close after the N-th frame: when it came, and the frames it
    counted (from its close reason)."""
    try:
        await recv()
    except ConnectionClosed as exc:
        return bench.now(), _reason_frames(exc.rcvd.reason if exc.rcvd else "")
    raise RuntimeError("the server sent a frame in mode=out")


async def run_bus(srv: bench.Server, n: int, audio: list[str]) -> Result:
    bus = Bus(
        url=srv.url(f"mode=out&n={n}"),
        api_key="x",
        wait_for_session=False,
        reconnect=False,
        coalesce_audio=False,
    )
    gone = asyncio.Event()
    t1 = 0.0
    reason = ""

    @bus.on("bus.disconnected")
    def disconnected(event: Any) -> None:
        nonlocal t1, reason
        t1 = bench.now()
        reason = event.reason
        gone.set()

    append = bus.input_audio_buffer.append
    try:
        async with bus:
            t0 = bench.now()
            for i in range(n):
                await append(audio[i & 15])
            await gone.wait()
    except ConnectionLost:
        pass  # the server's close after the N-th frame, final with reconnect=False
    return Result((n - 1) / (t1 - t0), _reason_frames(reason), n)


async def run_bus_coalescing(srv: bench.Server, n: int, audio: list[str]) -> Result:
    bus = Bus(url=srv.url(f"mode=out&n={NEVER}"), api_key="x", wait_for_session=False)
    append = bus.input_audio_buffer.append
    async with bus:
        t0 = bench.now()
        for i in range(n):
            await append(audio[i & 15])
        await bus.close()  # flushes the queue, then the close handshake
        t1 = bench.now()
    if bus.stats.frames_sent + bus.stats.appends_merged != n:
        raise RuntimeError(f"bus wrote {bus.stats.frames_sent} frames for {n} appends")
    return Result((n - 1) / (t1 - t0), bus.stats.frames_sent, n)


async def run_openai(srv: bench.Server, n: int, audio: list[str]) -> Result:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="x", websocket_base_url=srv.base)
    async with client.realtime.connect(
        model="gpt-realtime", extra_query={"mode": "out", "n": str(n)}
    ) as conn:
        append = conn.input_audio_buffer.append
        t0 = bench.now()
        for i in range(n):
            await append(audio=audio[i & 15])
        t1, frames = await _server_close(conn.recv_bytes)
    await client.close()
    return Result((n - 1) / (t1 - t0), frames, n)


async def check_coalescing(srv: bench.Server, n: int, audio: list[str]) -> tuple[int, int, str]:
    """Appends queued faster than the socket takes them, counted by the server.

    The server closes after exactly ``n`` frames: once the bus has written the appends as F
    frames, ``n - F`` small ``input_audio_buffer.clear`` events make up the difference. A bus
    that wrote more frames than it counted would be closed early; fewer, and the server would
    never close (the wait times out).
    """
    bus = Bus(url=srv.url(f"mode=out&n={n}"), api_key="x", wait_for_session=False, reconnect=False)
    reason = ""
    gone = asyncio.Event()

    @bus.on("bus.disconnected")
    def disconnected(event: Any) -> None:
        nonlocal reason
        reason = event.reason
        gone.set()

    try:
        async with bus:
            for i in range(n):
                await bus.input_audio_buffer.append(audio[i & 15])
            # The bus has no flush call; its counters say when the writer took everything.
            while bus.stats.frames_sent + bus.stats.appends_merged < n:  # noqa: ASYNC110
                await asyncio.sleep(0.001)
            frames = bus.stats.frames_sent
            for _ in range(n - frames):
                await bus.send(InputAudioBufferClear())
            await asyncio.wait_for(gone.wait(), 30)
    except ConnectionLost:
        pass
    if bus.stats.frames_sent != n:
        raise RuntimeError(f"the server closed after {bus.stats.frames_sent} of {n} frames")
    return n, frames, reason


Runner = Callable[[bench.Server, int, list[str]], Awaitable[Result]]


async def amain(args: argparse.Namespace) -> None:
    audio = chunks()
    runners: dict[str, Runner] = {"bus": run_bus, "bare": run_bare}
    if not args.skip_openai:
        runners["openai"] = run_openai
    runners["bus coalescing"] = run_bus_coalescing
    results: dict[str, list[Result]] = {name: [] for name in runners}
    with bench.server() as srv:
        assert srv.proc is not None
        load = bench.OtherLoad(srv.proc.pid)
        for fn in runners.values():  # warm-up
            await fn(srv, 500, audio)
            await bench.settle()
        for rep in range(args.repeats):
            for name in bench.rotation(list(runners), rep):
                n = args.openai_n or args.n if name == "openai" else args.n
                result = await runners[name](srv, n, audio)
                if name != "bus coalescing" and result.frames != n:
                    raise RuntimeError(f"{name}: the server counted {result.frames} of {n}")
                results[name].append(result)
                await bench.settle()
            bench.say_repeat(
                rep, args.repeats, bench.latest(results, lambda r: bench.fmt_rate(r.rate)), load
            )
        appends, frames, reason = await check_coalescing(srv, args.n, audio)

    rates = {k: [r.rate for r in v] for k, v in results.items()}
    rows = [
        [
            *bench.rate_row(rates, name),
            f"{bench.median([r.frames for r in results[name]]):.0f}",
            " ".join(bench.fmt_rate(r.rate) for r in results[name]),
        ]
        for name in runners
    ]
    bench.print_table(
        f"Send throughput of 20 ms input_audio_buffer.append, mode=out, {args.n} appends, "
        f"median of {args.repeats}",
        ["client", "appends/s", "us/append", "vs bare", "vs openai", "frames", "runs"],
        rows,
    )
    print(
        f"\ncoalescing check (untimed, counted by the server): {appends} appends queued faster "
        f"than the socket took them went out as {frames} frames "
        f"({appends - frames} saved, {appends / frames:.0f} appends a frame); "
        f"the server closed with '{reason}' after those frames and {appends - frames} "
        "input_audio_buffer.clear events"
    )
    print(bench.targets(rates, "bus >= 0.8x bare", "bus >= 15x openai"))
    print(load.report())


def main() -> None:
    ap = bench.arguments(__doc__, n=20_000, unit="appends", openai=True)
    asyncio.run(amain(bench.parse(ap)))


if __name__ == "__main__":
    main()
