"""Session rotation and history restore against the simulator's session limit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from realtime_bus import (
    Bus,
    ContentPart,
    FunctionCallItem,
    FunctionCallOutputItem,
    InputAudioBufferAppend,
    MessageItem,
    ResponseDone,
    Rotated,
    pcm_from_base64,
)
from realtime_bus.agent import Conversation, Rotation
from realtime_bus.testing import ResponderContext, SimulatedSession, Simulator, ToolCall
from realtime_bus.testing._responder import item_text
from tests._sim import make_bus

from .conftest import WEATHER

pytestmark = pytest.mark.anyio


def assistant(context: ResponderContext) -> str | ToolCall:
    """Answers from the whole conversation the session holds, so a reply can refer back."""
    items = context.conversation
    last = items[-1]
    if isinstance(last, FunctionCallOutputItem):
        return f"The weather is {last.output}."
    said = context.last_user_text or ""
    if "weather" in said:
        return ToolCall(name="get_weather", arguments={"city": "Paris"})
    if "first" in said:
        users = [item_text(i) for i in items if isinstance(i, MessageItem) and i.role == "user"]
        calls = [i.call_id for i in items if isinstance(i, FunctionCallItem)]
        return f"You first said '{users[0]}'; I called {len(calls)} tool(s)."
    return f"You said: {said}"


def user_text(text: str) -> MessageItem:
    return MessageItem(role="user", content=[ContentPart(type="input_text", text=text)])


async def turn(bus: Bus, text: str) -> ResponseDone:
    await bus.conversation.item.create(user_text(text), wait=True)
    done = bus.expect(ResponseDone)
    await bus.response.create()
    return await done.wait(10)


async def answer_the_weather_call(bus: Bus, weather: str) -> None:
    """Ask for the weather, check that the answer is one function call, and add ``weather`` as
    its output."""
    call = await turn(bus, "what's the weather?")
    (call_item,) = call.response.output
    assert isinstance(call_item, FunctionCallItem)
    assert isinstance(call_item.call_id, str)
    output = FunctionCallOutputItem(call_id=call_item.call_id, output=weather)
    await bus.conversation.item.create(output, wait=True)


def shape(session: SimulatedSession) -> list[tuple[Any, ...]]:
    """Type, id, call id and words of every item the session holds."""
    out: list[tuple[Any, ...]] = []
    for stored in session.conversation.stored():
        item = stored.item
        if isinstance(item, MessageItem):
            words = "".join(p.text or p.transcript or "" for p in item.content)
            out.append(("message", item.id, item.role, words))
        elif isinstance(item, FunctionCallItem):
            out.append(("function_call", item.id, item.call_id, item.name, item.arguments))
        elif isinstance(item, FunctionCallOutputItem):
            out.append(("function_call_output", item.id, item.call_id, item.output))
    return out


def appended(session: SimulatedSession) -> bytes:
    return b"".join(
        pcm_from_base64(e.audio) for e in session.received if isinstance(e, InputAudioBufferAppend)
    )


async def test_rotation_keeps_the_conversation_across_the_session_limit() -> None:
    async with Simulator(max_session_seconds=6, responder=assistant) as sim:
        bus = make_bus(sim)
        conversation = Conversation(bus, rotation=Rotation(before_expiry=3.5))
        seen: list[Any] = []
        bus.add_handler("*", lambda e: seen.append(e.type))
        rotated: list[Rotated] = []
        bus.add_handler("bus.rotated", rotated.append)
        async with bus:
            await bus.session.update(
                instructions="Answer from the conversation.",
                tools=[WEATHER],
                turn_detection=None,
                wait=True,
            )
            first = await turn(bus, "hello there")
            assert first.response.status == "completed"
            await answer_the_weather_call(bus, "sunny")
            done = bus.expect(ResponseDone)
            await bus.response.create()
            assert "sunny" in (await done.wait(10)).response.output[0].content[0].transcript
            await turn(bus, "thanks")
            old = sim.history[0]
            before = shape(old)
            assert [entry[0] for entry in before].count("function_call") == 1

            # Audio keeps flowing while the rotation happens: none may be lost or doubled.
            sent = bytearray()

            async def microphone() -> None:
                for n in range(400):
                    chunk = bytes([n % 251, 1]) * 240  # 10 ms, distinct per chunk
                    sent.extend(chunk)
                    await bus.input_audio_buffer.append(chunk)
                    if rotated and n % 50 == 49:
                        return
                    await asyncio.sleep(0.01)

            mic = asyncio.create_task(microphone())
            switch = bus.expect("bus.rotated")
            event = await switch.wait(10)
            await mic
            assert event.old_session_id == old.id
            new = sim.history[1]
            assert event.new_session_id == new.id == bus.session_id
            assert conversation.session_id == new.id
            # The new session holds the same items: types, ids, call ids, words.
            assert shape(new) == before
            assert next(e.type for e in new.received) == "session.update"
            tools = new.config.tools
            assert [t.name for t in tools] == ["get_weather"]

            reply = await turn(bus, "what did I say first?")
            # Acknowledged after every append queued before it: all were written, once.
            assert appended(old) + appended(new) == bytes(sent)
            assert appended(old)
            assert appended(new)
            text = reply.response.output[0].content[0].transcript
            assert text == "You first said 'hello there'; I called 1 tool(s)."
            assert [i.id for i in conversation.items] == [entry[1] for entry in shape(new)]
            for _ in range(200):
                if old.closed:
                    break
                await asyncio.sleep(0.01)
            close = old.ws.protocol.close_rcvd
            assert close is not None
            assert close.code == 1000
            rotator = conversation.rotator
            assert rotator is not None
            assert rotator.rotations == [(old.id, new.id)]
            assert rotator.failures == []
        # One continuous stream: one session.created, no reconnect, nothing from setup.
        assert seen.count("session.created") == 1
        assert seen.count("conversation.item.added") == len(before) + 2  # + the fourth turn
        assert "conversation.item.retrieved" not in seen
        assert "error" not in seen
        assert len(rotated) == 1
        left = [t for t in asyncio.all_tasks() if t.get_name().startswith((bus.name, "standby"))]
        assert left == []


async def test_restore_history_recreates_the_conversation_after_a_reconnect() -> None:
    async with Simulator(responder=assistant) as sim:
        bus = make_bus(sim)
        conversation = Conversation(bus, restore_history=True)
        async with bus:
            await bus.session.update(tools=[WEATHER], turn_detection=None, wait=True)
            await turn(bus, "hello there")
            await answer_the_weather_call(bus, "rainy")
            await (await _respond(bus))
            before = shape(sim.history[0])
            reconnected = bus.expect("bus.reconnected")
            sim.faults.drop()
            await reconnected.wait(10)
            rotator = conversation.rotator
            assert rotator is not None
            for _ in range(300):
                if rotator.restored == len(before):
                    break
                await asyncio.sleep(0.01)
            assert shape(sim.history[1]) == before
            assert [i.id for i in conversation.items] == [entry[1] for entry in before]
            reply = await turn(bus, "what did I say first?")
            text = reply.response.output[0].content[0].transcript
            assert text == "You first said 'hello there'; I called 1 tool(s)."


async def _respond(bus: Bus) -> Any:
    done = bus.expect(ResponseDone)
    await bus.response.create()
    return done.wait(10)


async def test_a_compacted_history_replaces_old_turns_with_a_summary() -> None:
    def summarise(items: list[Any]) -> list[MessageItem]:
        said = [i.text for i in items if i.type == "message" and i.role == "user"]
        summary = MessageItem(
            role="system",
            content=[ContentPart(type="input_text", text="Earlier: " + "; ".join(said))],
        )
        return [summary]

    rotation = Rotation(max_age=1.0, compact=summarise, compact_above=2)
    async with Simulator(responder=assistant) as sim:
        bus = make_bus(sim)
        conversation = Conversation(bus, rotation=rotation)
        async with bus:
            await bus.session.update(turn_detection=None, wait=True)
            switch = bus.expect("bus.rotated")
            await turn(bus, "one")
            await turn(bus, "two")
            await switch.wait(10)
            new = sim.history[1]
            (summary,) = new.conversation.stored()
            assert isinstance(summary.item, MessageItem)
            assert summary.item.content[0].text == "Earlier: one; two"
            # The mirror shows what the new session holds.
            assert [i.id for i in conversation.items] == [summary.id]
            assert conversation.items[0].text == "Earlier: one; two"


async def test_bad_rotation_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="before_expiry"):
        Rotation(before_expiry=-1)
    with pytest.raises(ValueError, match="max_age"):
        Rotation(max_age=0)
    with pytest.raises(TypeError, match="need a conversation on a bus"):
        Conversation(None, restore_history=True)
