"""The numbers of a session report: turns, latency, interruptions, tools, tokens and cost."""

from __future__ import annotations

import base64
import json
from typing import Any

import msgspec
import pytest

from realtime_bus.agent import PRICING, ModelPrice
from realtime_bus.protocol import InputTokenDetails, OutputTokenDetails, Usage
from realtime_bus.recording import FrameLine, Header, Marker, Recording
from realtime_bus.report import build_timeline, render_report


def _frame(direction: str, t: float, kind: str, **fields: Any) -> FrameLine:
    """A recorded frame at ``t``: an event of type ``kind`` with ``fields``."""
    raw = msgspec.Raw(json.dumps({"type": kind, **fields}).encode())
    return FrameLine(dir=direction, t=t, wall=1_700_000_000 + t, frame=raw)  # type: ignore[arg-type]


def _pcm(seconds: float, level: int = 8000) -> str:
    samples = int(24000 * seconds)
    data = b"".join(
        int(level if n % 48 < 24 else -level).to_bytes(2, "little", signed=True)
        for n in range(samples)
    )
    return base64.b64encode(data).decode()


USAGE = msgspec.to_builtins(
    Usage(
        total_tokens=300,
        input_tokens=200,
        output_tokens=100,
        input_token_details=InputTokenDetails(text_tokens=50, audio_tokens=150, cached_tokens=0),
        output_token_details=OutputTokenDetails(text_tokens=20, audio_tokens=80),
    )
)
"""A response's usage (built from the protocol's model, so that its field names are the API's)."""


def _response_done(t: float, response_id: str, status: str, usage: Any = USAGE) -> FrameLine:
    response = {"id": response_id, "status": status, "usage": usage}
    return _frame("in", t, "response.done", response=response)


def _session() -> Recording:
    header = Header(
        library="0", dialect="ga", url="ws://h/v1/realtime", started_at="x", started_unix=0.0
    )
    entries: list[FrameLine | Marker] = [
        Marker(kind="connect", t=0.0, wall=0.0, attempt=1),
        _frame("in", 0.1, "session.created", session={"model": "gpt-realtime"}),
        _frame("out", 0.5, "input_audio_buffer.append", audio=_pcm(1.5)),
        _frame("in", 1.0, "input_audio_buffer.speech_started", audio_start_ms=500),
        _frame("in", 2.0, "input_audio_buffer.speech_stopped", audio_end_ms=1500),
        _frame("in", 2.1, "response.created", response={"id": "r1"}),
        _frame("in", 2.2, "conversation.item.input_audio_transcription.completed", transcript="hi"),
        _frame("in", 2.35, "response.output_audio.delta", response_id="r1", delta=_pcm(1.0)),
        _frame(
            "in",
            2.4,
            "response.function_call_arguments.done",
            response_id="r1",
            name="get_weather",
            arguments="{}",
            call_id="c1",
        ),
        _frame("in", 2.6, "input_audio_buffer.speech_started", audio_start_ms=2100),
        _frame("out", 2.65, "response.cancel"),
        _frame("out", 2.7, "conversation.item.truncate", item_id="i1", audio_end_ms=250),
        _frame("in", 2.75, "conversation.item.truncated", item_id="i1", audio_end_ms=250),
        _response_done(2.8, "r1", "cancelled"),
        _frame(
            "out",
            3.0,
            "conversation.item.create",
            item={"type": "function_call_output", "call_id": "c1", "output": '{"ok":1}'},
        ),
        _frame("out", 3.1, "response.create"),
        _frame("in", 3.15, "response.created", response={"id": "r2"}),
        _frame("in", 3.4, "response.output_text.delta", response_id="r2", item_id="i2", delta="It"),
        _frame(
            "in",
            3.5,
            "response.output_text.done",
            response_id="r2",
            item_id="i2",
            text="It is sunny",
        ),
        _response_done(3.6, "r2", "completed"),
        _frame(
            "in",
            3.7,
            "error",
            error={"type": "invalid_request_error", "code": "x", "message": "bad"},
        ),
        Marker(kind="disconnect", t=4.0, wall=4.0, code=1001, reason="bye"),
    ]
    return Recording(header=header, entries=entries)


