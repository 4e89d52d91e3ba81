"""A session on a timeline: what a recording says happened, when, turn by turn.

One pass over the recording's frames builds the tracks the report draws: the user's and the
assistant's audio (as waveform peaks, placed where it played: each chunk after the previous
one, and never before it arrived), server VAD speech segments, transcripts and text, responses
with their status, function calls and outputs, interruptions, truncations, errors and
connection changes, and one :class:`Turn` per response with its latency.
"""

from __future__ import annotations

import audioop  # the standard library's before Python 3.13, the audioop-lts package after
import binascii
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..agent import PRICING, ModelPrice, cost_of, price_for
from ..protocol import Usage
from ..recording import FrameLine, Marker, Recording

__all__ = ["Mark", "Span", "Timeline", "Turn", "build_timeline"]

_decode = msgspec.json.Decoder().decode
BUCKETS = 1200
"""Waveform resolution: peaks per track across the whole session."""
_BYTES_PER_S = {"audio/pcm": 48000, "audio/pcmu": 8000, "audio/pcma": 8000}


@dataclass
class Span:
    """Something that lasted: a speech segment, a response."""

    start: float
    end: float
    label: str
    detail: str = ""
    kind: str = ""
    key: str = ""
    """What it belongs to (a response's id)."""


@dataclass
class Mark:
    """Something that happened at one time: a transcript, a tool call, an interruption."""

    t: float
    label: str
    detail: str = ""
    kind: str = ""


@dataclass
class Turn:
    """One response and what led to it."""

    index: int
    response_id: str
    trigger: str
    """``voice`` (the user stopped speaking), ``text`` (the client asked), or ``server``."""
    trigger_t: float | None
    created_t: float
    first_output_t: float | None = None
    first_audio_t: float | None = None
    done_t: float | None = None
    status: str = "in progress"
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    user_text: str = ""
    assistant_text: str = ""
    tools: list[str] = field(default_factory=list)

    @property
    def latency_ms(self) -> float | None:
        """From the trigger to the first output (voice to voice for a voice turn)."""
        first = self.first_audio_t if self.trigger == "voice" else self.first_output_t
        if first is None:
            first = self.first_output_t
        if self.trigger_t is None or first is None:
            return None
        return (first - self.trigger_t) * 1000


@dataclass
class Timeline:
    """Everything the report draws."""

    duration: float
    model: str | None
    user_peaks: list[float]
    assistant_peaks: list[float]
    user_audio_s: float = 0.0
    assistant_audio_s: float = 0.0
    vad: list[Span] = field(default_factory=list)
    responses: list[Span] = field(default_factory=list)
    user_text: list[Mark] = field(default_factory=list)
    assistant_text: list[Mark] = field(default_factory=list)
    tools: list[Mark] = field(default_factory=list)
    incidents: list[Mark] = field(default_factory=list)
    connection: list[Mark] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    frames: int = 0
    has_audio: bool = True

    def latencies(self) -> list[float]:
        """The turns' latencies in milliseconds (turns that have one)."""
        return [t.latency_ms for t in self.turns if t.latency_ms is not None]

    def latency_summary(self) -> dict[str, float | None]:
        """Count, median, 90th percentile and maximum latency (ms)."""
        values = sorted(self.latencies())
        if not values:
            return {"count": 0, "median": None, "p90": None, "max": None}
        p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
        return {
            "count": len(values),
            "median": statistics.median(values),
            "p90": p90,
            "max": values[-1],
        }

    @property
    def input_tokens(self) -> int:
        """Input tokens of every response."""
        return sum(t.input_tokens for t in self.turns)

    @property
    def output_tokens(self) -> int:
        """Output tokens of every response."""
        return sum(t.output_tokens for t in self.turns)

    @property
    def cost(self) -> float | None:
        """The session's cost in dollars: ``None`` when the model's price is unknown, or when a
        turn that used tokens could not be priced (a partial sum would understate it)."""
        costs = [t.cost for t in self.turns if t.cost is not None]
        unpriced = any(t.cost is None and (t.input_tokens or t.output_tokens) for t in self.turns)
        return None if unpriced or not costs else sum(costs)


