"""The timeline drawing: one inline SVG, lanes of audio, speech, text, responses and events."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ._timeline import Mark, Span, Timeline

__all__ = ["timeline_svg"]

WIDTH = 1200
LEFT = 128
PLOT = WIDTH - LEFT - 12
_STATUS_CLASS = {
    "completed": "ok",
    "cancelled": "cancelled",
    "incomplete": "incomplete",
    "failed": "failed",
}


def _x(t: float, duration: float) -> float:
    return LEFT + max(0.0, min(t, duration)) / duration * PLOT


def _ticks(duration: float) -> float:
    for step in (0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600):
        if duration / step <= 12:
            return step
    return 7200.0


def _wave(peaks: Sequence[float], y: float, height: float, css: str) -> str:
    if not any(peaks):
        return f'<text class="none" x="{LEFT + 4}" y="{y + height / 2 + 4:.1f}">no audio</text>'
    mid, half, n = y + height / 2, height / 2 - 1, len(peaks)
    top = [
        f"{LEFT + i * PLOT / n:.1f},{mid - max(p, 0.004) * half:.1f}" for i, p in enumerate(peaks)
    ]
    bottom = [
        f"{LEFT + i * PLOT / n:.1f},{mid + max(p, 0.004) * half:.1f}"
        for i, p in reversed(list(enumerate(peaks)))
    ]
    return f'<polygon class="{css}" points="{" ".join(top + bottom)}"/>'


def _spans(spans: Sequence[Span], y: float, height: float, duration: float, lane: str) -> str:
    out = []
    for span in spans:
        x0, x1 = _x(span.start, duration), _x(span.end, duration)
        css = _STATUS_CLASS.get(span.kind, span.kind) if lane == "response" else lane
        attr = f' data-response="{escape(span.key)}"' if span.key else ""
        out.append(
            f'<rect class="{css}"{attr} x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 2):.1f}" '
            f'height="{height}" rx="2"><title>{escape(span.detail or span.label)} '
            f"({span.start:.2f}-{span.end:.2f} s)</title></rect>"
        )
        if lane == "response" and x1 - x0 > 8 * len(span.label):
            out.append(
                f'<text class="inbar" x="{x0 + 3:.1f}" y="{y + height - 5:.1f}">'
                f"{escape(span.label)}</text>"
            )
    return "".join(out)


def _marks(marks: Sequence[Mark], y: float, duration: float) -> str:
    out, free_from = [], 0.0
    for mark in sorted(marks, key=lambda m: m.t):
        x = _x(mark.t, duration)
        title = f"<title>{escape(mark.detail or mark.label)} at {mark.t:.2f} s</title>"
        out.append(
            f'<g class="mark {escape(mark.kind)}"><line x1="{x:.1f}" x2="{x:.1f}" y1="{y:.1f}" '
            f'y2="{y + 16:.1f}"/>{title}'
        )
        if x >= free_from:
            out.append(f'<text x="{x + 3:.1f}" y="{y + 12:.1f}">{escape(mark.label)}{title}</text>')
            free_from = x + 6.2 * len(mark.label) + 10
        out.append("</g>")
    return "".join(out)


def timeline_svg(tl: Timeline) -> str:
    """The session's timeline as an inline SVG element."""
    duration = max(tl.duration, 0.001)
    lanes: list[tuple[str, float]] = [
        ("User audio", 56),
        ("Speech (VAD)", 20),
        ("User", 20),
        ("Responses", 22),
        ("Assistant audio", 56),
        ("Assistant", 20),
        ("Tools", 20),
        ("Events", 20),
        ("Connection", 20),
    ]
    y, parts, rows = 24.0, [], {}
    for name, height in lanes:
        rows[name] = (y, height)
        parts.append(
            f'<text class="lane" x="{LEFT - 8}" y="{y + height / 2 + 4:.1f}">{name}</text>'
            f'<line class="sep" x1="{LEFT}" x2="{WIDTH - 12}" y1="{y + height + 3:.1f}" '
            f'y2="{y + height + 3:.1f}"/>'
        )
        y += height + 8
    total = y
    step = _ticks(duration)
    tick, ticks = 0.0, []
    while tick <= duration + 1e-9:
        x = _x(tick, duration)
        label = f"{tick:g} s" if step < 60 else f"{tick / 60:g} min"
        ticks.append(
            f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="16" y2="{total:.1f}"/>'
            f'<text class="axis" x="{x:.1f}" y="12">{label}</text>'
        )
        tick += step
    y_of = {name: rows[name][0] for name in rows}
    body = [
        _wave(tl.user_peaks, *rows["User audio"], "user"),
        _spans(tl.vad, y_of["Speech (VAD)"] + 3, 14, duration, "vad"),
        _marks(tl.user_text, y_of["User"], duration),
        _spans(tl.responses, y_of["Responses"], 20, duration, "response"),
        _wave(tl.assistant_peaks, *rows["Assistant audio"], "assistant"),
        _marks(tl.assistant_text, y_of["Assistant"], duration),
        _marks(tl.tools, y_of["Tools"], duration),
        _marks(tl.incidents, y_of["Events"], duration),
        _marks(tl.connection, y_of["Connection"], duration),
    ]
    return (
        f'<svg id="timeline" role="img" aria-label="session timeline" '
        f'viewBox="0 0 {WIDTH} {total:.0f}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        + "".join(ticks)
        + "".join(parts)
        + "".join(body)
        + "</svg>"
    )