def test_turns_latency_and_incidents() -> None:
    tl = build_timeline(_session())
    assert [t.response_id for t in tl.turns] == ["r1", "r2"]
    voice, text = tl.turns
    assert voice.trigger == "voice"
    assert voice.latency_ms == pytest.approx(350)  # speech stopped at 2.0, first audio at 2.35
    assert voice.user_text == "hi"
    assert voice.status == "cancelled"
    assert voice.tools == ["get_weather({})"]
    assert text.trigger == "text"
    assert text.latency_ms == pytest.approx(300)  # response.create at 3.1, first text at 3.4
    assert text.assistant_text == "It is sunny"
    assert tl.latency_summary() == {
        "count": 2,
        "median": pytest.approx(325),
        "p90": pytest.approx(350),
        "max": pytest.approx(350),
    }
    kinds = [(m.label, m.t) for m in tl.incidents]
    assert ("interruption", 2.6) in kinds  # the user spoke over the response
    assert ("truncate", 2.7) in kinds
    assert ("truncated", 2.75) in kinds
    assert ("cancel", 2.65) in kinds
    assert ("error", 3.7) in kinds
    assert [m.label for m in tl.connection] == ["connected", "disconnected"]
    assert [m.kind for m in tl.tools] == ["call", "output"]
    assert [s.start for s in tl.vad] == [1.0]
    assert tl.user_audio_s == pytest.approx(1.5)
    assert tl.assistant_audio_s == pytest.approx(1.0)
    assert max(tl.user_peaks) == pytest.approx(8000 / 32768, rel=0.01)
    assert tl.input_tokens == 400
    assert tl.output_tokens == 200


def _with(recording: Recording, old: bytes, new: bytes) -> Recording:
    """``recording`` with ``old`` replaced by ``new`` in every frame."""
    for entry in recording.entries:
        if isinstance(entry, FrameLine):
            entry.frame = msgspec.Raw(bytes(entry.frame).replace(old, new))
    return recording


def test_cost_follows_the_token_kinds_at_the_agent_layers_prices() -> None:
    price = PRICING["gpt-realtime"]
    expected = (
        50 * price.text_input
        + 150 * price.audio_input
        + 20 * price.text_output
        + 80 * price.audio_output
    ) / 1e6
    assert expected == pytest.approx((50 * 4.0 + 150 * 32.0 + 20 * 16.0 + 80 * 64.0) / 1e6)
    tl = build_timeline(_session())
    assert [t.cost for t in tl.turns] == [pytest.approx(expected), pytest.approx(expected)]
    assert tl.cost == pytest.approx(2 * expected)
    snapshot = build_timeline(_with(_session(), b'"gpt-realtime"', b'"gpt-realtime-2025-08-28"'))
    assert snapshot.cost == pytest.approx(2 * expected)
    own = {"gpt-realtime": ModelPrice(1.0, 0.0, 1.0, 1.0, 0.0, 1.0)}
    assert build_timeline(_session(), pricing=own).cost == pytest.approx(2 * 300 / 1e6)


def test_no_cost_is_guessed() -> None:
    for unknown in (b'"gpt-realtime-next"', b'"some-other-model"'):
        tl = build_timeline(_with(_session(), b'"gpt-realtime"', unknown))
        assert tl.cost is None
        assert all(t.cost is None for t in tl.turns)
        assert "no cost" in render_report(tl, _session().header, title="t")
    # a usage with totals only cannot be split into text and audio: no cost for that turn, and
    # none for the session (a partial sum would understate it)
    recording = _session()
    last = next(
        e
        for e in reversed(recording.entries)
        if isinstance(e, FrameLine) and b'"completed"' in bytes(e.frame)
    )
    last.frame = _response_done(last.t, "r2", "completed", usage={"input_tokens": 9}).frame
    tl = build_timeline(recording)
    assert tl.turns[0].cost is not None
    assert tl.turns[1].cost is None
    assert tl.cost is None


def test_the_page_escapes_what_the_session_said() -> None:
    recording = _session()
    recording.entries.insert(
        5,
        _frame(
            "out",
            1.9,
            "conversation.item.create",
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "<script>alert(1)</script>"}],
            },
        ),
    )
    page = render_report(build_timeline(recording), recording.header)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert 'id="timeline"' in page
    assert 'id="turns"' in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # no network
