"""The agent layer's cost: CPU per event with a Conversation attached, memory over an hour.

1. CPU per event: the loopback server (``mode=in``) sends the first N voice-corpus frames as
   fast as the client reads them. ``bus`` is a bus with one no-op ``"*"`` handler; ``agent``
   is the same bus with a :class:`Conversation` (mirror, default audio retention, turn
   metrics, derived events) attached as well; ``agent-no-audio`` keeps no audio
   (``AudioRetention.none()``). CPU time of this process (``process_time``)
   from the first event to the last, divided by the events; runs interleaved, the ratio is
   the median of the paired ratios. Target: ``agent`` at most 1.15x ``bus``.
2. The receive stamp: what ``time.monotonic()`` plus the stamp on the event costs per frame,
   against the decode of the same frames (in process, no socket).
3. The layer's own cost: the same frames handed over by an in-memory transport (no socket, no
   WebSocket library, no other process), so the figure is the agent layer's microseconds per
   event over the bus's, with little of the machine's noise; ``--groups`` also replaces one
   group of the mirror's handlers at a time by a no-op Python function, to show what each costs.
4. Memory: a simulated one-hour voice session (5 s of user speech, then 8 s of assistant audio
   in 100 ms deltas with its transcript, every turn) fed to a Conversation with the default
   retention; resident memory before and after, and the audio held.

``python benchmarks/agent.py --help`` for the knobs; ``--only KIND -n N`` makes one CPU run
of one client and nothing else, to run under a profiler or an instruction counter (see
benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import time
from typing import Any

import msgspec
from _corpus import load_frames
from _shared import (
    EventCount,
    OtherLoad,
    corpus,
    latest,
    median,
    paired_ratio,
    print_table,
    quiet_logs,
    rotation,
    say_repeat,
    server,
    settle,
)
from msgspec.structs import force_setattr

from realtime_bus import Bus
from realtime_bus.agent import DEFAULT_RETENTION, AudioRetention, Conversation
from realtime_bus.bus import ConnectionLost
from realtime_bus.protocol import Decoder
from realtime_bus.transport import ConnectOptions, Endpoint, TransportClosed

KINDS = ("bus", "agent", "agent-no-audio")


async def cpu_per_event(url: str, n: int, *, kind: str) -> float:
    """Microseconds of this process's CPU per event, first event to last."""
    done = asyncio.Event()
    counted = EventCount(n, done.set, clock=time.process_time)
    bus = Bus(url=url, api_key="x", reconnect=False)
    if kind == "agent":
        Conversation(bus)
    elif kind == "agent-no-audio":
        Conversation(bus, audio=AudioRetention.none())
    bus.on("*")(counted.seen)
    bus.on("bus.disconnected")(lambda event: done.set())
    try:
        async with bus:
            await asyncio.wait_for(done.wait(), 600)
    except ConnectionLost:
        pass
    return counted.elapsed(kind) / (n - 1) * 1e6


class FrameFeed:
    """An in-memory transport handing over ``frames`` in order, then closing: no socket, no
    WebSocket library, no other process. It gives the event loop a turn every 64 frames."""

    def __init__(self, frames: list[bytes]) -> None:
        self._frames = frames
        self._next = 0
        self._closed = asyncio.Event()

    async def recv(self) -> bytes:
        index = self._next
        if index >= len(self._frames):
            await self._closed.wait()
            raise TransportClosed(1000, "done")
        self._next = index + 1
        if not index % 64:
            await asyncio.sleep(0)
        return self._frames[index]

    async def send(self, frame: bytes | str) -> None:
        return None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self._closed.set()

    def abort(self) -> None:
        self._closed.set()

    async def wait_closed(self) -> TransportClosed:
        await self._closed.wait()
        return TransportClosed(1000, "done")


# The mirror's handlers in groups, for --groups: each group is replaced by a no-op in turn.
GROUPS = {
    "audio deltas": ("response.output_audio.delta",),
    "transcript deltas": ("response.output_audio_transcript.delta",),
    "input transcription deltas": ("conversation.item.input_audio_transcription.delta",),
    "item events": (
        "conversation.item.added",
        "conversation.item.created",
        "conversation.item.done",
        "conversation.item.retrieved",
    ),
    "response.created / .done": ("response.created", "response.done"),
    "output items": ("response.output_item.added", "response.output_item.done"),
}


def _no_op(event: object) -> None:
    return None


def with_no_op(types: tuple[str, ...]) -> type[Conversation]:
    """A Conversation whose handlers for ``types`` do nothing (the bus still calls one)."""

    class Partial(Conversation):
        def _handlers(self) -> dict[str, Any]:
            table = super()._handlers()
            return {name: _no_op if name in types else fn for name, fn in table.items()}

    return Partial


