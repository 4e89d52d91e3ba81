"""The session report: one self-contained HTML page (inline CSS, SVG and script, no network)."""

from __future__ import annotations

import json
from html import escape

from ..agent import PRICING_DATE
from ..recording import Header
from ._svg import timeline_svg
from ._timeline import Timeline, Turn

__all__ = ["render_report"]

_CSS = """
:root { --fg:#1d2430; --muted:#667085; --line:#d0d5dd; --user:#2e90fa; --asst:#7a5af8;
  --ok:#12b76a; --warn:#f79009; --bad:#f04438; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  margin: 0; padding: 24px 32px; background: #fcfcfd; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin-bottom: 16px; word-break: break-all; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px;
  background: white; }
.card b { display: block; font-size: 20px; } .card span { color: var(--muted); font-size: 12px; }
#timeline { background: white; border: 1px solid var(--line); border-radius: 8px; margin-top: 8px; }
#timeline text { font-size: 11px; fill: var(--fg); }
#timeline text.lane { text-anchor: end; font-weight: 600; fill: var(--muted); }
#timeline text.axis { text-anchor: middle; fill: var(--muted); font-size: 10px; }
#timeline text.none { fill: var(--muted); font-style: italic; }
#timeline text.inbar { fill: white; font-size: 10px; }
#timeline .tick { stroke: #eaecf0; } #timeline .sep { stroke: #f2f4f7; }
#timeline polygon.user { fill: var(--user); } #timeline polygon.assistant { fill: var(--asst); }
#timeline rect.vad { fill: #84caff; } #timeline rect.ok { fill: var(--ok); }
#timeline rect.cancelled, #timeline rect.incomplete { fill: var(--warn); }
#timeline rect.failed { fill: var(--bad); } #timeline rect.active { fill: #98a2b3; }
#timeline rect.hl { stroke: var(--fg); stroke-width: 2; }
#timeline .mark line { stroke: var(--muted); }
#timeline .mark.user line, #timeline .mark.user text { stroke: none; fill: var(--user); }
#timeline .mark.user line { stroke: var(--user); }
#timeline .mark.assistant line { stroke: var(--asst); }
#timeline .mark.assistant text { fill: var(--asst); }
#timeline .mark.interrupt line, #timeline .mark.error line { stroke: var(--bad); }
#timeline .mark.interrupt text, #timeline .mark.error text { fill: var(--bad); }
#timeline .mark.truncate line, #timeline .mark.cancel line { stroke: var(--warn); }
#timeline .mark.truncate text, #timeline .mark.cancel text { fill: #b54708; }
table { border-collapse: collapse; width: 100%; background: white; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; } td.num { text-align: right; white-space: nowrap; }
tr.hl td { background: #eff8ff; }
.status-completed { color: #027a48; } .status-cancelled, .status-incomplete { color: #b54708; }
.status-failed { color: #b42318; }
#status { color: var(--muted); font-size: 12px; margin-top: 24px; }
"""

_SCRIPT = """
(function () {
  var status = document.getElementById("status");
  window.addEventListener("error", function (e) { status.textContent = "error: " + e.message; });
  var data = JSON.parse(document.getElementById("report-data").textContent);
  function mark(id, on) {
    document.querySelectorAll('[data-response="' + id + '"]').forEach(function (el) {
      el.classList.toggle("hl", on);
    });
  }
  document.querySelectorAll("[data-response]").forEach(function (el) {
    var id = el.getAttribute("data-response");
    el.addEventListener("mouseenter", function () { mark(id, true); });
    el.addEventListener("mouseleave", function () { mark(id, false); });
  });
  var rows = document.querySelectorAll("#turns tbody tr").length;
  if (!document.getElementById("timeline") || rows !== data.turns) {
    throw new Error("the report is incomplete: " + rows + " turn rows of " + data.turns);
  }
  status.textContent = "ready: " + data.turns + " turns, " + data.frames + " frames";
  document.body.setAttribute("data-ready", "true");
})();
"""


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _money(value: float | None) -> str:
    return "-" if value is None else f"${value:.4f}"


def _turn_row(turn: Turn) -> str:
    said = escape(turn.assistant_text[:200]) + (" …" if len(turn.assistant_text) > 200 else "")
    tools = "<br>".join(escape(t) for t in turn.tools)
    at = "-" if turn.trigger_t is None else f"{turn.trigger_t:.2f} s"
    return (
        f'<tr data-response="{escape(turn.response_id)}"><td class="num">{turn.index}</td>'
        f"<td>{escape(turn.trigger)}</td><td class='num'>{at}</td>"
        f"<td class='num'>{_ms(turn.latency_ms)}</td>"
        f"<td class='status-{escape(turn.status)}'>{escape(turn.status)}</td>"
        f"<td class='num'>{turn.input_tokens}</td><td class='num'>{turn.output_tokens}</td>"
        f"<td class='num'>{_money(turn.cost)}</td><td>{escape(turn.user_text[:200])}</td>"
        f"<td>{said}</td><td>{tools}</td></tr>"
    )