class _Track:
    """One audio track: chunks placed where they played, as peaks every 10 ms; turned into
    :data:`BUCKETS` peaks across the session once its length is known."""

    STEP = 0.01

    def __init__(self) -> None:
        self.chunks: list[tuple[float, float, list[float] | None]] = []
        self.cursor = 0.0
        self.seconds = 0.0

    def add(self, t: float, pcm: bytes | None, seconds: float) -> float:
        """Place a chunk that arrived at ``t`` (PCM16, or ``None`` when the recording left it
        out); returns when it starts playing."""
        start = max(self.cursor, t)
        self.cursor = start + seconds
        self.seconds += seconds
        peaks = None
        if pcm is not None and seconds > 0:
            size = max(2, int(len(pcm) * self.STEP / seconds) & ~1)
            peaks = [
                audioop.max(pcm[i : i + size - (len(pcm[i : i + size]) % 2)], 2) / 32768
                for i in range(0, len(pcm), size)
            ]
        self.chunks.append((start, seconds, peaks))
        return start

    def peaks(self, duration: float) -> list[float]:
        """The track as :data:`BUCKETS` peaks across ``duration`` seconds."""
        out = [0.0] * BUCKETS
        per_bucket = max(duration, 1e-6) / BUCKETS
        for start, seconds, peaks in self.chunks:
            values = peaks if peaks is not None else [0.15] * max(1, int(seconds / self.STEP))
            step = seconds / len(values) if values else 0.0
            for n, value in enumerate(values):
                index = min(BUCKETS - 1, int((start + n * step) / per_bucket))
                if value > out[index]:
                    out[index] = value
        return out


