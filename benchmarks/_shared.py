"""What every bus benchmark shares: the corpus, the loopback server, and the figures.

The corpus generator and the server live beside the repository, in ``../shared/bench`` (set
``REALTIME_BUS_SHARED`` to that ``shared`` folder, or to the ``bench`` folder itself, when they
are elsewhere). The corpus is generated once per size and kept in ``benchmarks/.cache/``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

__all__ = [
    "CACHE",
    "EventCount",
    "OtherLoad",
    "Server",
    "arguments",
    "bench_dir",
    "corpus",
    "fmt_rate",
    "latest",
    "median",
    "paired_ratio",
    "parse",
    "percentile",
    "print_table",
    "quiet_logs",
    "rate_row",
    "ratio_to",
    "rotation",
    "say_repeat",
    "server",
    "settle",
    "targets",
]

from _corpus import CACHE, bench_dir, corpus
from websockets.asyncio.client import connect as ws_connect

T = TypeVar("T")


class Server:
    """A running ``wsserver.py``: ``url(query)`` builds a WebSocket URL to it."""

    def __init__(self, proc: subprocess.Popen[bytes] | None, port: int, frames: int) -> None:
        self.proc = proc
        self.port = port
        self.frames = frames

    def url(self, query: str) -> str:
        """``ws://127.0.0.1:PORT/v1/realtime?QUERY``."""
        return f"ws://127.0.0.1:{self.port}/v1/realtime?{query}"

    def connect(self, query: str) -> ws_connect:
        """A bare ``websockets`` connection to ``url(query)``, as the bare clients open it: no
        compression and no frame size limit."""
        return ws_connect(
            self.url(query),
            additional_headers={"Authorization": "Bearer x"},
            max_size=None,
            compression=None,
        )

    @property
    def base(self) -> str:
        """The WebSocket base URL, as the ``openai`` package takes it."""
        return f"ws://127.0.0.1:{self.port}/v1"


@contextmanager
def server(frames: Path | None = None, *, max_s: float = 900) -> Iterator[Server]:
    """Start the loopback server in its own process and stop it on exit.

    It stops by itself when its standard input closes (this process went away) or after
    ``max_s`` seconds.
    """
    cmd = [
        sys.executable,
        str(bench_dir() / "wsserver.py"),
        "--frames",
        str(frames) if frames is not None else "none",
        "--max-s",
        str(max_s),
    ]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        parts = line.split()
        if len(parts) < 2 or parts[0] != "PORT":
            raise RuntimeError(f"wsserver did not start: {line!r}")
        count = int(parts[3]) if len(parts) >= 4 else 0
        yield Server(proc, int(parts[1]), count)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _proc_cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _machine_busy_ticks() -> int:
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]) - idle


class OtherLoad:
    """How much CPU other processes on the machine took while a benchmark ran.

    Benchmarks here share two cores; a figure taken while something else was busy is not
    worth much. ``cores()`` is the average number of cores other processes used since the last
    call (Linux only; 0 elsewhere).
    """

    def __init__(self, *pids: int) -> None:
        self.pids = (os.getpid(), *pids)
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._seen: dict[int, int] = {}
        self._last = self._first = self._read()

    def _read(self) -> tuple[float, int, int]:
        if not Path("/proc/stat").is_file():
            return (time.monotonic(), 0, 0)
        for pid in self.pids:
            # A process that has exited keeps its last reading.
            self._seen[pid] = max(self._seen.get(pid, 0), _proc_cpu_ticks(pid))
        return (time.monotonic(), _machine_busy_ticks(), sum(self._seen.values()))

    def cores(self) -> float:
        """Average cores used by other processes since the previous call."""
        now_ = self._read()
        last, self._last = self._last, now_
        return self._between(last, now_)

    def total(self) -> float:
        """Average cores used by other processes since this meter was made."""
        return self._between(self._first, self._read())

    def _between(self, a: tuple[float, int, int], b: tuple[float, int, int]) -> float:
        wall = b[0] - a[0]
        if wall <= 0:
            return 0.0
        return max(0.0, (b[1] - a[1] - (b[2] - a[2])) / self._tick / wall)

    def report(self) -> str:
        """One line for the end of a benchmark's output."""
        cores = self.total()
        verdict = "quiet enough" if cores < 0.25 else "busy: treat these figures with care"
        return f"other processes used {cores:.2f} cores on average during the run ({verdict})"


def quiet_logs() -> None:
    """Keep structlog's default console output out of the measurements and the table."""
    import logging

    import structlog

    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR),
        cache_logger_on_first_use=True,
    )


async def settle() -> None:
    """Between runs: let closing sockets finish and collect garbage outside the clock."""
    await asyncio.sleep(0.05)
    gc.collect()


def median(values: Sequence[float]) -> float:
    """The median (0 for no values)."""
    return statistics.median(values) if values else 0.0


