"""Recording and replay: what recording costs the bus, and how fast a recording replays.

1. Receive CPU per event, recording on vs off. The loopback server (``mode=in``) sends N corpus
   frames; a ``Bus`` with one no-op ``"*"`` handler receives them, once with ``record=`` a file
   in a temporary folder and once without. The figure is this process's CPU time (user +
   system, the server runs in its own process) per event, from the first event to the last.
   Target: recording on takes at most 1.1x the CPU of recording off.
2. Replay throughput vs the bare msgspec decode of the same frames. The N frames are recorded
   (as a bus would record them) into a file; ``replay`` loads that file and plays it into a
   ``Bus`` with one no-op ``"*"`` handler (``Replayer``, as fast as possible); ``bare`` decodes
   the same frames with msgspec's typed union of every server event, in a loop. Target: replay
   at least 0.5x the bare events per second.

Runs are interleaved and medians reported, with ratios from the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any, Union

import msgspec
from _corpus import load_frames
from _shared import (
    OtherLoad,
    Server,
    corpus,
    fmt_rate,
    median,
    paired_ratio,
    print_table,
    quiet_logs,
    server,
    settle,
)

from realtime_bus import Bus
from realtime_bus.bus import ConnectionLost
from realtime_bus.protocol import SERVER_EVENT_CLASSES
from realtime_bus.recording import Recorder, Replayer, load_recording


async def receive_cpu(srv: Server, n: int, record: Path | None) -> float:
    """CPU seconds per event for the bus to receive ``n`` events (recording to ``record``)."""
    count = 0
    first = last = 0.0
    done = asyncio.Event()
    bus = Bus(url=srv.url(f"mode=in&n={n}"), api_key="x", reconnect=False, record=record)

    @bus.on("*")
    def handler(event: Any) -> None:
        nonlocal count, first, last
        count += 1
        if count == 1:
            first = time.process_time()
        elif count == n:
            last = time.process_time()
            done.set()

    @bus.on("bus.disconnected")
    def gone(event: Any) -> None:
        done.set()

    try:
        async with bus:
            await done.wait()
    except ConnectionLost:
        pass
    if count != n:
        raise RuntimeError(f"bus saw {count} of {n} events")
    return (last - first) / (n - 1)


def write_recording(frames: list[bytes], path: Path) -> None:
    """The frames as a bus recording of one connection."""
    recorder = Recorder(path, url="ws://127.0.0.1/v1/realtime?model=gpt-realtime")
    recorder.opened(1)
    for frame in frames:
        recorder.received(frame, True)
    recorder.close(code=1000)


async def replay_rate(path: Path, n: int) -> float:
    """Events per second: load the recording and play it into a bus, as fast as possible."""
    count = 0
    done = asyncio.Event()
    started = time.perf_counter()
    replayer = Replayer(load_recording(path))
    bus = Bus("ws://replay.invalid/", connector=replayer, reconnect=False)

    @bus.on("*")
    def handler(event: Any) -> None:
        nonlocal count
        count += 1
        if count == n:
            done.set()

    async with bus:
        await asyncio.wait_for(done.wait(), 600)
    elapsed = time.perf_counter() - started
    return n / elapsed


def bare_rate(frames: list[bytes]) -> float:
    """Events per second: msgspec's typed decode of every frame, in a loop."""
    decode = msgspec.json.Decoder(Union[SERVER_EVENT_CLASSES]).decode  # noqa: UP007
    started = time.perf_counter()
    for frame in frames:
        decode(frame)
    return len(frames) / (time.perf_counter() - started)


async def amain(args: argparse.Namespace) -> None:
    off: list[float] = []
    on: list[float] = []
    replay: list[float] = []
    bare: list[float] = []
    frames = [f.encode() for f in load_frames(args.corpus)[: args.n]]
    with tempfile.TemporaryDirectory(prefix="rb-bench-") as tmp:
        folder = Path(tmp)
        recording = folder / "replay.jsonl"
        write_recording(frames, recording)
        with server(corpus(args.corpus)) as srv:
            assert srv.proc is not None
            load = OtherLoad(srv.proc.pid)
            await receive_cpu(srv, min(args.n, 2000), None)  # warm-up
            await receive_cpu(srv, min(args.n, 2000), folder / "warm.jsonl")
            for rep in range(args.repeats):
                runs = [("off", None), ("on", folder / f"on-{rep}.jsonl")]
                for name, target in runs if rep % 2 == 0 else runs[::-1]:
                    (off if name == "off" else on).append(await receive_cpu(srv, args.n, target))
                    await settle()
                if rep % 2 == 0:
                    replay.append(await replay_rate(recording, args.n))
                    bare.append(bare_rate(frames))
                else:
                    bare.append(bare_rate(frames))
                    replay.append(await replay_rate(recording, args.n))
                await settle()
                print(
                    f"repeat {rep + 1}/{args.repeats}: off {off[-1] * 1e6:.2f} us, on "
                    f"{on[-1] * 1e6:.2f} us CPU/event; replay {fmt_rate(replay[-1])}, bare "
                    f"{fmt_rate(bare[-1])} (other load {load.cores():.2f} cores)",
                    flush=True,
                )
    cpu_ratio = paired_ratio(on, off)
    replay_ratio = paired_ratio(replay, bare)
    print_table(
        f"Recording, {args.n} corpus frames, median of {args.repeats}",
        ["what", "figure", "baseline", "ratio", "target"],
        [
            [
                "receive CPU/event, recording on vs off",
                f"{median(on) * 1e6:.2f} us",
                f"{median(off) * 1e6:.2f} us",
                f"{cpu_ratio:.2f}x",
                "<= 1.1x",
            ],
            [
                "replay (load + play into a bus) vs bare msgspec decode",
                fmt_rate(median(replay)),
                fmt_rate(median(bare)),
                f"{replay_ratio:.2f}x",
                ">= 0.5x",
            ],
        ],
    )
    print(load.report())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=20_000, help="frames per run (default 20000)")
    ap.add_argument("--repeats", type=int, default=5, help="interleaved repeats (default 5)")
    ap.add_argument("--corpus", type=int, default=100_000, help="corpus size (default 100000)")
    args = ap.parse_args()
    if args.n > args.corpus:
        ap.error("-n cannot exceed --corpus")
    quiet_logs()
    asyncio.run(amain(args))


if __name__ == "__main__":
    main()
