"""How fast the simulator pushes events to one client, against a bare ``websockets`` send loop.

Run on demand (not collected by pytest)::

    python benchmarks/simulator.py                  # 20k corpus frames, 5 interleaved rounds
    python benchmarks/simulator.py -n 50000 --rounds 7

Two scenarios, each against the same baseline, a bare ``websockets`` server whose handler sends
the same frames with ``await ws.send(frame, text=True)`` in a loop:

* ``replay``: the simulator sends the frames of the shared corpus (``make_frames.py``) through a
  session's :meth:`~realtime_bus.testing.SimulatedSession.send_frames`;
* ``generate``: the simulator produces a long spoken answer itself (responder, speech synthesis,
  events built and encoded, audio deltas of 60 ms with their transcript), and the baseline sends
  the frames the simulator produced, as recorded.

The client is a bare ``websockets`` receive loop in its own process (so server and client each
get a core); it times from its trigger message to the close. Rounds alternate the servers;
figures are medians. Target: the simulator at least 0.8x the bare send loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import structlog
import websockets
from _corpus import corpus
from websockets.asyncio.server import ServerConnection, serve

from realtime_bus.protocol.server import encode_server
from realtime_bus.testing import ScriptedResponder, Simulator

CLEAR = b'{"type":"input_audio_buffer.clear"}'
GENERATE = b'{"type":"response.create"}'


# -- the corpus -------------------------------------------------------------------------------


def load_corpus(n: int, seed: int = 1) -> list[bytes]:
    """``n`` corpus frames, generated once into ``benchmarks/.cache``."""
    return corpus(n, seed).read_bytes().splitlines()


# -- the client (its own process) ---------------------------------------------------------------


async def _client(url: str, trigger: str, skip_first: bool) -> dict[str, float]:
    async with websockets.connect(
        url, max_size=None, compression=None, additional_headers={"Authorization": "Bearer sk-b"}
    ) as ws:
        if skip_first:
            await ws.recv()  # session.created
        count = 0
        size = 0
        start = time.perf_counter()
        await ws.send(trigger)
        async for message in ws:
            count += 1
            size += len(message)
        seconds = time.perf_counter() - start
    return {"events": count, "bytes": size, "seconds": seconds}


def run_client(url: str, trigger: bytes, skip_first: bool) -> subprocess.Popen[str]:
    """Start the receive loop in a new process; it prints its figures as JSON."""
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--client",
            url,
            "--trigger",
            trigger.decode(),
            *(["--skip-first"] if skip_first else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def client_result(proc: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = proc.communicate(timeout=300)
    if proc.returncode:
        sys.exit(f"client failed ({proc.returncode})")
    result: dict[str, float] = json.loads(out)
    return result


# -- the servers --------------------------------------------------------------------------------


async def bare_round(frames: list[bytes]) -> dict[str, float]:
    """A bare websockets server sends ``frames`` after the client's trigger, then closes."""

    cpu = 0.0

    async def handler(ws: ServerConnection) -> None:
        nonlocal cpu
        await ws.recv()
        start = time.process_time()
        for frame in frames:
            await ws.send(frame, text=True)
        cpu = time.process_time() - start
        await ws.close()

    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        proc = run_client(f"ws://127.0.0.1:{port}/v1/realtime", CLEAR, skip_first=False)
        result = await asyncio.to_thread(client_result, proc)
    return {**result, "cpu": cpu}


async def replay_round(sim: Simulator, frames: list[bytes]) -> dict[str, float]:
    """The simulator sends the corpus through a session after the client's trigger."""
    count = len(sim.history)
    proc = run_client(sim.url, CLEAR, skip_first=True)
    session = await sim.wait_for_connection(count + 1, timeout=30)
    await session.wait_for_client_event("input_audio_buffer.clear", timeout=30)
    start = time.process_time()
    await session.send_frames(frames)
    cpu = time.process_time() - start
    session.close()
    return {**await asyncio.to_thread(client_result, proc), "cpu": cpu}


