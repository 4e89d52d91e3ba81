"""Dispatch latency: from the server's send of a frame to the start of the handler that gets it.

The loopback server in ``mode=rt`` sends a P ms audio delta every P ms (and a transcript delta
every K ticks) on each connection, and stamps ``time.monotonic_ns()`` at send into each
``event_id``; the clock is the same in both processes. A handler (or, for the bare loop, the line
after the decode, where a handler would be called) takes the difference.

- ``bus``: a ``Bus`` handler on ``"*"``.
- ``bare``: a ``websockets`` recv loop with a typed msgspec decode.
- ``openai`` (``--openai``): the ``openai`` package's ``async for event in connection``.

Each run opens S sessions, waits until all are connected, lets them warm up, then records every
event sent during the window. Runs are interleaved; the table shows medians over repeats of each
run's percentiles. ``many_sessions.py`` builds on the session runners defined here.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Union

import msgspec
from _shared import (
    OtherLoad,
    Server,
    median,
    parse,
    percentile,
    print_table,
    rotation,
    server,
    settle,
)

from realtime_bus import Bus
from realtime_bus.protocol import SERVER_EVENT_CLASSES, base64_from_pcm

__all__ = ["KINDS", "RunResult", "Window", "rt_query", "run_sessions"]

STAMP_AT = len("event_")  # the server's event_id is "event_" + 21 digits of monotonic_ns
MIC_PERIOD = 0.02
FAR = 1 << 62


def rt_query(period_ms: int, tr_every: int, dur: float = 3600) -> str:
    """The server query for real-time pacing (the client ends the session, not ``dur``)."""
    return f"mode=rt&dur={dur}&period_ms={period_ms}&tr_every={tr_every}"


@dataclass
class Window:
    """Which send stamps count, shared by every session of a run."""

    start_ns: int = FAR
    end_ns: int = FAR
    samples: list[int] = field(default_factory=list)
    appends: int = 0


class _Append(msgspec.Struct, tag="input_audio_buffer.append", tag_field="type"):
    audio: str


def _mic_chunks() -> list[str]:
    import random

    rnd = random.Random(11)
    return [base64_from_pcm(rnd.randbytes(960)) for _ in range(16)]


MIC = _mic_chunks()


async def _mic(send: Callable[[str], Awaitable[Any]], win: Window) -> None:
    """A microphone: one 20 ms chunk every 20 ms, catching up if the loop fell behind."""
    loop = asyncio.get_running_loop()
    due = loop.time()
    i = 0
    while True:
        due += MIC_PERIOD
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await send(MIC[i & 15])
        i += 1
        win.appends += 1


async def _read_until(
    stop: asyncio.Event,
    reading: Coroutine[Any, Any, None],
    send: Callable[[str], Awaitable[Any]] | None,
    win: Window,
    ready: Callable[[], None],
) -> None:
    """Run a client's read loop (and its microphone, given ``send``) until ``stop``."""
    ready()
    tasks = [asyncio.create_task(reading)]
    if send is not None:
        tasks.append(asyncio.create_task(_mic(send, win)))
    await stop.wait()
    for task in tasks:
        task.cancel()


async def _bus_session(
    srv: Server, query: str, win: Window, ready: Callable[[], None], stop: asyncio.Event, mic: bool
) -> None:
    bus = Bus(url=srv.url(query), api_key="x", wait_for_session=False, reconnect=False)
    samples = win.samples
    clock = time.monotonic_ns

    @bus.on("*")
    def handler(event: Any) -> None:
        now = clock()
        sent = int(event.event_id[STAMP_AT:])
        if win.start_ns <= sent < win.end_ns:
            samples.append(now - sent)

    async with bus:
        ready()
        upload = asyncio.create_task(_mic(bus.input_audio_buffer.append, win)) if mic else None
        await stop.wait()
        if upload is not None:
            upload.cancel()


