"""The mirror against scripted event sequences: orderings the simulator does not produce."""

from __future__ import annotations

import base64
import random
from typing import Any

import msgspec
import pytest

from realtime_bus.agent import AudioRetention, Conversation
from realtime_bus.protocol import decode


def ev(type_: str, **fields: Any) -> Any:
    """A server event decoded from its JSON form, as the bus would deliver it."""
    return decode(msgspec.json.encode({"type": type_, "event_id": "evt", **fields}))


def user(item_id: str, text: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": text}],
    }


def audio_message(item_id: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": "in_progress",
        "content": [],
    }


def b64(pcm: bytes) -> str:
    return base64.b64encode(pcm).decode()


def audio_delta(item_id: str, pcm: bytes) -> Any:
    """A ``response.output_audio.delta`` of response ``r1`` carrying ``pcm``."""
    return ev(
        "response.output_audio.delta",
        response_id="r1",
        item_id=item_id,
        output_index=0,
        content_index=0,
        delta=b64(pcm),
    )


def feed(conversation: Conversation, *events: Any) -> None:
    for event in events:
        conversation.feed(event)


def test_previous_item_id_none_puts_first_and_unknown_anchor_goes_last() -> None:
    c = Conversation()
    feed(
        c,
        ev("conversation.item.added", item=user("a", "a")),
        ev("conversation.item.added", item=user("b", "b"), previous_item_id="a"),
        ev("conversation.item.added", item=user("z", "z"), previous_item_id=None),
        ev("conversation.item.added", item=user("x", "x"), previous_item_id="gone"),
        ev("conversation.item.added", item=user("m", "m"), previous_item_id="a"),
    )
    assert [i.id for i in c.items] == ["z", "a", "m", "b", "x"]
    # An item the server re-announces after another one moves there; the same place is a no-op.
    feed(c, ev("conversation.item.done", item=user("x", "x"), previous_item_id="z"))
    assert [i.id for i in c.items] == ["z", "x", "a", "m", "b"]
    feed(c, ev("conversation.item.deleted", item_id="never-seen"))
    assert len(c) == 5


def test_transcription_before_the_item_is_added() -> None:
    c = Conversation()
    feed(
        c,
        ev(
            "conversation.item.input_audio_transcription.delta",
            item_id="u1",
            content_index=0,
            delta="hel",
        ),
        ev(
            "conversation.item.input_audio_transcription.completed",
            item_id="u1",
            content_index=0,
            transcript="hello",
            usage={"type": "duration", "seconds": 1.0},
        ),
    )
    assert len(c) == 0  # not in the conversation until the server adds it
    feed(
        c,
        ev(
            "conversation.item.added",
            item={
                "id": "u1",
                "type": "message",
                "role": "user",
                "content": [{"type": "input_audio", "transcript": None}],
            },
        ),
    )
    (item,) = c.items
    assert item.text == "hello"
    assert item.content[0].type == "input_audio"
    assert c.transcripts[0].status == "completed"


def test_transcription_deltas_interleaved_and_after_a_deletion() -> None:
    """Deltas of two items' transcriptions interleaved, and of an item deleted and added
    again under the same id: each part gets its own words, the new item none of the old."""
    c = Conversation()

    def heard(item_id: str, delta: str, index: int | None = 0) -> Any:
        fields = {} if index is None else {"content_index": index}
        return ev(
            "conversation.item.input_audio_transcription.delta",
            item_id=item_id,
            delta=delta,
            **fields,
        )

    def added(item_id: str) -> Any:
        item = {"id": item_id, "type": "message", "role": "user", "content": []}
        return ev("conversation.item.added", item=item)

    feed(c, added("u1"), added("u2"))
    feed(c, heard("u1", "a"), heard("u1", "b", None), heard("u2", "x"), heard("u1", "c"))
    assert [i.content[0].transcript for i in c.items] == ["abc", "x"]
    assert [t.text for t in c.transcripts] == ["abc", "x"]
    feed(c, ev("conversation.item.deleted", item_id="u1"), heard("u1", "new"), added("u1"))
    assert [(i.id, i.content[0].transcript) for i in c.items] == [("u2", "x"), ("u1", "new")]


def test_deltas_of_a_response_whose_created_was_missed() -> None:
    c = Conversation()
    feed(
        c,
        ev(
            "response.output_text.delta",
            response_id="r1",
            item_id="i1",
            output_index=0,
            content_index=0,
            delta="Hi",
        ),
        ev(
            "response.done",
            response={"id": "r1", "status": "completed", "output": [], "conversation_id": "c"},
        ),
    )
    (response,) = c.responses
    assert response.status == "completed"
    assert response.metrics is None  # no response.created: no timing to report


