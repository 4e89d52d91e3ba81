"""realtime-bus tail: connect to a server and print its events live."""

from __future__ import annotations

import argparse
import asyncio

from ._live import add_live_arguments as arguments
from ._live import run_live

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run"]

NAME = "tail"
HELP = "print a server's events live, one line each (or JSON Lines)"

DESCRIPTION = """\
Connect to a Realtime server (a URL, or the local simulator with --simulator) and print every
event live: one readable line each, with the fields that matter and audio summarised, or the
frames as JSON Lines with --json. --filter keeps the event types matching a glob. --say sends
a user message and asks for a response, so there is something to watch.

  realtime-bus tail --simulator --say "Hello" --filter 'response.*'
  realtime-bus tail wss://api.openai.com/v1/realtime?model=gpt-realtime --json
"""


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(run_live(args, record=None, record_audio=True))
    except KeyboardInterrupt:
        return 130
