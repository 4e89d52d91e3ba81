"""Many sessions in one process: how many real-time sessions one event loop sustains.

Three measurements, each against the loopback server in its own process:

1. Capacity: S sessions in ``mode=rt`` (a 20 ms audio delta every 20 ms and a transcript delta
   every 4th tick, each stamped with its send time) while every session also uploads a 20 ms
   microphone chunk every 20 ms. A count is sustained when the p99 delay from the server's send
   to the handler is under 5 ms and every event arrived. The count ramps up for each client
   until it fails (a failing step is tried twice), then a few bisection steps narrow it down.
   Clients take turns at each step.
2. Receive-only CPU per session at a fixed count (no upload): process CPU over the window.
3. Memory per idle connected session: each client in a fresh process opens S sessions to a
   server that sends nothing; resident memory before and after, per session.

``python benchmarks/many_sessions.py --quick`` scales everything down.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from _shared import (
    OtherLoad,
    Server,
    median,
    paired_ratio,
    print_table,
    quiet_logs,
    rotation,
    server,
    settle,
)
from bus_latency import KINDS, RunResult, Window, run_sessions

LIMIT_US = 5000.0


def _passes(res: RunResult) -> bool:
    # Window edges make the expected count approximate; a client that fell further behind than
    # the grace period would lose more than this.
    return res.p99 < LIMIT_US and res.delivered >= 0.98


async def capacity(
    srv: Server, args: argparse.Namespace, load: OtherLoad
) -> dict[str, tuple[int, int | None]]:
    """For each client: (largest passing count, smallest failing count or None)."""
    ramp = [int(c) for c in args.ramp.split(",")]
    kinds = args.clients.split(",")
    state: dict[str, dict[str, Any]] = {k: {"i": 0, "ok": 0, "bad": None} for k in kinds}

    async def attempt(kind: str, count: int) -> bool:
        for trial in (1, 2):
            load.cores()
            res = await run_sessions(kind, srv, count, window=args.window, mic=True)
            other = load.cores()
            ok = _passes(res)
            print(
                f"  {kind:6s} x{count:<4d} p50 {res.p50:7.0f} us  p99 {res.p99:8.0f} us  "
                f"delivered {res.delivered:6.1%}  cpu {res.cpu:4.0%}  "
                f"uploads {res.appends / (count * args.window / 0.02):6.1%}  "
                f"other load {other:.2f}  "
                f"{'ok' if ok else 'FAIL'}" + (" (retry)" if trial == 2 else ""),
                flush=True,
            )
            await settle()
            if ok:
                return True
        return False

    # The ramp, clients taking turns.
    while any(s["bad"] is None and s["i"] < len(ramp) for s in state.values()):
        for kind in kinds:
            s = state[kind]
            if s["bad"] is not None or s["i"] >= len(ramp):
                continue
            count = ramp[s["i"]]
            s["i"] += 1
            if await attempt(kind, count):
                s["ok"] = count
            else:
                s["bad"] = count
    # Bisection between the last pass and the first failure.
    for _ in range(args.bisect):
        for kind in kinds:
            s = state[kind]
            if s["bad"] is None or s["bad"] - s["ok"] <= max(5, s["ok"] // 20):
                continue
            mid = (s["ok"] + s["bad"]) // 2
            if await attempt(kind, mid):
                s["ok"] = mid
            else:
                s["bad"] = mid
    return {k: (s["ok"], s["bad"]) for k, s in state.items()}


def _clients(args: argparse.Namespace) -> list[str]:
    """The clients to measure, with the bare baseline always among them."""
    kinds = args.clients.split(",")
    return kinds if "bare" in kinds else [*kinds, "bare"]


async def receive_cpu(
    srv: Server, args: argparse.Namespace, load: OtherLoad
) -> dict[str, list[float]]:
    """Per client, per repeat: % of one core per session, receive only."""
    kinds = _clients(args)
    out: dict[str, list[float]] = {k: [] for k in kinds}
    for rep in range(args.repeats):
        for kind in rotation(kinds, rep):
            load.cores()
            res = await run_sessions(kind, srv, args.cpu_sessions, window=args.window)
            out[kind].append(100 * res.cpu / args.cpu_sessions)
            print(
                f"  {kind:6s} x{args.cpu_sessions}: {out[kind][-1]:.3f}% of a core per session "
                f"(p99 {res.p99:.0f} us, other load {load.cores():.2f} cores)",
                flush=True,
            )
            await settle()
    return out


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _memory_child(kind: str, port: int, count: int) -> dict[str, Any]:
    """Runs in a fresh process: RSS growth for ``count`` idle connected sessions."""
    srv = Server(None, port, 0)  # started by the parent
    query = "mode=out&n=1000000000000"  # the server reads and never writes
    session = KINDS[kind]

    async def open_sessions(n: int) -> tuple[asyncio.Event, list[asyncio.Task[None]]]:
        stop = asyncio.Event()
        ready = asyncio.Semaphore(0)
        tasks = [
            asyncio.create_task(session(srv, query, Window(), ready.release, stop, False))
            for _ in range(n)
        ]
        for _ in range(n):
            await ready.acquire()
        return stop, tasks

    # One session first, so that imports and one-time set-up are not counted.
    stop, tasks = await open_sessions(1)
    await asyncio.sleep(0.2)
    gc.collect()
    before = _rss()
    stop2, tasks2 = await open_sessions(count)
    await asyncio.sleep(1.0)
    gc.collect()
    after = _rss()
    stop.set()
    stop2.set()
    await asyncio.gather(*tasks, *tasks2)
    return {"kind": kind, "count": count, "per_session": (after - before) / count}


def memory(srv: Server, args: argparse.Namespace) -> dict[str, list[float]]:
    """Per client: bytes of resident memory per idle connected session, one fresh process each."""
    kinds = _clients(args)
    out: dict[str, list[float]] = {k: [] for k in kinds}
    for rep in range(args.memory_repeats):
        for kind in rotation(kinds, rep):
            proc = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--memory-child",
                    kind,
                    "--port",
                    str(srv.port),
                    "--memory-sessions",
                    str(args.memory_sessions),
                ],
                check=True,
                capture_output=True,
                text=True,
                timeout=120,
            )
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            out[kind].append(result["per_session"])
            print(f"  {kind:6s}: {result['per_session'] / 1024:.1f} KiB per session", flush=True)
    return out


async def amain(args: argparse.Namespace) -> None:
    kinds = args.clients.split(",")
    with server() as srv:
        assert srv.proc is not None
        load, overall = OtherLoad(srv.proc.pid), OtherLoad(srv.proc.pid)
        await run_sessions("bus", srv, 2, window=0.3, warmup=0.1)  # warm-up
        await run_sessions("bare", srv, 2, window=0.3, warmup=0.1)
        cap: dict[str, tuple[int, int | None]] = {}
        if not args.skip_capacity:
            print(
                f"capacity: sessions with 20 ms upload and p99 < {LIMIT_US / 1000:g} ms",
                flush=True,
            )
            cap = await capacity(srv, args, load)
        print(f"receive-only CPU with {args.cpu_sessions} sessions", flush=True)
        cpu = await receive_cpu(srv, args, load)
        # Measured before the memory step, whose child processes would count as other load.
        other = overall.report()
        print(f"memory of {args.memory_sessions} idle connected sessions", flush=True)
        mem = memory(srv, args)

    if cap:
        rows: list[list[object]] = []
        for kind in kinds:
            ok, bad = cap[kind]
            row: list[object] = [kind, ok, bad if bad is not None else f"> {ok} (ramp end)"]
            row.append(f"{ok / cap['openai'][0]:.1f}x" if cap.get("openai", (0,))[0] else "-")
            row.append(f"{ok / cap['bare'][0]:.2f}x" if cap.get("bare", (0,))[0] else "-")
            rows.append(row)
        print_table(
            "Sessions one process sustains: mode=rt (20 ms audio + transcript deltas) and a "
            f"20 ms microphone upload each, p99 delivery < {LIMIT_US / 1000:g} ms",
            ["client", "sustained", "failed at", "vs openai", "vs bare"],
            rows,
        )
    cpu_med = {k: median(v) for k, v in cpu.items()}
    print_table(
        f"Receive-only CPU per session, {args.cpu_sessions} sessions, median of {args.repeats}",
        ["client", "% of a core per session", "vs bare", "runs"],
        [
            [
                k,
                f"{cpu_med[k]:.3f}%",
                f"{paired_ratio(cpu[k], cpu['bare']):.2f}x",
                " ".join(f"{v:.3f}" for v in cpu[k]),
            ]
            for k in cpu
        ],
    )
    mem_med = {k: median(v) for k, v in mem.items()}
    print_table(
        f"Resident memory per idle connected session ({args.memory_sessions} sessions, fresh "
        f"process each, median of {args.memory_repeats})",
        ["client", "KiB per session", "vs bare"],
        [[k, f"{mem_med[k] / 1024:.1f}", f"{mem_med[k] / mem_med['bare']:.2f}x"] for k in mem],
    )
    if cap and "openai" in cap and cap["openai"][0]:
        print(f"\ntarget: bus >= 3x openai sessions: {cap['bus'][0] / cap['openai'][0]:.1f}x")
    print(f"target: bus receive CPU <= 1.3x bare: {paired_ratio(cpu['bus'], cpu['bare']):.2f}x")
    print(other)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", default="bus,openai,bare", help="default bus,openai,bare")
    ap.add_argument(
        "--ramp",
        default="25,50,100,150,200,300,400,500,600",
        help="session counts to try (default 25,50,100,150,200,300,400,500,600)",
    )
    ap.add_argument("--bisect", type=int, default=2, help="bisection steps (default 2)")
    ap.add_argument("--window", type=float, default=3.0, help="seconds measured (default 3)")
    ap.add_argument("--cpu-sessions", type=int, default=100, help="default 100")
    ap.add_argument("--repeats", type=int, default=3, help="CPU repeats (default 3)")
    ap.add_argument("--memory-sessions", type=int, default=200, help="default 200")
    ap.add_argument("--memory-repeats", type=int, default=2, help="default 2")
    ap.add_argument("--skip-capacity", action="store_true")
    ap.add_argument("--quick", action="store_true", help="a short run with smaller numbers")
    ap.add_argument("--memory-child", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    quiet_logs()
    if args.memory_child:
        result = asyncio.run(_memory_child(args.memory_child, args.port, args.memory_sessions))
        print(json.dumps(result))
        return
    if args.quick:
        args.ramp, args.bisect, args.window = "25,50,100,200", 1, 1.5
        args.cpu_sessions, args.repeats = 50, 1
        args.memory_sessions, args.memory_repeats = 50, 1
    asyncio.run(amain(args))


if __name__ == "__main__":
    main()