def test_truncation_of_audio_partly_let_go_by_retention() -> None:
    c = Conversation(audio=AudioRetention.last(1.0))
    feed(
        c,
        ev(
            "response.created",
            response={"id": "r1", "status": "in_progress", "conversation_id": "c"},
        ),
        ev(
            "response.output_item.added", response_id="r1", output_index=0, item=audio_message("a1")
        ),
        ev("conversation.item.added", item=audio_message("a1")),
    )
    chunk = bytes(range(256)) * 19  # 4864 bytes: about 101 ms
    for _ in range(30):  # about 3 s of audio, 1 s kept
        feed(c, audio_delta("a1", chunk))
    part = c.items[0].content[0]
    assert part.audio_bytes == 30 * len(chunk)
    # Let go in batches: at most the limit plus 250 ms, and never less than the limit.
    assert 1000.0 - 102 <= c.audio_held_ms <= 1250.0
    assert part.kept_bytes == len(part.audio) <= 1250 * 48
    assert not part.audio_complete
    feed(c, ev("conversation.item.truncated", item_id="a1", content_index=0, audio_end_ms=2500))
    assert part.audio_bytes == 2500 * 48
    assert part.kept_bytes == len(part.audio) == 2500 * 48 - part.dropped_bytes
    assert c.audio_held_ms == pytest.approx(part.kept_bytes / 48)
    feed(c, ev("conversation.item.truncated", item_id="a1", content_index=0, audio_end_ms=100))
    assert part.kept_bytes == 0
    assert part.audio == b""
    assert c.audio_held_ms == pytest.approx(0.0)


@pytest.mark.parametrize("ms", [100, 125])
def test_retention_trims_on_the_delta_that_passes_the_batch_mark(ms: int) -> None:
    """1 s kept, trimmed once more than 1250 ms is held: a delta that reaches the mark
    exactly keeps it all, the next one lets the oldest go down to the limit."""
    c = Conversation(audio=AudioRetention.last(1.0))
    feed(c, ev("conversation.item.added", item=audio_message("a1")))
    chunk = bytes(48 * ms)
    below = 1250 // ms  # deltas that stay at or under the mark
    for n in range(1, below + 1):
        feed(c, audio_delta("a1", chunk))
        assert c.audio_held_ms == pytest.approx(n * ms)  # counted mid-run, no trim yet
    part = c.items[0].content[0]
    assert part.kept_bytes == len(part.audio) == below * len(chunk)
    assert part.audio_complete
    feed(c, audio_delta("a1", chunk))
    assert c.audio_held_ms == pytest.approx(1000.0)
    assert part.kept_bytes == len(part.audio) == 1000 * 48
    assert part.dropped_bytes == (below + 1) * len(chunk) - 1000 * 48
    assert part.audio_bytes == (below + 1) * len(chunk)


