"""The simulator's handshake, session configuration, items and text responses, over loopback."""

from __future__ import annotations

import pytest
import websockets

from realtime_bus.protocol import MessageItem
from realtime_bus.testing import Simulator

from ._client import Client, connect, text_item


async def test_session_created_carries_a_full_default_session(sim: Simulator) -> None:
    c = await connect(sim)
    session = c.events[0]["session"]
    assert session["id"].startswith("sess_")
    assert session["model"] == "gpt-realtime"
    assert session["expires_at"] > 0
    assert session["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    assert session["audio"]["output"]["voice"] == "marin"
    assert session["output_modalities"] == ["audio"]
    assert sim.connections[0].id == session["id"]
    await c.ws.close()


async def test_urls(sim: Simulator) -> None:
    assert sim.url == f"ws://127.0.0.1:{sim.port}/v1/realtime"
    assert sim.ws_base_url == f"ws://127.0.0.1:{sim.port}/v1"
    assert sim.http_url == f"http://127.0.0.1:{sim.port}/v1"


async def test_missing_or_malformed_authorization_is_refused_with_401(sim: Simulator) -> None:
    with pytest.raises(websockets.InvalidStatus) as missing:
        await websockets.connect(sim.url + "?model=gpt-realtime")
    assert missing.value.response.status_code == 401
    with pytest.raises(websockets.InvalidStatus) as malformed:
        await websockets.connect(
            sim.url, additional_headers={"Authorization": "Basic dXNlcjpwYXNz"}
        )
    assert malformed.value.response.status_code == 401
    assert not sim.history


async def test_configured_key_is_the_only_one_accepted() -> None:
    async with Simulator(api_key="sk-right") as sim:
        with pytest.raises(websockets.InvalidStatus) as wrong:
            await connect(sim, key="sk-wrong")
        assert wrong.value.response.status_code == 401
        assert b"sk-wrong" not in wrong.value.response.body
        c = await connect(sim, key="sk-right")
        await c.ws.close()


async def test_azure_form_is_accepted(sim: Simulator) -> None:
    url = f"ws://127.0.0.1:{sim.port}/openai/realtime?deployment=my-dep&api-version=2025-04-01"
    async with websockets.connect(url, additional_headers={"api-key": "azure-key"}) as ws:
        created = Client(ws)
        event = await created.expect("session.created")
        assert event["session"]["model"] == "my-dep"


async def test_session_update_merges_and_reports_the_whole_session(client: Client) -> None:
    await client.send(
        {
            "type": "session.update",
            "event_id": "evt_1",
            "session": {
                "type": "realtime",
                "instructions": "Be terse.",
                "audio": {"input": {"turn_detection": None}},
            },
        }
    )
    updated = (await client.expect("session.updated"))["session"]
    assert updated["instructions"] == "Be terse."
    assert updated["audio"]["input"]["turn_detection"] is None
    # Keys the update did not carry keep their values.
    assert updated["audio"]["output"]["voice"] == "marin"
    assert updated["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}


async def test_invalid_session_update_names_event_and_param_and_changes_nothing(
    sim: Simulator, client: Client
) -> None:
    before = sim.connections[0].config
    await client.send(
        {
            "type": "session.update",
            "event_id": "evt_bad",
            "session": {"type": "realtime", "output_modalities": ["text", "audio"]},
        }
    )
    error = (await client.expect("error"))["error"]
    assert error["event_id"] == "evt_bad"
    assert error["param"] == "session.output_modalities"
    assert error["code"] == "invalid_value"
    await client.send(
        {
            "type": "session.update",
            "event_id": "evt_bad2",
            "session": {"type": "realtime", "instructions": 42},
        }
    )
    error = (await client.expect("error"))["error"]
    assert error["event_id"] == "evt_bad2"
    assert error["param"] == "session.instructions"
    assert error["code"] == "invalid_type"
    assert sim.connections[0].config == before


async def test_bad_json_unknown_types_and_missing_fields_get_errors_and_keep_the_connection(
    client: Client,
) -> None:
    await client.ws.send("{not json")
    assert (await client.expect("error"))["error"]["code"] == "invalid_json"
    await client.send({"type": "response.dance", "event_id": "e9"})
    error = (await client.expect("error"))["error"]
    assert (error["code"], error["param"], error["event_id"]) == ("invalid_value", "type", "e9")
    await client.send({"type": "conversation.item.create", "event_id": "e10"})
    error = (await client.expect("error"))["error"]
    assert (error["code"], error["param"]) == ("missing_required_parameter", "item")
    # Still open and answering.
    await client.send(text_item("still there?"))
    await client.expect("conversation.item.added")


async def test_item_create_added_then_done_and_previous_item_id(
    sim: Simulator, client: Client
) -> None:
    await client.send(text_item("first"))
    added = await client.expect("conversation.item.added")
    done = await client.expect("conversation.item.done")
    first_id = added["item"]["id"]
    assert done["item"]["id"] == first_id
    assert added["previous_item_id"] is None
    await client.send(text_item("second"))
    added2 = await client.expect("conversation.item.added")
    assert added2["previous_item_id"] == first_id
    await client.expect("conversation.item.done")
    await client.send({**text_item("zeroth"), "previous_item_id": "root"})
    added0 = await client.expect("conversation.item.added")
    assert added0["previous_item_id"] is None
    items = sim.connections[0].items
    assert [i.content[0].text for i in items if isinstance(i, MessageItem)] == [
        "zeroth",
        "first",
        "second",
    ]


async def test_text_response_streams_in_the_service_order(sim: Simulator, client: Client) -> None:
    await client.send(
        {
            "type": "session.update",
            "session": {"type": "realtime", "output_modalities": ["text"]},
        }
    )
    await client.expect("session.updated")
    await client.send(text_item("hello there"))
    await client.until("conversation.item.done")
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    types = [e["type"] for e in events]
    assert types[:4] == [
        "response.created",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
    ]
    assert types[-5:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
    ]
    text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert text == "You said: hello there"
    done = events[-1]["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0] == {"type": "output_text", "text": text}
    assert done["usage"]["total_tokens"] > 0
    await client.expect("rate_limits.updated")
    session = sim.connections[0]
    assert [e.type for e in session.received] == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]
    assert session.sent_types()[-1] == "rate_limits.updated"


async def test_second_response_while_one_is_active_is_refused() -> None:
    async with Simulator(realtime_factor=1.0) as sim:
        client = await connect(sim)
        await _second_response(client)


async def _second_response(client: Client) -> None:
    await client.send({"type": "response.create", "event_id": "r1"})
    created = await client.expect("response.created")
    await client.send({"type": "response.create", "event_id": "r2"})
    events = await client.until("error")
    error = events[-1]["error"]
    assert error["code"] == "conversation_already_has_active_response"
    assert error["event_id"] == "r2"
    assert created["response"]["id"] in error["message"]


async def test_out_of_band_response_with_metadata_stays_out_of_the_conversation(
    sim: Simulator, client: Client
) -> None:
    await client.send(text_item("remember this"))
    await client.until("conversation.item.done")
    await client.send(
        {
            "type": "response.create",
            "response": {
                "conversation": "none",
                "metadata": {"purpose": "summary"},
                "output_modalities": ["text"],
            },
        }
    )
    events = await client.until("response.done")
    assert "conversation.item.added" not in [e["type"] for e in events]
    done = events[-1]["response"]
    assert done["metadata"] == {"purpose": "summary"}
    assert done["conversation_id"] is None
    assert len(sim.connections[0].items) == 1


async def test_record_off_keeps_no_transcript_of_the_wire() -> None:
    async with Simulator(record=False) as sim:
        client = await connect(sim)
        await client.send(text_item("not kept"))
        await client.until("conversation.item.done")
        session = sim.connections[0]
        assert (session.received, session.sent) == ([], [])
        assert len(session.items) == 1