def render_report(tl: Timeline, header: Header, *, title: str = "Session report") -> str:
    """The report page for ``tl`` (from a recording with ``header``)."""
    summary = tl.latency_summary()
    interruptions = sum(1 for m in tl.incidents if m.kind == "interrupt")
    truncations = sum(1 for m in tl.incidents if m.label == "truncate")
    errors = sum(1 for m in tl.incidents if m.kind == "error")
    cards = [
        ("duration", f"{tl.duration:.1f} s"),
        ("turns", str(len(tl.turns))),
        ("median latency", f"{_ms(summary['median'])} ms"),
        ("p90 latency", f"{_ms(summary['p90'])} ms"),
        ("tokens in / out", f"{tl.input_tokens} / {tl.output_tokens}"),
        ("cost", _money(tl.cost)),
        ("user / assistant audio", f"{tl.user_audio_s:.1f} / {tl.assistant_audio_s:.1f} s"),
        ("interruptions", str(interruptions)),
        ("truncations", str(truncations)),
        ("errors", str(errors)),
    ]
    card_html = "".join(
        f'<div class="card"><b>{escape(v)}</b><span>{k}</span></div>' for k, v in cards
    )
    rows = "".join(_turn_row(turn) for turn in tl.turns)
    latency_rows = "".join(
        f"<tr><th>{name}</th><td class='num'>"
        f"{_ms(summary[key]) if key != 'count' else summary[key]}</td></tr>"
        for name, key in (
            ("turns with a latency", "count"),
            ("median (ms)", "median"),
            ("90th percentile (ms)", "p90"),
            ("maximum (ms)", "max"),
        )
    )
    tool_rows = (
        "".join(
            f"<tr><td class='num'>{m.t:.2f} s</td><td>{escape(m.kind)}</td>"
            f"<td>{escape(m.detail)}</td></tr>"
            for m in sorted(tl.tools, key=lambda m: m.t)
        )
        or "<tr><td colspan='3'>no function calls</td></tr>"
    )
    incident_rows = "".join(
        f"<tr><td class='num'>{m.t:.2f} s</td><td>{escape(m.label)}</td>"
        f"<td>{escape(m.detail)}</td></tr>"
        for m in sorted(tl.incidents + tl.connection, key=lambda m: m.t)
    )
    data = json.dumps({"turns": len(tl.turns), "frames": tl.frames}).replace("<", "\\u003c")
    price_note = (
        f"Cost at the list prices of {escape(tl.model or '?')} as of {PRICING_DATE}"
        " (realtime_bus.agent.PRICING, which names its source)."
        if tl.cost is not None
        else "No known price for this model (or a turn's usage could not be priced): no cost."
    )
    audio_note = (
        ""
        if tl.has_audio
        else " Audio was left out of this recording: its bands show when audio played,"
        " not its level."
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_CSS}</style></head>
<body data-ready="false">
<h1>{escape(title)}</h1>
<div class="meta">{escape(header.url)} · {escape(header.started_at)}
 · {escape(header.source)} recording
 · model {escape(tl.model or "unknown")} · {tl.frames} frames</div>
<div class="cards">{card_html}</div>
<h2>Timeline</h2>
{timeline_svg(tl)}
<p class="meta">Hover a response or a mark for details.
Assistant audio is drawn where it played: each
chunk after the one before, never before it arrived.{audio_note}</p>
<h2>Turns</h2>
<table id="turns"><thead><tr><th>#</th><th>trigger</th><th>at</th><th>latency (ms)</th>
<th>status</th><th>tokens in</th><th>tokens out</th><th>cost</th><th>user</th><th>assistant</th>
<th>tools</th></tr></thead><tbody>{rows}</tbody></table>
<p class="meta">Latency: from the end of the user's speech (server VAD)
to the first assistant audio for a
voice turn; from the client's response.create to the first output for the others. {price_note}</p>
<h2>Latency</h2>
<table id="latency" style="width:auto">{latency_rows}</table>
<h2>Function calls</h2>
<table id="tools"><thead><tr><th>at</th><th>what</th><th>detail</th></tr></thead>
<tbody>{tool_rows}</tbody></table>
<h2>Interruptions, truncations, errors and connection</h2>
<table id="incidents"><thead><tr><th>at</th><th>what</th><th>detail</th></tr></thead>
<tbody>{incident_rows}</tbody></table>
<p id="status">loading</p>
<script type="application/json" id="report-data">{data}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
