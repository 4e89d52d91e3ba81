"""The playback stream's bookkeeping, without a bus: arrival order, marks, the wall clock."""

from __future__ import annotations

import pytest

from realtime_bus.agent._interrupt import plan
from realtime_bus.agent._ledger import Ledger
from realtime_bus.protocol import ConversationItemDelete, ConversationItemTruncate, ResponseCancel

MS = 48  # PCM16 at 24 kHz


def test_played_bytes_run_across_items_in_arrival_order() -> None:
    ledger = Ledger()
    ledger.add("a", "r1", 0, 500 * MS, MS, now=0.0)
    ledger.add("b", "r1", 0, 300 * MS, MS, now=0.0)
    ledger.report(600 * MS)
    a, b = ledger.position("a"), ledger.position("b")
    assert a is not None
    assert b is not None
    assert (a.received_ms, a.played_ms) == (500, 500)
    # The second item's clock starts where the first ended, not at its own first delta.
    assert (b.received_ms, b.played_ms) == (300, 100)
    current = ledger.current()
    assert current is not None
    assert current.item_id == "b"


def test_reports_beyond_what_arrived_are_clamped() -> None:
    ledger = Ledger()
    ledger.add("a", "r1", 0, 100 * MS, MS, now=0.0)
    assert ledger.report(10**9) == 100 * MS
    with pytest.raises(ValueError, match="negative"):
        ledger.report(-1)


def test_marks_acknowledge_everything_up_to_them() -> None:
    ledger = Ledger()
    _, end1 = ledger.add("a", "r1", 0, 20 * 8, 8, now=0.0) or (0, 0)
    first = ledger.mark(at=end1)
    ledger.add("a", "r1", 0, 20 * 8, 8, now=0.0)
    second = ledger.mark()
    ledger.add("a", "r1", 0, 20 * 8, 8, now=0.0)
    third = ledger.mark()
    assert ledger.mark_played(second)  # the first is implied
    assert not ledger.mark_played(first)
    position = ledger.position("a")
    assert position is not None
    assert position.played_ms == 40
    ledger.discard_unplayed({("a", 0)})
    assert not ledger.mark_played(third)  # cleared audio was never played
    assert ledger.position("a") == ledger.position("a")
    with pytest.raises(ValueError, match="within the audio received"):
        ledger.mark(at=10**6)


def test_wall_clock_estimate_pauses_when_the_output_runs_dry() -> None:
    ledger = Ledger()
    ledger.add("a", "r1", 0, 1000 * MS, MS, now=0.0)
    ledger.estimate(now=0.4)
    assert ledger.played == 400 * MS
    ledger.estimate(now=5.0)
    assert ledger.played == 1000 * MS  # never beyond what was received
    ledger.add("b", "r1", 0, 1000 * MS, MS, now=10.0)  # arrives after a gap: starts then
    ledger.estimate(now=10.25)
    b = ledger.position("b")
    assert b is not None
    assert b.played_ms == 250


def test_a_report_replaces_the_wall_clock() -> None:
    ledger = Ledger()
    ledger.add("a", "r1", 0, 1000 * MS, MS, now=0.0)
    ledger.report(100 * MS)
    ledger.estimate(now=100.0)
    assert ledger.played == 100 * MS


def test_discard_keeps_what_was_played_and_ignores_late_audio() -> None:
    ledger = Ledger()
    ledger.add("a", "r1", 0, 500 * MS, MS, now=0.0)
    ledger.report(200 * MS)
    ledger.discard_unplayed({("a", 0)})
    assert ledger.add("a", "r1", 0, 100 * MS, MS, now=0.0) is None
    a = ledger.position("a")
    assert a is not None
    assert (a.received_ms, a.played_ms, a.interrupted) == (200, 200, True)
    span = ledger.add("c", "r2", 0, 100 * MS, MS, now=0.0)
    assert span == (200 * MS, 300 * MS)  # the stream goes on from the played cursor


def test_positions_are_bounded() -> None:
    ledger = Ledger(keep_items=3)
    for n in range(10):
        ledger.add(f"i{n}", "r", 0, MS, MS, now=0.0)
        ledger.report(MS)
    assert list(ledger.positions()) == ["i7", "i8", "i9"]


def test_the_plan_truncates_what_was_heard_and_deletes_what_was_not() -> None:
    ledger = Ledger()
    ledger.add("a", "r1", 0, 500 * MS, MS, now=0.0)
    ledger.add("b", "r1", 0, 500 * MS, MS, now=0.0)
    ledger.report(300 * MS + 47)  # 300.98 ms: floors to 300
    events = plan(
        cancel="r1",
        clear_output_buffer=False,
        items=ledger.positions_all(),
        silent_items=[("c", 0)],
    )
    assert [type(e) for e in events] == [
        ResponseCancel,
        ConversationItemTruncate,
        ConversationItemDelete,
        ConversationItemDelete,
    ]
    truncate = events[1]
    assert isinstance(truncate, ConversationItemTruncate)
    assert (truncate.item_id, truncate.audio_end_ms) == ("a", 300)
    assert [getattr(e, "item_id", None) for e in events[2:]] == ["b", "c"]