async def cpu_in_memory(
    frames: list[bytes], *, kind: str, cls: type[Conversation] = Conversation
) -> float:
    """Microseconds of CPU per event, first to last, of a bus fed ``frames`` in memory."""
    done = asyncio.Event()
    counted = EventCount(len(frames), done.set, clock=time.process_time)
    feed = FrameFeed(frames)

    async def connector(endpoint: Endpoint, options: ConnectOptions) -> FrameFeed:
        return feed

    bus = Bus(connector=connector, reconnect=False)
    if kind == "agent":
        cls(bus)
    elif kind == "agent-no-audio":
        cls(bus, audio=AudioRetention.none())
    bus.on("*")(counted.seen)
    async with bus:
        await asyncio.wait_for(done.wait(), 600)
    return counted.elapsed(kind) / (len(frames) - 1) * 1e6


async def in_memory(args: argparse.Namespace) -> None:
    """Part 3: the layer's own cost, frames from memory (and, with --groups, per group)."""
    frames = [f.encode() for f in load_frames(args.corpus)[: args.n]]
    runs: dict[str, tuple[str, type[Conversation]]] = {name: (name, Conversation) for name in KINDS}
    if args.groups:
        for group, types in GROUPS.items():
            runs[f"agent, {group} no-op"] = ("agent", with_no_op(types))
        runs["agent, every handler no-op"] = ("agent", with_no_op(tuple(Conversation()._table)))
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for kind, cls in runs.values():  # warm-up
        await cpu_in_memory(frames[:2000], kind=kind, cls=cls)
    for rep in range(args.repeats):
        for name in rotation(list(runs), rep):
            kind, cls = runs[name]
            cpu[name].append(await cpu_in_memory(frames, kind=kind, cls=cls))
            await settle()
    bus = cpu["bus"]
    agent = cpu["agent"]
    rows = []
    for name, values in cpu.items():
        row = [
            name,
            f"{median(values):.3f}",
            f"{median([v - b for v, b in zip(values, bus, strict=True)]):.3f}",
            f"{paired_ratio(values, bus):.3f}x",
        ]
        if args.groups:  # what making the group a no-op saved the agent
            saved = median([a - v for a, v in zip(agent, values, strict=True)])
            row.append("" if name in KINDS else f"{saved:.3f}")
        rows.append(row)
    header = ["client", "us CPU/event", "over bus, us", "vs bus"]
    print_table(
        f"The layer's own cost: {len(frames)} corpus frames from memory, median of {args.repeats}",
        [*header, "no-op saves, us"] if args.groups else header,
        rows,
    )


def stamp_cost(frames: list[str], rounds: int) -> tuple[float, float]:
    """(decode, decode + stamp) in microseconds per frame, medians of interleaved rounds."""
    decode = Decoder().decode
    monotonic = time.monotonic
    data = [f.encode() for f in frames]
    plain: list[float] = []
    stamped: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        for frame in data:
            decode(frame)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        for frame in data:
            received = monotonic()
            force_setattr(decode(frame), "received", received)
        stamped.append(time.perf_counter() - start)
    per = 1e6 / len(data)
    return median(plain) * per, median(stamped) * per


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * 4096 / 1e6


