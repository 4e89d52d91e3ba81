"""Recording and replay: what recording costs the bus, and how fast a recording replays.

1. Receive CPU per event, recording on vs off. The loopback server (``mode=in``) sends N corpus
   frames; a ``Bus`` with one no-op ``"*"`` handler receives them, once with ``record=`` a file
   in a temporary folder and once without. The figure is this process's CPU time (user +
   system, the server runs in its own process) per event, from the first event to the last.
   Target: recording on takes at most 1.1x the CPU of recording off.
2. Replay throughput vs the bare msgspec decode of the same frames. The N frames are recorded
   (as a bus would record them) into a file, loaded (``load_recording``, timed on its own, in
   MB/s); ``replay`` plays the loaded recording into a ``Bus`` with one no-op ``"*"`` handler
   (``Replayer``, as fast as possible); ``transport`` takes the frames from the replay
   transport and decodes them as the bus does, with no bus; ``bare`` decodes the same frames,
   already in memory, with msgspec's typed union of every server event, in a loop. All three
   are events per second of this process's CPU time (every part runs in this process, so a
   busy machine slows them less than it would wall-clock rates). Target: replay at least 0.5x
   the bare events per second.
3. For scale, the receive CPU with recording to ``/dev/null``: the recorder's own code
   without the disk.

Each run's recording is deleted once measured, and the warm-up writes one of a run's full
size first (deleted too), so the page cache a run writes into is memory the machine has used
before. On a virtual machine whose memory the host backs only when first touched (this
project's development machine is one), writing into memory untouched since boot costs the
kernel about ten times as much: a run that kept every earlier run's file would measure the
host, not the recorder (see benchmarks/README.md).

Runs are interleaved and medians reported, with ratios from the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
from realtime_bus.recording import Recorder, Recording, Replayer, load_recording

# On the project's disk, where an application would write (the cache folder is ignored by git).
CACHE = Path(__file__).resolve().parent / ".cache"


# A key of a real key's length: shorter values are not scanned for (see recording/_secrets.py).
KEY = "sk-bench-" + "k" * 48


async def receive_cpu(srv: Server, n: int, record: Path | None, *, audio: bool = True) -> float:
    """CPU seconds per event for the bus to receive ``n`` events (recording to ``record``,
    with or without the audio)."""
    count = 0
    first = last = 0.0
    done = asyncio.Event()
    url = srv.url(f"mode=in&n={n}")
    bus = Bus(url=url, api_key=KEY, reconnect=False, record=record, record_audio=audio)

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


def kernel_write(recording: Path, scratch: Path, n: int) -> float:
    """CPU seconds per event for the kernel alone to write ``recording``'s frame lines again,
    to ``scratch``, in the recorder's batches (384 lines a ``writev``), right after the run that
    wrote it: the system's share of recording, under the memory conditions of that run."""
    lines = recording.read_bytes().splitlines(keepends=True)
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        started = time.process_time()
        for start in range(0, len(lines), 384):
            os.writev(fd, lines[start : start + 384])
        elapsed = time.process_time() - started
    finally:
        os.close(fd)
        scratch.unlink()
    return elapsed / n


def write_recording(frames: list[bytes], path: Path) -> None:
    """The frames as a bus recording of one connection."""
    recorder = Recorder(path, url="ws://127.0.0.1/v1/realtime?model=gpt-realtime")
    recorder.opened(1)
    for frame in frames:
        recorder.received(frame, True)
    recorder.close(code=1000)


async def replay_rate(recording: Recording, n: int) -> float:
    """Events per CPU second: play a loaded recording into a bus, as fast as possible."""
    count = 0
    done = asyncio.Event()
    started = time.process_time()
    replayer = Replayer(recording)
    bus = Bus("ws://replay.invalid/", connector=replayer, reconnect=False)

    @bus.on("*")
    def handler(event: Any) -> None:
        nonlocal count
        count += 1
        if count == n:
            done.set()

    async with bus:
        await asyncio.wait_for(done.wait(), 600)
    elapsed = time.process_time() - started
    return n / elapsed


async def transport_rate(recording: Recording, n: int) -> float:
    """Events per CPU second: take a loaded recording's frames from the replay transport as the
    bus's reader does, decoding each as the bus does, with no bus (the replay machinery alone)."""
    from realtime_bus.protocol import Decoder
    from realtime_bus.transport import ConnectOptions, Endpoint

    decode = Decoder().decode
    started = time.process_time()
    replayer = Replayer(recording)
    transport = await replayer(Endpoint(url="memory:"), ConnectOptions())
    for _ in range(n):
        # As the bus's reader takes them: what is ready with no await, else ``await recv()``.
        frame = next(transport.burst, None)
        decode(frame if frame is not None else await transport.recv())
    return n / (time.process_time() - started)


