"""Function calls, cancellation, truncation, retrieve/delete, responders and session expiry."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
import websockets

from realtime_bus.testing import (
    Reply,
    ResponderContext,
    ScriptedResponder,
    Simulator,
    ToolCall,
    decode_speech,
)

from ._client import Client, connect, text_item

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a location.",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["location"],
    },
}


async def configure(client: Client, **session: Any) -> dict[str, Any]:
    await client.send({"type": "session.update", "session": {"type": "realtime", **session}})
    return (await client.expect("session.updated"))["session"]


async def test_function_call_round_trip(sim: Simulator, client: Client) -> None:
    await configure(client, tools=[WEATHER_TOOL], output_modalities=["text"])
    await client.send(text_item("What's the weather in Paris?"))
    await client.until("conversation.item.done")
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    args = "".join(
        e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"
    )
    done_args = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert json.loads(args) == {"location": "Paris"}
    assert done_args["name"] == "get_weather"
    assert done_args["arguments"] == args
    call = events[-1]["response"]["output"][0]
    assert (call["type"], call["status"], call["call_id"]) == (
        "function_call",
        "completed",
        done_args["call_id"],
    )
    await client.expect("rate_limits.updated")
    await client.send(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "function_call_output",
                "call_id": call["call_id"],
                "output": '{"temperature_c": 18}',
            },
        }
    )
    await client.until("conversation.item.done")
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    text = next(e for e in events if e["type"] == "response.output_text.done")["text"]
    assert text == 'get_weather returned: {"temperature_c": 18}'
    kinds = [type(i).__name__ for i in sim.connections[0].items]
    assert kinds == ["MessageItem", "FunctionCallItem", "FunctionCallOutputItem", "MessageItem"]


async def test_tool_choice_none_never_calls(client: Client) -> None:
    await configure(client, tools=[WEATHER_TOOL], tool_choice="none", output_modalities=["text"])
    await client.send(text_item("weather in Oslo"))
    await client.until("conversation.item.done")
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    assert events[-1]["response"]["output"][0]["type"] == "message"


async def test_cancel_mid_stream_and_cancel_with_nothing_active() -> None:
    async with Simulator(realtime_factor=1.0) as sim:
        client = await connect(sim)
        await client.send({"type": "response.cancel", "event_id": "x1"})
        error = (await client.expect("error"))["error"]
        assert (error["code"], error["event_id"]) == ("response_cancel_not_active", "x1")
        await client.send(text_item("say something long " * 5))
        await client.until("conversation.item.done")
        await client.send({"type": "response.create"})
        await client.until("response.output_audio.delta")
        await client.send({"type": "response.cancel"})
        events = await client.until("response.done")
        done = events[-1]["response"]
        assert done["status"] == "cancelled"
        assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
        assert done["output"][0]["status"] == "incomplete"
        types = [e["type"] for e in events]
        assert types.index("response.output_item.done") < types.index("response.done")


async def test_truncate_rules(sim: Simulator, client: Client) -> None:
    await configure(client, audio={"input": {"turn_detection": None}})
    await client.send(text_item("hi"))
    user = (await client.until("conversation.item.done"))[-1]["item"]["id"]
    await client.send({"type": "response.create"})
    events = await client.until("response.done")
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    audio_ms = len(audio) * 1000 // 48000
    assistant = events[-1]["response"]["output"][0]["id"]

    async def truncate(item_id: str, end_ms: int) -> dict[str, Any]:
        await client.send(
            {
                "type": "conversation.item.truncate",
                "event_id": f"t{end_ms}",
                "item_id": item_id,
                "content_index": 0,
                "audio_end_ms": end_ms,
            }
        )
        return await client.until_one_of("error", "conversation.item.truncated")

    past = await truncate(assistant, audio_ms + 500)
    assert past["type"] == "error"
    assert past["error"]["message"] == (
        f"Audio content of {audio_ms}ms is already shorter than {audio_ms + 500}ms"
    )
    assert past["error"]["event_id"] == f"t{audio_ms + 500}"
    not_audio = await truncate(user, 100)
    assert not_audio["error"]["message"] == "Only model output audio messages can be truncated"
    at_zero = await truncate(assistant, 0)
    assert at_zero["type"] == "error"
    missing = await truncate("item_nope", 100)
    assert missing["error"]["code"] == "item_truncate_invalid_item_id"
    ok = await truncate(assistant, 300)
    assert ok == {**ok, "type": "conversation.item.truncated", "audio_end_ms": 300}
    await client.send({"type": "conversation.item.retrieve", "item_id": assistant})
    retrieved = (await client.expect("conversation.item.retrieved"))["item"]
    part = retrieved["content"][0]
    assert part["transcript"] == ""
    assert part["format"] == "pcm16"
    assert len(base64.b64decode(part["audio"])) == 300 * 48


async def test_retrieve_and_delete(sim: Simulator, client: Client) -> None:
    await client.send(text_item("keep me"))
    item_id = (await client.until("conversation.item.done"))[-1]["item"]["id"]
    await client.send({"type": "conversation.item.retrieve", "item_id": item_id})
    retrieved = await client.expect("conversation.item.retrieved")
    assert retrieved["item"]["content"][0]["text"] == "keep me"
    await client.send({"type": "conversation.item.delete", "item_id": item_id})
    deleted = await client.expect("conversation.item.deleted")
    assert deleted["item_id"] == item_id
    assert sim.connections[0].items == []
    for kind, code in (("delete", "item_delete_invalid_item_id"), ("retrieve", None)):
        await client.send({"type": f"conversation.item.{kind}", "item_id": item_id})
        error = (await client.expect("error"))["error"]
        assert error["param"] == "item_id"
        if code:
            assert error["code"] == code


async def test_duplicate_item_id_and_unknown_previous_item_are_errors(client: Client) -> None:
    event = text_item("one")
    event["item"]["id"] = "item_mine"  # type: ignore[index]
    await client.send(event)
    added = await client.expect("conversation.item.added")
    assert added["item"]["id"] == "item_mine"
    await client.expect("conversation.item.done")
    await client.send(event)
    assert (await client.expect("error"))["error"]["param"] == "item.id"
    await client.send({**text_item("two"), "previous_item_id": "item_unknown"})
    assert (await client.expect("error"))["error"]["param"] == "previous_item_id"


async def test_scripted_responder_sees_the_conversation() -> None:
    script = ScriptedResponder(
        "First answer.",
        ToolCall(name="lookup", arguments={"q": "x"}),
        lambda ctx: Reply(text=f"{len(ctx.conversation)} items so far"),
    )
    async with Simulator(responder=script) as sim:
        client = await connect(sim)
        await configure(client, output_modalities=["text"])
        for expected in ("First answer.", None, "5 items so far"):
            await client.send(text_item("go"))
            await client.until("conversation.item.done")
            await client.send({"type": "response.create"})
            events = await client.until("response.done")
            output = events[-1]["response"]["output"][0]
            if expected is None:
                assert output["name"] == "lookup"
            else:
                assert output["content"][0]["text"] == expected
        assert len(script.contexts) == 3
        assert script.contexts[0].last_user_text == "go"
        # Out of replies: the response fails with a server error.
        await client.send({"type": "response.create"})
        done = (await client.until("response.done"))[-1]["response"]
        assert done["status"] == "failed"
        assert done["status_details"]["error"]["type"] == "server_error"


async def test_async_responder_and_response_instructions() -> None:
    seen: list[ResponderContext] = []

    async def responder(ctx: ResponderContext) -> str:
        seen.append(ctx)
        await asyncio.sleep(0.01)
        return "async hello"

    async with Simulator(responder=responder) as sim:
        client = await connect(sim)
        await client.send(
            {
                "type": "response.create",
                "response": {"instructions": "Speak like a pirate.", "output_modalities": ["text"]},
            }
        )
        events = await client.until("response.done")
        assert events[-1]["response"]["output"][0]["content"][0]["text"] == "async hello"
        assert seen[0].instructions == "Speak like a pirate."


async def test_audio_reply_is_decodable_and_proportional_to_the_text(client: Client) -> None:
    lengths = []
    for words in ("hi", "hi " * 20):
        await client.send(text_item(words.strip()))
        await client.until("conversation.item.done")
        await client.send({"type": "response.create"})
        events = await client.until("response.done")
        audio = b"".join(
            base64.b64decode(e["delta"])
            for e in events
            if e["type"] == "response.output_audio.delta"
        )
        assert decode_speech(audio) == f"You said: {words.strip()}"
        lengths.append(len(audio))
        await client.expect("rate_limits.updated")
    assert lengths[1] > 4 * lengths[0]


async def test_session_expiry_closes_with_1001_and_the_service_reason() -> None:
    async with Simulator(max_session_seconds=0.3) as sim:
        client = await connect(sim)
        error = (await client.expect("error", timeout=3))["error"]
        assert error["code"] == "session_expired"
        with pytest.raises(websockets.ConnectionClosed):
            await client.recv(timeout=3)
        assert client.ws.close_code == 1001
        assert client.ws.close_reason == "Your session hit the maximum duration of 0.3 seconds."
        await sim.history[0].wait_closed(timeout=3)
        assert sim.connections == []


def test_expiry_reason_for_the_default_duration() -> None:
    from realtime_bus.testing._config import session_expiry_reason

    assert session_expiry_reason(3600) == "Your session hit the maximum duration of 60 minutes."
