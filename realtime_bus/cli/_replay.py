"""realtime-bus replay: print a recording's server events as the bus decodes them."""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import msgspec

from ._command import CommandError, non_negative_float
from ._events import EventPrinter, add_printing_arguments, matches, progress

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run"]

NAME = "replay"
HELP = "print a recording's server events as the bus decodes them"

DESCRIPTION = """\
Play a recording into a bus, with no network, and print each server event as the bus decodes
it: one readable line each (audio summarised), or JSON Lines with --json. Events the bus cannot
decode are reported as such. --pace 1 keeps the recorded time between frames (2: half speed);
the default prints as fast as possible.

  realtime-bus replay session.jsonl --filter 'response.done'
"""

_encode = msgspec.json.Encoder().encode


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the recording (JSON Lines)")
    parser.add_argument(
        "--pace",
        type=non_negative_float,
        default=0.0,
        help="1 keeps the recorded time between frames, 0 goes as fast as possible",
    )
    add_printing_arguments(parser, each="event", example="")


async def _replay(args: argparse.Namespace) -> int:
    from ..bus import Bus, ErrorReport
    from ..recording import Replayer

    replayer = Replayer(args.file, pace=args.pace, gated=False)
    header = replayer.recording.header
    printer = EventPrinter(as_json=args.json)
    printer.note(f"{args.file}: {header.source} recording of {header.url}, {header.started_at}")
    total = len(replayer.recording.server_frames())
    started = time.monotonic()
    bus = Bus(
        header.url or "ws://replay.invalid/",
        connector=replayer,
        protocol=header.dialect,  # type: ignore[arg-type]
        reconnect=False,
    )
    with progress(total, "replaying") as advance:

        @bus.on("*")
        def show(event: Any) -> None:
            advance()
            if matches(event.type, args.filter):
                raw = _encode(event)
                printer.event(time.monotonic() - started, "in", msgspec.json.decode(raw), raw)

        @bus.on_error
        def undecodable(report: ErrorReport) -> None:
            if report.kind == "decode":
                advance()
                printer.note(f"undecodable frame: {report.error}")

        async with bus:
            await replayer.wait_done(
                timeout=max(60.0, replayer.recording.duration * args.pace * 2 + 60)
            )
            await bus.wait_idle(timeout=60.0)
    printer.note(f"{printer.count} events printed")
    return 0


def run(args: argparse.Namespace) -> int:
    from ..recording import RecordingError

    try:
        return asyncio.run(_replay(args))
    except RecordingError as exc:
        raise CommandError(str(exc)) from None
    except KeyboardInterrupt:
        return 130