def bare_rate(frames: list[bytes]) -> float:
    """Events per CPU second: msgspec's typed decode of every frame, in a loop."""
    decode = msgspec.json.Decoder(Union[SERVER_EVENT_CLASSES]).decode  # noqa: UP007
    started = time.process_time()
    for frame in frames:
        decode(frame)
    return len(frames) / (time.process_time() - started)


async def amain(args: argparse.Namespace) -> None:
    off: list[float] = []
    on: list[float] = []
    replay: list[float] = []
    alone: list[float] = []
    null: list[float] = []
    bare_audio: list[float] = []
    kernel: list[float] = []
    loading: list[float] = []
    bare: list[float] = []
    frames = [f.encode() for f in load_frames(args.corpus)[: args.n]]
    with tempfile.TemporaryDirectory(prefix="rb-bench-", dir=CACHE) as tmp:
        folder = Path(tmp)
        recording = folder / "replay.jsonl"
        write_recording(frames, recording)
        size = recording.stat().st_size
        with server(corpus(args.corpus)) as srv:
            assert srv.proc is not None
            load = OtherLoad(srv.proc.pid)
            await receive_cpu(srv, min(args.n, 2000), None)  # warm-up
            warm = folder / "warm.jsonl"
            await receive_cpu(srv, args.n, warm)  # a run's full size: see the docstring
            warm.unlink()
            for rep in range(args.repeats):
                runs = [
                    (off, None, True),
                    (on, folder / f"on-{rep}.jsonl", True),
                    (null, Path(os.devnull), True),
                    (bare_audio, folder / f"no-audio-{rep}.jsonl", False),
                ]
                for results, target, audio in runs if rep % 2 == 0 else runs[::-1]:
                    results.append(await receive_cpu(srv, args.n, target, audio=audio))
                    if target is not None and target.parent == folder:
                        if results is on:
                            kernel.append(kernel_write(target, folder / "again.jsonl", args.n))
                        target.unlink()  # measured: its page cache goes back for the next run
                    await settle()
                started = time.perf_counter()
                loaded = load_recording(recording)
                loading.append(size / (time.perf_counter() - started))
                alone.append(await transport_rate(loaded, args.n))
                if rep % 2 == 0:
                    replay.append(await replay_rate(loaded, args.n))
                    bare.append(bare_rate(frames))
                else:
                    bare.append(bare_rate(frames))
                    replay.append(await replay_rate(loaded, args.n))
                await settle()
                print(
                    f"repeat {rep + 1}/{args.repeats}: off {off[-1] * 1e6:.2f} us, on "
                    f"{on[-1] * 1e6:.2f} us (the kernel's write alone {kernel[-1] * 1e6:.2f} us) "
                    f"CPU/event; replay {fmt_rate(replay[-1])}, bare "
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
                "  of which the kernel's write of the same lines, alone",
                f"{median(kernel) * 1e6:.2f} us",
                f"{median(off) * 1e6:.2f} us",
                f"+{paired_ratio(kernel, off):.2f}x",
                "(the system's share)",
            ],
            [
                "receive CPU/event, recording without audio vs off",
                f"{median(bare_audio) * 1e6:.2f} us",
                f"{median(off) * 1e6:.2f} us",
                f"{paired_ratio(bare_audio, off):.2f}x",
                "(record_audio=False)",
            ],
            [
                "receive CPU/event, recording to /dev/null vs off",
                f"{median(null) * 1e6:.2f} us",
                f"{median(off) * 1e6:.2f} us",
                f"{paired_ratio(null, off):.2f}x",
                "(our code, without the disk)",
            ],
            [
                "load_recording (read and check every line)",
                f"{median(loading) / 1e6:.0f} MB/s",
                "",
                "",
                "",
            ],
            [
                "replay transport alone (recv + decode) vs bare decode",
                fmt_rate(median(alone)),
                fmt_rate(median(bare)),
                f"{paired_ratio(alone, bare):.2f}x",
                "(the replay machinery, no bus)",
            ],
            [
                "replay (a loaded recording into a bus) vs bare msgspec decode",
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
    CACHE.mkdir(exist_ok=True)
    asyncio.run(amain(args))


if __name__ == "__main__":
    main()