_decode = msgspec.json.Decoder(Union[SERVER_EVENT_CLASSES]).decode  # noqa: UP007


async def _bare_session(
    srv: Server, query: str, win: Window, ready: Callable[[], None], stop: asyncio.Event, mic: bool
) -> None:
    samples = win.samples
    clock = time.monotonic_ns
    encode = msgspec.json.Encoder().encode
    async with srv.connect(query) as ws:

        async def read() -> None:
            while True:
                event = _decode(await ws.recv(decode=False))
                now = clock()
                sent = int(event.event_id[STAMP_AT:])
                if win.start_ns <= sent < win.end_ns:
                    samples.append(now - sent)

        async def send(audio: str) -> None:
            await ws.send(encode(_Append(audio=audio)), text=True)

        await _read_until(stop, read(), send if mic else None, win, ready)


_openai_client: Any = None


async def _openai_session(
    srv: Server, query: str, win: Window, ready: Callable[[], None], stop: asyncio.Event, mic: bool
) -> None:
    global _openai_client
    from openai import AsyncOpenAI

    if _openai_client is None or _openai_client.websocket_base_url != srv.base:
        _openai_client = AsyncOpenAI(api_key="x", websocket_base_url=srv.base)
    samples = win.samples
    clock = time.monotonic_ns
    params = dict(part.split("=", 1) for part in query.split("&"))
    async with _openai_client.realtime.connect(model="gpt-realtime", extra_query=params) as conn:

        async def read() -> None:
            async for event in conn:
                now = clock()
                sent = int(event.event_id[STAMP_AT:])
                if win.start_ns <= sent < win.end_ns:
                    samples.append(now - sent)

        async def send(audio: str) -> None:
            await conn.input_audio_buffer.append(audio=audio)

        await _read_until(stop, read(), send if mic else None, win, ready)


Session = Callable[
    [Server, str, Window, Callable[[], None], asyncio.Event, bool], Coroutine[Any, Any, None]
]
KINDS: dict[str, Session] = {"bus": _bus_session, "bare": _bare_session, "openai": _openai_session}


@dataclass
class RunResult:
    """One run of S sessions: latency percentiles (microseconds) and what it cost."""

    kind: str
    sessions: int
    p50: float
    p99: float
    p999: float
    max: float
    delivered: float  # events recorded / events the server sent in the window
    cpu: float  # process CPU seconds per wall second during the window (1.0 = one core)
    appends: int


async def run_sessions(
    kind: str,
    srv: Server,
    sessions: int,
    *,
    period_ms: int = 20,
    tr_every: int = 4,
    warmup: float = 0.5,
    window: float = 3.0,
    grace: float = 0.5,
    mic: bool = False,
    connect_concurrency: int = 50,
) -> RunResult:
    """Open ``sessions`` real-time sessions of ``kind``, measure, close them all."""
    win = Window()
    stop = asyncio.Event()
    all_ready = asyncio.Event()
    connected = 0
    gate = asyncio.Semaphore(connect_concurrency)
    query = rt_query(period_ms, tr_every)

    def ready() -> None:
        nonlocal connected
        connected += 1
        gate.release()
        if connected == sessions:
            all_ready.set()

    async def one() -> None:
        await gate.acquire()
        await KINDS[kind](srv, query, win, ready, stop, mic)

    tasks = [asyncio.create_task(one()) for _ in range(sessions)]
    waiter = asyncio.create_task(all_ready.wait())
    try:
        await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        if not all_ready.is_set():
            for task in tasks:
                if task.done():
                    task.result()
            raise RuntimeError(f"{kind}: a session ended before all {sessions} connected")
        t0 = time.monotonic_ns() + int(warmup * 1e9)
        win.start_ns, win.end_ns = t0, t0 + int(window * 1e9)
        await asyncio.sleep(warmup)
        appends0 = win.appends
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(window)
        cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        appends = win.appends - appends0
        await asyncio.sleep(grace)  # late events still count, with their lateness
    finally:
        stop.set()
        waiter.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise RuntimeError(f"{kind}: {len(errors)} sessions failed") from errors[0]
    lat = sorted(win.samples)
    ticks = window * 1000 / period_ms
    expected = sessions * ticks * (1 + 1 / tr_every)
    return RunResult(
        kind=kind,
        sessions=sessions,
        p50=percentile(lat, 50) / 1e3,
        p99=percentile(lat, 99) / 1e3,
        p999=percentile(lat, 99.9) / 1e3,
        max=(lat[-1] / 1e3) if lat else float("nan"),
        delivered=len(lat) / expected,
        cpu=cpu,
        appends=appends,
    )