def _pcm(b64: str) -> bytes:
    try:
        return binascii.a2b_base64(b64)
    except (binascii.Error, ValueError):
        return b""


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Builder:
    def __init__(self, recording: Recording, pricing: Mapping[str, ModelPrice]) -> None:
        self.pricing = pricing
        self.duration = max(recording.duration, 0.001)
        self.tl = Timeline(
            duration=self.duration,
            model=None,
            user_peaks=[],
            assistant_peaks=[],
            has_audio=recording.header.audio,
        )
        self.user = _Track()
        self.assistant = _Track()
        self.price: ModelPrice | None = None
        self.formats = {"input": "audio/pcm", "output": "audio/pcm"}
        self.speech_start: float | None = None
        self.last_stop: float | None = None
        self.last_create: float | None = None
        self.used_trigger: float | None = None
        self.turns: dict[str, Turn] = {}
        self.active: dict[str, float] = {}
        self.first_text: dict[str, float] = {}
        self.pending_user = ""
        self.handlers: dict[str, Callable[[float, dict[str, Any], FrameLine], None]] = {
            "in:session.created": self.session,
            "in:session.updated": self.session,
            "out:input_audio_buffer.append": self.user_audio,
            "in:response.output_audio.delta": self.assistant_audio,
            "in:input_audio_buffer.speech_started": self.speech_started,
            "in:input_audio_buffer.speech_stopped": self.speech_stopped,
            "in:conversation.item.input_audio_transcription.completed": self.heard,
            "out:response.create": self.create,
            "in:response.created": self.created,
            "in:response.output_text.delta": self.output_delta,
            "in:response.output_audio_transcript.delta": self.output_delta,
            "in:response.output_text.done": self.said,
            "in:response.output_audio_transcript.done": self.said,
            "in:response.function_call_arguments.done": self.tool_call,
            "out:conversation.item.create": self.item_create,
            "out:conversation.item.truncate": self.truncate,
            "in:conversation.item.truncated": self.truncated,
            "out:response.cancel": self.cancel,
            "in:response.done": self.done,
            "in:error": self.error,
        }

    # -- frames ----------------------------------------------------------------------------

    def session(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        session = e.get("session") or {}
        if isinstance(session.get("model"), str):
            self.tl.model = session["model"]
            self.price = price_for(self.tl.model, self.pricing)
        audio = session.get("audio") or {}
        for side in ("input", "output"):
            fmt = ((audio.get(side) or {}).get("format") or {}).get("type")
            if isinstance(fmt, str):
                self.formats[side] = fmt

    def _seconds(self, nbytes: int, side: str) -> float:
        return nbytes / _BYTES_PER_S.get(self.formats[side], 48000)

    def _audio(self, track: _Track, t: float, b64: str, f: FrameLine, side: str) -> float:
        if f.audio is not None:
            return track.add(t, None, f.audio.ms / 1000)
        pcm = _pcm(b64)
        if self.formats[side] != "audio/pcm":  # G.711: one byte a sample; draw it as PCM16
            pcm = (
                audioop.ulaw2lin(pcm, 2)
                if self.formats[side] == "audio/pcmu"
                else audioop.alaw2lin(pcm, 2)
            )
            return track.add(t, pcm, len(pcm) / 16000)
        return track.add(t, pcm, self._seconds(len(pcm), side))

    def user_audio(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        self._audio(self.user, t, str(e.get("audio") or ""), f, "input")

    def assistant_audio(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        start = self._audio(self.assistant, t, str(e.get("delta") or ""), f, "output")
        turn = self.turns.get(str(e.get("response_id")))
        if turn is not None and turn.first_audio_t is None:
            turn.first_audio_t = start
            if turn.first_output_t is None:
                turn.first_output_t = start

    def speech_started(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        self.speech_start = t
        playing = self.assistant.cursor > t
        if self.active or playing:
            what = "a response" if self.active else "the assistant's audio"
            self.tl.incidents.append(
                Mark(t, "interruption", f"the user spoke over {what}", "interrupt")
            )

    def speech_stopped(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        start = self.speech_start if self.speech_start is not None else t
        ms = e.get("audio_end_ms")
        self.tl.vad.append(
            Span(start, t, "speech", f"speech stopped at {ms} ms of input audio", "vad")
        )
        self.speech_start = None
        self.last_stop = t

    def heard(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        text = str(e.get("transcript") or "")
        self.tl.user_text.append(Mark(t, _short(text, 48), text, "user"))
        # The transcript often comes after the response it led to has started.
        waiting = [x for x in self.turns.values() if x.trigger == "voice" and not x.user_text]
        if waiting:
            waiting[-1].user_text = text
        else:
            self.pending_user = text

    def create(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        self.last_create = t

    def created(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        rid = str((e.get("response") or {}).get("id") or f"response {len(self.turns) + 1}")
        candidates = [
            (x, kind)
            for x, kind in ((self.last_stop, "voice"), (self.last_create, "text"))
            if x is not None and (self.used_trigger is None or x > self.used_trigger)
        ]
        trigger_t, trigger = max(candidates) if candidates else (None, "server")
        if trigger_t is not None:
            self.used_trigger = trigger_t
        turn = Turn(len(self.turns) + 1, rid, trigger, trigger_t, t)
        if trigger == "voice":
            turn.user_text, self.pending_user = self.pending_user, ""
        self.turns[rid] = turn
        self.active[rid] = t

    def output_delta(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        rid = str(e.get("response_id"))
        turn = self.turns.get(rid)
        if turn is not None and turn.first_output_t is None:
            turn.first_output_t = t
        self.first_text.setdefault(f"{rid}:{e.get('item_id')}", t)

    def said(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        text = str(e.get("text") or e.get("transcript") or "")
        rid = str(e.get("response_id"))
        start = self.first_text.get(f"{rid}:{e.get('item_id')}", t)
        self.tl.assistant_text.append(Mark(start, _short(text, 48), text, "assistant"))
        turn = self.turns.get(rid)
        if turn is not None:
            turn.assistant_text = (turn.assistant_text + " " + text).strip()

    def tool_call(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        name, args = str(e.get("name") or "?"), str(e.get("arguments") or "")
        self.tl.tools.append(
            Mark(t, f"{name}()", f"call {name}({args}) id {e.get('call_id')}", "call")
        )
        turn = self.turns.get(str(e.get("response_id")))
        if turn is not None:
            turn.tools.append(f"{name}({_short(args, 60)})")

    def item_create(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        item = e.get("item") or {}
        if item.get("type") == "function_call_output":
            output = str(item.get("output") or "")
            self.tl.tools.append(
                Mark(t, "output", f"output for {item.get('call_id')}: {output}", "output")
            )
        elif item.get("type") == "message" and item.get("role") == "user":
            texts = [str(c.get("text")) for c in item.get("content") or [] if c.get("text")]
            if texts:
                text = " ".join(texts)
                self.tl.user_text.append(Mark(t, _short(text, 48), text, "user"))
                self.pending_user = text

    def truncate(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        detail = f"truncate {e.get('item_id')} at {e.get('audio_end_ms')} ms"
        self.tl.incidents.append(Mark(t, "truncate", detail, "truncate"))

    def truncated(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        detail = f"{e.get('item_id')} truncated at {e.get('audio_end_ms')} ms"
        self.tl.incidents.append(Mark(t, "truncated", detail, "truncate"))

    def cancel(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        self.tl.incidents.append(Mark(t, "cancel", "the client cancelled a response", "cancel"))

    def done(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        response = e.get("response") or {}
        rid = str(response.get("id"))
        status = str(response.get("status") or "?")
        start = self.active.pop(rid, t)
        turn = self.turns.get(rid)
        if turn is None:
            turn = Turn(len(self.turns) + 1, rid, "server", None, start)
            self.turns[rid] = turn
        turn.done_t, turn.status = t, status
        usage = response.get("usage") or {}
        turn.input_tokens = int(usage.get("input_tokens") or 0)
        turn.output_tokens = int(usage.get("output_tokens") or 0)
        turn.cost = _cost(usage, self.price)
        reason = (response.get("status_details") or {}).get("reason")
        detail = f"{rid}: {status}" + (f" ({reason})" if reason else "")
        self.tl.responses.append(Span(start, t, status, detail, status, rid))
        if status in ("cancelled", "incomplete", "failed"):
            self.tl.incidents.append(Mark(t, status, detail, "cancel"))

    def error(self, t: float, e: dict[str, Any], f: FrameLine) -> None:
        error = e.get("error") or {}
        detail = f"{error.get('code') or error.get('type')}: {error.get('message')}"
        self.tl.incidents.append(Mark(t, "error", detail, "error"))

    # -- the pass --------------------------------------------------------------------------

    def marker(self, m: Marker) -> None:
        label = {"connect": "connected", "disconnect": "disconnected", "reconnect": "reconnecting"}
        detail = m.kind + (f" code {m.code}" if m.code is not None else "")
        if m.reason:
            detail += f" ({m.reason})"
        self.tl.connection.append(Mark(m.t, label.get(m.kind, m.kind), detail, m.kind))

    def run(self, recording: Recording, step: Callable[[], None] | None) -> Timeline:
        handlers = self.handlers
        for entry in recording.entries:
            if step is not None:
                step()
            if isinstance(entry, Marker):
                self.marker(entry)
                continue
            self.tl.frames += 1
            data = entry.data()
            try:
                event = _decode(data)
            except msgspec.DecodeError:
                continue
            if not isinstance(event, dict):
                continue
            handler = handlers.get(f"{entry.dir}:{event.get('type')}")
            if handler is not None:
                handler(entry.t, event, entry)
        for rid, start in self.active.items():
            self.tl.responses.append(Span(start, self.duration, "in progress", rid, "active", rid))
        tl = self.tl
        tl.duration = max(self.duration, self.user.cursor, self.assistant.cursor)
        tl.user_peaks = self.user.peaks(tl.duration)
        tl.assistant_peaks = self.assistant.peaks(tl.duration)
        tl.user_audio_s, tl.assistant_audio_s = self.user.seconds, self.assistant.seconds
        tl.turns = sorted(self.turns.values(), key=lambda turn: turn.created_t)
        for index, turn in enumerate(tl.turns, start=1):
            turn.index = index
        return tl


def _cost(usage: dict[str, Any], price: ModelPrice | None) -> float | None:
    if not usage or price is None:
        return None
    try:
        typed = msgspec.convert(usage, Usage)
    except msgspec.ValidationError:
        return None  # a usage object this library cannot read is not priced
    cost = cost_of(typed, price)
    return None if cost is None else cost.total


def build_timeline(
    recording: Recording,
    step: Callable[[], None] | None = None,
    *,
    pricing: Mapping[str, ModelPrice] = PRICING,
) -> Timeline:
    """The timeline of ``recording``; ``step`` is called once per line (for progress).

    Costs come from ``pricing`` (by default :data:`realtime_bus.agent.PRICING`, dated, with
    its source); a model it does not know has no cost."""
    return _Builder(recording, pricing).run(recording, step)