@pytest.mark.parametrize("seconds", [0.6, 0.01])
def test_kept_audio_counts_stay_exact_across_parts_truncations_and_deletions(
    seconds: float,
) -> None:
    """Deltas for several items in runs, truncations and deletions between them: what each
    part keeps is what it holds, the total is their sum, and it stays under the batch mark
    (600 ms trimmed past 850 ms; 10 ms, less than a delta: a trim lets go all a run's part
    holds, and its next delta is kept again)."""
    rng = random.Random(3)
    c = Conversation(audio=AudioRetention.last(seconds))
    mark = seconds * 1000 + 250
    ids = [f"a{i}" for i in range(6)]
    for item_id in ids:
        feed(c, ev("conversation.item.added", item=audio_message(item_id)))
    live = list(ids)
    for step in range(600):
        roll = rng.random()
        if roll < 0.03 and len(live) > 1:
            gone = live.pop(rng.randrange(len(live)))
            feed(c, ev("conversation.item.deleted", item_id=gone))
        elif roll < 0.08:
            target = c.get(rng.choice(live))
            assert target is not None
            if target.content:
                end = int(target.content[0].audio_ms * rng.random())
                feed(
                    c,
                    ev(
                        "conversation.item.truncated",
                        item_id=target.id,
                        content_index=0,
                        audio_end_ms=end,
                    ),
                )
        else:
            item_id = live[(step // 7) % len(live)]  # runs of deltas for one part
            feed(c, audio_delta(item_id, rng.randbytes(2 * rng.randrange(1, 2400))))
        parts = [p for item in c.items for p in item.content]
        for part in parts:
            assert part.kept_bytes == len(part.audio)
            assert 0 <= part.dropped_bytes <= part.audio_bytes
        assert c.audio_held_ms == pytest.approx(sum(p.kept_bytes / 48 for p in parts))
        assert c.audio_held_ms <= mark + 1e-6
        # Every part holding audio can be let go: it is in the store's order.
        assert {id(p) for p in parts if p.chunks} <= {id(p) for p in c._store.order}


def test_retention_none_keeps_durations_only_and_all_keeps_everything() -> None:
    chunk = b"\x01\x02" * 2400  # 100 ms
    for retention, kept in ((AudioRetention.none(), 0), (AudioRetention.all(), 50 * len(chunk))):
        c = Conversation(audio=retention)
        feed(c, ev("conversation.item.added", item=audio_message("a1")))
        for _ in range(50):
            feed(c, audio_delta("a1", chunk))
        assert c.items[0].audio_ms == pytest.approx(5000.0)
        assert len(c.items[0].audio) == kept


def test_retention_refuses_a_negative_limit() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        AudioRetention.last(-1)


def test_a_new_session_after_a_reconnect_starts_empty_and_keeps_the_old_items() -> None:
    c = Conversation()
    session = {"type": "realtime", "id": "sess_1", "model": "gpt-realtime"}
    feed(
        c,
        ev("session.created", session=session),
        ev("conversation.item.added", item=user("a", "a")),
        ev("session.created", session={**session, "id": "sess_2"}),
    )
    assert c.session_id == "sess_2"
    assert len(c) == 0
    assert [i.id for i in c.previous_items] == ["a"]


def test_function_call_arguments_that_are_not_json() -> None:
    c = Conversation()
    call = {"id": "f1", "type": "function_call", "name": "f", "arguments": "", "call_id": "c1"}
    where = {"response_id": "r", "item_id": "f1", "output_index": 0, "call_id": "c1"}
    feed(
        c,
        ev("conversation.item.added", item=call),
        ev("response.function_call_arguments.delta", **where, delta='{"a": '),
    )
    item = c.items[0]
    assert item.arguments == '{"a": '
    assert item.parsed_arguments is None
    feed(c, ev("response.function_call_arguments.done", **where, name="f", arguments='{"a": 1}'))
    assert item.parsed_arguments == {"a": 1}


def test_mcp_call_items_are_assembled() -> None:
    c = Conversation()
    mcp = {
        "id": "m1",
        "type": "mcp_call",
        "server_label": "docs",
        "name": "search",
        "arguments": "",
    }
    where = {"response_id": "r", "item_id": "m1", "output_index": 0}
    feed(
        c,
        ev("conversation.item.added", item=mcp),
        ev("response.mcp_call_arguments.delta", **where, delta='{"q"'),
        ev("response.mcp_call_arguments.delta", **where, delta=': "x"}'),
        ev("response.mcp_call.in_progress", item_id="m1", output_index=0),
        ev("conversation.item.done", item={**mcp, "arguments": '{"q": "x"}', "output": "found"}),
        ev("response.mcp_call.completed", item_id="m1", output_index=0),
    )
    item = c.items[0]
    assert (item.type, item.server_label, item.name) == ("mcp_call", "docs", "search")
    assert item.parsed_arguments == {"q": "x"}
    assert item.output == "found"
    assert item.status == "completed"


def test_an_item_sent_again_unchanged_keeps_its_deltas_and_its_truncation() -> None:
    """An item comes in response.output_item.done, conversation.item.done and response.done:
    sent again unchanged, it changes nothing the events between did; ``raw`` is the last."""
    c = Conversation()
    reply = {**audio_message("a1"), "status": "completed"}
    reply["content"] = [{"type": "output_audio", "transcript": "hello there"}]
    where = {"response_id": "r1", "output_index": 0}
    feed(
        c,
        ev("response.created", response={"id": "r1", "status": "in_progress", "output": []}),
        ev("response.output_item.added", **where, item=audio_message("a1")),
        audio_delta("a1", bytes(4800)),
        ev("response.output_item.done", **where, item=reply),
        ev("conversation.item.truncated", item_id="a1", content_index=0, audio_end_ms=40),
    )
    again = ev("conversation.item.done", item=reply)
    done = ev("response.done", response={"id": "r1", "status": "completed", "output": [reply]})
    feed(c, again, done)
    item = c.get("a1")
    assert item is not None
    assert item.raw is done.response.output[0]
    assert (item.text, item.content[0].audio_bytes, item.truncated_ms) == ("", 1920, 40)
    assert len(item.content[0].audio) == 1920


def test_a_conversation_has_fewer_than_30_attributes() -> None:
    """Past 29, CPython 3.11 gives an instance a dict of its own and each attribute read on
    the delta paths costs more (a guard for the mirror's hot path, not behaviour)."""
    assert len(vars(Conversation())) < 30