async def amain(args: argparse.Namespace) -> None:
    kinds = ["bus", "bare"] + (["openai"] if args.openai else [])
    counts = [int(c) for c in args.sessions.split(",")]
    results: dict[tuple[str, int], list[RunResult]] = {}
    with server() as srv:
        assert srv.proc is not None
        load = OtherLoad(srv.proc.pid)
        await run_sessions("bus", srv, 2, window=0.3, warmup=0.1)  # warm-up
        await run_sessions("bare", srv, 2, window=0.3, warmup=0.1)
        for rep in range(args.repeats):
            for count in counts:
                for kind in rotation(kinds, rep):
                    res = await run_sessions(
                        kind,
                        srv,
                        count,
                        period_ms=args.period_ms,
                        tr_every=args.tr_every,
                        window=args.window,
                        mic=args.mic,
                    )
                    results.setdefault((kind, count), []).append(res)
                    print(
                        f"repeat {rep + 1}/{args.repeats} {kind:6s} x{count}: "
                        f"p50 {res.p50:.0f} us, p99 {res.p99:.0f} us, "
                        f"delivered {res.delivered:.1%} (other load {load.cores():.2f} cores)",
                        flush=True,
                    )
                    await settle()

    rows: list[list[object]] = []
    for count in counts:
        base = results[("bare", count)]
        base50 = median([r.p50 for r in base])
        base99 = median([r.p99 for r in base])
        for kind in kinds:
            runs = results[(kind, count)]
            p50 = median([r.p50 for r in runs])
            p99 = median([r.p99 for r in runs])
            rows.append(
                [
                    count,
                    kind,
                    f"{p50:.0f}",
                    f"{p99:.0f}",
                    f"{median([r.p999 for r in runs]):.0f}",
                    f"{max(r.max for r in runs):.0f}",
                    f"{p50 - base50:+.0f} / {p50 / base50:.2f}x",
                    f"{p99 - base99:+.0f} / {p99 / base99:.2f}x",
                    f"{min(r.delivered for r in runs):.1%}",
                ]
            )
    print_table(
        f"Delivery latency, server send to handler start, mode=rt period {args.period_ms} ms, "
        f"transcript every {args.tr_every}, {args.window:g} s windows, "
        f"{'with' if args.mic else 'no'} microphone upload, median of {args.repeats}",
        [
            "sessions",
            "client",
            "p50 us",
            "p99 us",
            "p99.9 us",
            "max us",
            "p50 vs bare",
            "p99 vs bare",
            "delivered",
        ],
        rows,
    )
    print(load.report())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", default="1,100", help="session counts (default 1,100)")
    ap.add_argument("--repeats", type=int, default=3, help="interleaved repeats (default 3)")
    ap.add_argument("--window", type=float, default=4.0, help="seconds measured (default 4)")
    ap.add_argument("--period-ms", type=int, default=20, help="audio delta period (default 20)")
    ap.add_argument("--tr-every", type=int, default=4, help="transcript every K ticks (4)")
    ap.add_argument("--mic", action="store_true", help="20 ms microphone upload per session")
    ap.add_argument("--openai", action="store_true", help="include the openai package")
    asyncio.run(amain(parse(ap)))


if __name__ == "__main__":
    main()
