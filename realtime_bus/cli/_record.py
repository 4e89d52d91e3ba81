"""realtime-bus record: connect to a server and record the session to a file."""

from __future__ import annotations

import argparse
import asyncio

from ._live import add_live_arguments, run_live

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run"]

NAME = "record"
HELP = "record a session with a server to a JSON Lines file"

DESCRIPTION = """\
Connect to a Realtime server (a URL, or the local simulator with --simulator), print the events
as tail does, and record every frame to FILE (JSON Lines, see docs/recording.md; credentials
are never written). To record another program's session, use realtime-bus proxy.

  realtime-bus record --simulator --say "Hello" -o session.jsonl
"""


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the recording")
    parser.add_argument(
        "--no-audio", action="store_true", help="keep only the size and duration of audio"
    )
    add_live_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(run_live(args, record=args.output, record_audio=not args.no_audio))
    except KeyboardInterrupt:
        return 130
