"""The session report: a recording drawn as one self-contained HTML page.

``realtime-bus report session.jsonl -o report.html``, or in code::

    from realtime_bus.recording import load_recording
    from realtime_bus.report import write_report

    write_report(load_recording("session.jsonl"), "report.html")

:func:`build_timeline` gives the numbers (turns and their latency, tokens, cost) without the
page. Costs are priced from :data:`realtime_bus.agent.PRICING` (dated, with its source); a
model it does not know has no cost.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..recording import Recording
from ._html import render_report
from ._timeline import Mark, Span, Timeline, Turn, build_timeline

__all__ = [
    "Mark",
    "Span",
    "Timeline",
    "Turn",
    "build_timeline",
    "render_report",
    "write_report",
]


def write_report(
    recording: Recording,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    step: Callable[[], None] | None = None,
) -> Timeline:
    """Write the report of ``recording`` to ``path``; returns its timeline."""
    timeline = build_timeline(recording, step)
    name = (
        title or f"Session report: {Path(recording.path).name if recording.path else 'recording'}"
    )
    Path(path).write_text(render_report(timeline, recording.header, title=name), encoding="utf-8")
    return timeline