def hour_of_events(minutes: float) -> Any:
    """Frames of a simulated voice session lasting ``minutes``, turn after turn."""
    chunk = base64.b64encode(bytes(4800)).decode()  # 100 ms of 24 kHz PCM16
    encode = msgspec.json.encode
    yield encode(
        {
            "type": "session.created",
            "event_id": "e",
            "session": {"type": "realtime", "id": "sess_1", "model": "gpt-realtime"},
        }
    )
    turns = int(minutes * 60 / 13)
    for turn in range(turns):
        user, item, resp = f"item_u{turn}", f"item_a{turn}", f"resp_{turn}"
        yield encode(
            {"type": "input_audio_buffer.speech_started", "audio_start_ms": 0, "item_id": user}
        )
        yield encode(
            {"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 5000, "item_id": user}
        )
        yield encode({"type": "input_audio_buffer.committed", "item_id": user})
        message = {
            "id": user,
            "type": "message",
            "role": "user",
            "content": [{"type": "input_audio"}],
        }
        yield encode({"type": "conversation.item.added", "item": message})
        yield encode({"type": "conversation.item.done", "item": message})
        yield encode(
            {
                "type": "response.created",
                "response": {"id": resp, "status": "in_progress", "conversation_id": "c"},
            }
        )
        reply = {"id": item, "type": "message", "role": "assistant", "content": []}
        yield encode(
            {
                "type": "response.output_item.added",
                "response_id": resp,
                "output_index": 0,
                "item": reply,
            }
        )
        yield encode({"type": "conversation.item.added", "item": reply})
        ids = {"response_id": resp, "item_id": item, "output_index": 0, "content_index": 0}
        for _ in range(80):
            yield encode({"type": "response.output_audio.delta", "delta": chunk, **ids})
            yield encode(
                {"type": "response.output_audio_transcript.delta", "delta": "word ", **ids}
            )
        usage = {
            "total_tokens": 300,
            "input_tokens": 140,
            "output_tokens": 160,
            "input_token_details": {"text_tokens": 40, "audio_tokens": 100, "cached_tokens": 0},
            "output_token_details": {"text_tokens": 20, "audio_tokens": 140},
        }
        yield encode(
            {
                "type": "response.done",
                "response": {"id": resp, "status": "completed", "output": [], "usage": usage},
            }
        )


def memory_hour(minutes: float) -> tuple[float, float, float, int, int]:
    """(RSS before, RSS after, audio held in s, items, events) for a simulated session."""
    decode = Decoder().decode
    conversation = Conversation()
    gc.collect()
    before = rss_mb()
    events = 0
    for frame in hour_of_events(minutes):
        conversation.feed(decode(frame))
        events += 1
    gc.collect()
    return before, rss_mb(), conversation.audio_held_ms / 1000, len(conversation), events


async def one_run(args: argparse.Namespace) -> None:
    """A single CPU run of ``args.only``, for profilers and instruction counters."""
    with server(corpus(args.corpus)) as srv:
        us = await cpu_per_event(srv.url(f"mode=in&n={args.n}"), args.n, kind=args.only)
    print(f"{args.only}: {us:.2f} us CPU/event over {args.n} events")


async def amain(args: argparse.Namespace) -> None:
    if args.only:
        await one_run(args)
        return
    # Memory first, before the corpus is loaded into this process.
    before, after, held, items, events = memory_hour(args.minutes)
    bound = (DEFAULT_RETENTION.seconds or 0) * 48_000 * 4 / 3 / 1e6
    print_table(
        f"Memory, simulated {args.minutes:g}-minute voice session, default retention",
        ["events", "items", "audio held", "RSS before", "RSS after", "growth", "audio bound"],
        [
            [
                f"{events:,}",
                f"{items:,}",
                f"{held:.1f} s",
                f"{before:.1f} MB",
                f"{after:.1f} MB",
                f"{after - before:.1f} MB",
                f"{bound:.1f} MB",
            ]
        ],
    )

    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    if not args.skip_cpu:
        with server(corpus(args.corpus)) as srv:
            assert srv.proc is not None
            load = OtherLoad(srv.proc.pid)
            url = srv.url(f"mode=in&n={args.n}")
            for name in cpu:  # warm-up
                await cpu_per_event(srv.url("mode=in&n=2000"), 2000, kind=name)
                await settle()
            for rep in range(args.repeats):
                for name in rotation(list(cpu), rep):
                    cpu[name].append(await cpu_per_event(url, args.n, kind=name))
                    await settle()
                say_repeat(rep, args.repeats, latest(cpu, lambda us: f"{us:.2f} us"), load)
        ratio = paired_ratio(cpu["agent"], cpu["bus"])
        print_table(
            f"CPU per event, {args.n} voice-corpus frames, median of {args.repeats}",
            ["client", "us CPU/event", "vs bus", "runs"],
            [
                [
                    name,
                    f"{median(v):.2f}",
                    f"{paired_ratio(v, cpu['bus']):.3f}x",
                    " ".join(f"{x:.2f}" for x in v),
                ]
                for name, v in cpu.items()
            ],
        )
        print(f"\ntarget: agent <= 1.15x bus: {ratio:.3f}x")
        print(load.report())
        await in_memory(args)

    frames = load_frames(args.stamp_n) if args.stamp_n <= 100_000 else []
    plain, stamped = stamp_cost(frames, args.repeats)
    print_table(
        f"Receive stamp, {len(frames)} corpus frames, median of {args.repeats}",
        ["path", "us/frame", "vs decode"],
        [
            ["decode", f"{plain:.3f}", "1.000x"],
            ["decode + stamp", f"{stamped:.3f}", f"{stamped / plain:.3f}x"],
        ],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=50_000, help="frames per CPU run (default 50000)")
    ap.add_argument("--corpus", type=int, default=100_000, help="corpus size (default 100000)")
    ap.add_argument("--repeats", type=int, default=5, help="interleaved repeats (default 5)")
    ap.add_argument("--stamp-n", type=int, default=20_000, help="frames for the stamp cost")
    ap.add_argument("--minutes", type=float, default=60.0, help="simulated session length")
    ap.add_argument("--skip-cpu", action="store_true", help="only the stamp and memory parts")
    ap.add_argument(
        "--groups", action="store_true", help="in memory, also each group of handlers as a no-op"
    )
    ap.add_argument(
        "--only", choices=KINDS, help="one CPU run of this client, nothing else (for profilers)"
    )
    args = ap.parse_args()
    quiet_logs()
    asyncio.run(amain(args))


if __name__ == "__main__":
    main()