def paired_ratio(values: Sequence[float], baseline: Sequence[float]) -> float:
    """The median of run-by-run ratios: runs were interleaved, so each pair saw the same
    machine, and a slow stretch that hit both cancels out."""
    return median([v / b for v, b in zip(values, baseline, strict=True)])


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of already sorted values, nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def fmt_rate(per_second: float) -> str:
    """``123.4k/s`` style."""
    if per_second >= 1e6:
        return f"{per_second / 1e6:.2f}M/s"
    if per_second >= 1e3:
        return f"{per_second / 1e3:.1f}k/s"
    return f"{per_second:.0f}/s"


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table, so results paste straight into the README."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}\n")
    for k, row in enumerate(cells):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    sys.stdout.flush()


def now() -> float:
    """The benchmark clock."""
    return time.perf_counter()


class EventCount:
    """What a ``"*"`` handler counts: :meth:`seen` is the handler; the ``n``-th event calls
    ``done``. The clock runs from the first event to the ``n``-th, so connecting is outside it.
    """

    def __init__(self, n: int, done: Callable[[], object], clock: Callable[[], float] = now):
        self.n = n
        self.count = 0
        self.first = self.last = 0.0
        self._done = done
        self._clock = clock

    def seen(self, event: object) -> None:
        """The handler: one more event."""
        self.count += 1
        if self.count == 1:
            self.first = self._clock()
        elif self.count == self.n:
            self.last = self._clock()
            self._done()

    def elapsed(self, who: str) -> float:
        """The clock from the first event to the last; fails unless ``who`` saw all ``n``."""
        if self.count != self.n:
            raise RuntimeError(f"{who} saw {self.count} of {self.n} events")
        return self.last - self.first

    def per_second(self, who: str) -> float:
        """Events per second (after the first)."""
        return (self.n - 1) / self.elapsed(who)


def rotation(names: Sequence[str], rep: int) -> list[str]:
    """The order of the runs in repeat ``rep``: each goes first in turn, so a slow stretch of
    the machine does not always fall on the same one."""
    k = rep % len(names)
    return [*names[k:], *names[:k]]


def say_repeat(rep: int, repeats: int, figures: str, load: OtherLoad) -> None:
    """The progress line after each repeat, with how busy the rest of the machine was."""
    print(
        f"repeat {rep + 1}/{repeats}: {figures} (other load {load.cores():.2f} cores)", flush=True
    )


def latest(values: Mapping[str, Sequence[T]], show: Callable[[T], str]) -> str:
    """``name figure, ...``: the last figure of each run, for :func:`say_repeat`."""
    return ", ".join(f"{name} {show(runs[-1])}" for name, runs in values.items())


def ratio_to(
    values: Mapping[str, Sequence[float]], name: str, baseline: str, digits: int = 2
) -> str:
    """``paired_ratio`` of ``name`` to ``baseline`` as ``1.23x``, or ``-`` without a baseline."""
    if baseline not in values:
        return "-"
    return f"{paired_ratio(values[name], values[baseline]):.{digits}f}x"


def rate_row(rates: Mapping[str, Sequence[float]], name: str) -> list[object]:
    """A throughput table's first columns for the runs of ``name``: the client, its median rate,
    microseconds an item, and its paired ratios to ``bare`` and to ``openai`` (``-`` for a client
    that did not run)."""
    med = median(rates[name])
    return [
        name,
        fmt_rate(med),
        f"{1e6 / med:.2f}",
        ratio_to(rates, name, "bare"),
        ratio_to(rates, name, "openai", digits=1),
    ]


def targets(rates: Mapping[str, Sequence[float]], bare: str, openai: str) -> str:
    """The ``target:`` line of a bus benchmark: each target (``bare``, say ``bus >= 0.8x bare``)
    with the bus's paired ratio to that client; the openai one only when openai ran."""
    met = [f"{bare}: {ratio_to(rates, 'bus', 'bare')}"]
    if "openai" in rates:
        met.append(f"{openai}: {ratio_to(rates, 'bus', 'openai', digits=1)}")
    return "target: " + "; ".join(met)


def arguments(
    doc: str | None,
    *,
    n: int,
    unit: str,
    repeats: int = 5,
    corpus: bool = False,
    openai: bool = False,
) -> argparse.ArgumentParser:
    """The options most benchmarks take: ``-n`` (``unit`` per run), ``--repeats``, with
    ``corpus`` ``--corpus``, with ``openai`` ``--openai-n`` and ``--skip-openai``."""
    ap = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    ap.add_argument("-n", type=int, default=n, help=f"{unit} per run (default {n})")
    if openai:
        ap.add_argument(
            "--openai-n", type=int, default=0, help=f"{unit} per openai run (default -n)"
        )
    ap.add_argument(
        "--repeats", type=int, default=repeats, help=f"interleaved repeats (default {repeats})"
    )
    if corpus:
        ap.add_argument("--corpus", type=int, default=100_000, help="corpus size (default 100000)")
    if openai:
        ap.add_argument("--skip-openai", action="store_true", help="leave the openai package out")
    return ap


def parse(ap: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the options (``-n`` cannot exceed ``--corpus``) and quiet the logs."""
    args = ap.parse_args()
    if "corpus" in args and args.n > args.corpus:
        ap.error("-n cannot exceed --corpus")
    quiet_logs()
    return args