async def generate_round(sim: Simulator) -> tuple[dict[str, float], list[bytes]]:
    """The simulator answers ``response.create`` with a long spoken reply it generates."""
    count = len(sim.history)
    proc = run_client(sim.url, GENERATE, skip_first=True)
    session = await sim.wait_for_connection(count + 1, timeout=30)
    await session.wait_for_client_event("response.create", timeout=30)
    start = time.process_time()
    await session.wait_idle(timeout=120)
    cpu = time.process_time() - start
    session.close()
    result = {**await asyncio.to_thread(client_result, proc), "cpu": cpu}
    produced = [encode_server(event) for event in session.sent[1:]]
    return result, produced


# -- the report ---------------------------------------------------------------------------------


def rate(result: dict[str, float]) -> float:
    return result["events"] / result["seconds"]


def report(name: str, ours: list[dict[str, float]], bare: list[dict[str, float]]) -> float:
    ours_rate = statistics.median(rate(r) for r in ours)
    bare_rate = statistics.median(rate(r) for r in bare)
    mb = statistics.median(r["bytes"] / r["seconds"] / 1e6 for r in ours)
    mb_bare = statistics.median(r["bytes"] / r["seconds"] / 1e6 for r in bare)
    cpu = statistics.median(r["cpu"] / r["events"] * 1e6 for r in ours)
    cpu_bare = statistics.median(r["cpu"] / r["events"] * 1e6 for r in bare)
    ratio = ours_rate / bare_rate
    print(
        f"| {name} | simulator | {ours[0]['events']:,.0f} | {ours_rate:,.0f} | {mb:,.0f} | "
        f"{cpu:.1f} | {ratio:.2f}x |"
    )
    print(
        f"| {name} | bare websockets | {bare[0]['events']:,.0f} | {bare_rate:,.0f} | "
        f"{mb_bare:,.0f} | {cpu_bare:.1f} | 1.00x |"
    )
    return ratio


async def main(args: argparse.Namespace) -> None:
    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())  # no per-session lines
    frames = load_corpus(args.n)
    text = " ".join(["talking"] * (args.n // 6))
    responder = ScriptedResponder(*([text] * (args.rounds + 1)))
    async with Simulator(responder=responder, audio_chunk_ms=60) as sim:
        # Warm up both paths once (imports, caches, first connections).
        await replay_round(sim, frames[:1000])
        await bare_round(frames[:1000])
        replay_ours, replay_bare = [], []
        for _ in range(args.rounds):
            replay_ours.append(await replay_round(sim, frames))
            replay_bare.append(await bare_round(frames))
        gen_ours, gen_bare = [], []
        _, produced = await generate_round(sim)
        for _ in range(args.rounds):
            result, produced = await generate_round(sim)
            gen_ours.append(result)
            gen_bare.append(await bare_round(produced))
    print(
        f"\n{args.n:,} corpus frames; {len(produced):,} generated frames; "
        f"median of {args.rounds} interleaved rounds\n"
    )
    print("| scenario | server | events | events/s | MB/s | server CPU us/event | vs bare |")
    print("|---|---|---:|---:|---:|---:|---:|")
    replay_ratio = report("replay", replay_ours, replay_bare)
    generate_ratio = report("generate", gen_ours, gen_bare)
    verdict = "meets" if min(replay_ratio, generate_ratio) >= 0.8 else "MISSES"
    print(f"\nTarget: the simulator at least 0.80x the bare send loop: {verdict}.")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=20_000, help="corpus frames (default 20000)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--trigger", help=argparse.SUPPRESS)
    parser.add_argument("--skip-first", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    ns = parse()
    if ns.client:
        figures: Any = asyncio.run(_client(ns.client, ns.trigger, ns.skip_first))
        print(json.dumps(figures))
    else:
        asyncio.run(main(ns))
