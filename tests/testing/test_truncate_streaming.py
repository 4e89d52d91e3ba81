"""Truncating an assistant item while its audio still streams, at real-time pacing.

Clients interrupt the assistant by truncating the item being played, with or without a
``response.cancel`` first. Whatever they send, the response ends with ``response.done``, the
truncated item keeps exactly the audio up to the truncation point, and the session takes the
next ``response.create``.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from realtime_bus.protocol.server import encode_server
from realtime_bus.testing import Reply, ScriptedResponder, Simulator

from ._client import Client, connect, text_item, validate_event

LONG = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"


@pytest.fixture
async def realtime() -> AsyncIterator[Simulator]:
    async with Simulator(realtime_factor=1.0) as simulator:
        yield simulator
    for session in simulator.history:
        for event in session.sent:
            validate_event(encode_server(event))


async def _start_reply(client: Client, text: str = LONG) -> None:
    await client.send(text_item(text))
    await client.until("conversation.item.done")
    await client.send({"type": "response.create"})


async def _deltas(client: Client, count: int, item_id: str | None = None) -> dict[str, Any]:
    """Receive until ``count`` audio deltas of ``item_id`` (any item when None); the last one."""
    seen = 0
    while True:
        event = await client.until("response.output_audio.delta")
        delta = event[-1]
        if item_id is None or delta["item_id"] == item_id:
            seen += 1
            if seen == count:
                return delta


async def _mid_reply(realtime: Simulator, deltas: int) -> tuple[Client, dict[str, Any]]:
    """A client whose spoken reply is under way: connected, a long reply asked for and ``deltas``
    of its audio deltas received; the client and the last of those deltas."""
    client = await connect(realtime)
    await _start_reply(client)
    return client, await _deltas(client, deltas)


async def _truncate(client: Client, item_id: str, end_ms: int) -> None:
    await client.send(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": end_ms,
        }
    )


async def _retrieved_audio(client: Client, item_id: str) -> tuple[bytes, dict[str, Any]]:
    await client.send({"type": "conversation.item.retrieve", "item_id": item_id})
    event = await client.until_one_of("conversation.item.retrieved")
    part = event["item"]["content"][0]
    return base64.b64decode(part["audio"]), part


async def _next_turn_is_answered(client: Client) -> None:
    await client.send(text_item("and now?"))
    await client.until("conversation.item.done")
    await client.send({"type": "response.create"})
    events = await client.until("response.done", timeout=15)
    assert not [e for e in events if e["type"] == "error"], events
    assert events[-1]["response"]["status"] == "completed"


async def test_truncate_without_cancel_ends_the_response(realtime: Simulator) -> None:
    client, delta = await _mid_reply(realtime, 3)
    item_id = delta["item_id"]
    await _truncate(client, item_id, 250)
    after = await client.until("response.done", timeout=5)
    types = [e["type"] for e in after]
    truncated_at = types.index("conversation.item.truncated")
    assert "response.output_audio.delta" not in types[truncated_at:]
    assert "response.output_audio_transcript.delta" not in types[truncated_at:]
    for name in ("response.output_audio.done", "response.output_item.done"):
        assert name in types[truncated_at:]
    done = after[-1]["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["status"] == "incomplete"
    assert done["output"][0]["content"][0]["transcript"] == ""
    audio, part = await _retrieved_audio(client, item_id)
    assert len(audio) == 250 * 48
    assert part["transcript"] == ""
    await _next_turn_is_answered(client)
    await client.ws.close()


async def test_cancel_then_truncate(realtime: Simulator) -> None:
    client, delta = await _mid_reply(realtime, 2)
    await client.send({"type": "response.cancel"})
    await _truncate(client, delta["item_id"], 150)
    events = await client.until("response.done", timeout=5)
    assert events[-1]["response"]["status"] == "cancelled"
    if "conversation.item.truncated" not in [e["type"] for e in events]:
        await client.until_one_of("conversation.item.truncated")
    audio, _ = await _retrieved_audio(client, delta["item_id"])
    assert len(audio) == 150 * 48
    await _next_turn_is_answered(client)
    await client.ws.close()


async def test_truncate_then_cancel(realtime: Simulator) -> None:
    client, delta = await _mid_reply(realtime, 2)
    await _truncate(client, delta["item_id"], 150)
    await client.send({"type": "response.cancel", "event_id": "c1"})
    events = await client.until("response.done", timeout=5)
    # The cancel may arrive after the truncated item ended the response, or before.
    errors = [e for e in events if e["type"] == "error"]
    if errors:
        assert errors[0]["error"]["code"] == "response_cancel_not_active"
    audio, _ = await _retrieved_audio(client, delta["item_id"])
    assert len(audio) == 150 * 48
    await _next_turn_is_answered(client)
    await client.ws.close()


async def test_truncate_a_later_item_of_the_same_response(realtime: Simulator) -> None:
    realtime.responder = ScriptedResponder(
        Reply(output=["First part, short.", "Second part, which goes on for a while longer."]),
        "Answered.",
    )
    client = await connect(realtime)
    await _start_reply(client, "talk")
    first = (await client.until("response.output_item.done"))[-1]["item"]
    added = (await client.until("response.output_item.added"))[-1]["item"]
    assert added["id"] != first["id"]
    await _deltas(client, 2, added["id"])
    await _truncate(client, added["id"], 120)
    events = await client.until("response.done", timeout=5)
    types = [e["type"] for e in events]
    assert "response.output_audio.delta" not in types[types.index("conversation.item.truncated") :]
    output = events[-1]["response"]["output"]
    assert [o["status"] for o in output] == ["completed", "incomplete"]
    assert output[0]["content"][0]["transcript"] == "First part, short."
    audio, _ = await _retrieved_audio(client, added["id"])
    assert len(audio) == 120 * 48
    await _next_turn_is_answered(client)
    await client.ws.close()


async def test_truncating_an_earlier_item_leaves_the_streaming_one_alone(
    realtime: Simulator,
) -> None:
    realtime.responder = ScriptedResponder(Reply(output=["Short one.", "A second, longer one."]))
    client = await connect(realtime)
    await _start_reply(client, "talk")
    first = (await client.until("response.output_item.done"))[-1]["item"]
    await _deltas(client, 1)
    await _truncate(client, first["id"], 100)
    events = await client.until("response.done", timeout=10)
    output = events[-1]["response"]["output"]
    assert [o["status"] for o in output] == ["completed", "completed"]
    assert output[1]["content"][0]["transcript"] == "A second, longer one."
    await client.ws.close()


async def test_a_failure_inside_a_response_ends_it_and_the_session_goes_on(
    realtime: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    realtime.realtime_factor = 0.2
    realtime.faults.fail_mid_response(after_deltas=4)
    client = await connect(realtime)
    with caplog.at_level(logging.ERROR, logger="realtime_bus.testing"):
        await _start_reply(client)
        events = await client.until("response.done", timeout=10)
    errors = [e for e in events if e["type"] == "error"]
    assert len(errors) == 1
    assert errors[0]["error"]["type"] == "server_error"
    assert errors[0]["error"]["message"].startswith("The server had an error")
    done = events[-1]["response"]
    assert done["status"] == "failed"
    assert done["status_details"]["type"] == "failed"
    assert done["status_details"]["error"]["type"] == "server_error"
    assert [o["status"] for o in done["output"]] == ["incomplete"]
    types = [e["type"] for e in events]
    assert types.index("response.output_item.done") < types.index("response.done")
    failures = [r for r in caplog.records if "simulator_response_failed" in r.getMessage()]
    assert failures
    assert failures[0].levelno == logging.ERROR
    assert "Traceback" in failures[0].getMessage()
    assert "InjectedFault" in failures[0].getMessage()
    await _next_turn_is_answered(client)
    await client.ws.close()
