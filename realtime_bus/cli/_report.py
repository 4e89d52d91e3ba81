"""realtime-bus report: a recording drawn as one self-contained HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._command import CommandError
from ._events import progress

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run"]

NAME = "report"
HELP = "write a recording's session report (one self-contained HTML file)"

DESCRIPTION = """\
Write the session report of a recording: one self-contained HTML file (no network needed to
open it) with the session on a timeline (the user's and the assistant's audio as waveforms,
server VAD speech, transcripts and text, responses with their status, function calls and
outputs, interruptions and truncations), per-turn latency with a summary table, and tokens
and cost.

  realtime-bus report session.jsonl -o report.html
"""


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the recording (JSON Lines)")
    parser.add_argument("-o", "--output", metavar="HTML", default=None, help="default: FILE.html")
    parser.add_argument("--title", default=None, help="the page's title")


def run(args: argparse.Namespace) -> int:
    from ..recording import RecordingError, load_recording
    from ..report import write_report

    try:
        recording = load_recording(args.file)
    except RecordingError as exc:
        raise CommandError(str(exc)) from None
    output = Path(args.output) if args.output else Path(args.file).with_suffix(".html")
    try:
        with progress(len(recording.entries), "analysing") as step:
            timeline = write_report(recording, output, title=args.title, step=step)
    except OSError as exc:
        raise CommandError(f"cannot write {output}: {exc.strerror}") from None
    summary = timeline.latency_summary()
    median = "-" if summary["median"] is None else f"{summary['median']:.0f} ms"
    print(f"{output}: {len(timeline.turns)} turns, median latency {median}")
    return 0
