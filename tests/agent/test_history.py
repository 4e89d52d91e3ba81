"""Save a conversation, restore it onto a fresh session, and continue it there."""

from __future__ import annotations

import pytest

from realtime_bus import Bus
from realtime_bus.agent import AgentResponseDone, AudioRetention, Conversation
from realtime_bus.bus import ServerError
from realtime_bus.protocol import (
    ConversationItemCreate,
    FunctionCallOutputItem,
    MessageItem,
    user_audio,
    user_message,
)
from realtime_bus.testing import Simulator, synthesize_speech
from tests._sim import make_bus

from ._mirror import assert_mirrors, respond_to
from .conftest import WEATHER

pytestmark = pytest.mark.anyio


async def _three_turns(sim: Simulator, bus: Bus, conversation: Conversation) -> None:
    async with bus:
        await bus.session.update(tools=[WEATHER])
        await respond_to(bus, "good morning")
        asked = await respond_to(bus, "get weather in Oslo", output_modalities=["text"])
        call = asked.function_calls[0]
        assert call.call_id is not None
        output = FunctionCallOutputItem(call_id=call.call_id, output='{"sky": "snow"}')
        await bus.request(ConversationItemCreate(item=output))
        await bus.response.create()
        await bus.wait_for(AgentResponseDone, timeout=10)
        assert_mirrors(conversation, sim.connections[0])


async def test_save_restore_on_a_fresh_session_and_continue(sim: Simulator) -> None:
    bus = make_bus(sim)
    first = Conversation(bus)
    await _three_turns(sim, bus, first)
    saved = first.to_json()
    kinds = [i.type for i in first.items]
    assert kinds == [
        "message",
        "message",
        "message",
        "function_call",
        "function_call_output",
        "message",
    ]

    bus = make_bus(sim)
    restored = Conversation.from_json(saved, bus)
    assert [i.id for i in restored.items] == [i.id for i in first.items]
    assert restored.restored_from == first.session_id
    async with bus:
        session = sim.connections[-1]
        ids = await restored.recreate()
        assert ids == [i.id for i in first.items]
        # Same ids, types, call ids and words on the new session; audio became transcripts.
        assert [s.id for s in session.conversation.stored()] == ids
        call = session.items[3]
        assert isinstance(call, type(first.items[3].raw))
        assert getattr(call, "call_id", None) == first.items[3].call_id
        assert [i.text for i in restored.items] == [i.text for i in first.items]
        assert_mirrors(restored, session)
        reply = await respond_to(bus, "and tomorrow?", output_modalities=["text"])
        assert_mirrors(restored, session)
    assert reply.text == "You said: and tomorrow?"
    assert len(restored.items) == len(first.items) + 2


async def test_restored_audio_goes_back_as_audio_where_kept(sim: Simulator) -> None:
    bus = make_bus(sim)
    first = Conversation(bus, audio=AudioRetention.all())
    pcm = synthesize_speech("remember this")
    async with bus:
        added = await bus.request(ConversationItemCreate(item=user_audio(pcm)))
        # Item events carry no audio; retrieving the item brings it into the mirror.
        await bus.conversation.item.retrieve(item_id=added.item.id)
        await bus.wait_for("conversation.item.retrieved", timeout=10)
        await bus.response.create()
        spoken = (await bus.wait_for(AgentResponseDone, timeout=10)).response
    assert first.items[0].audio == pcm
    assert spoken.transcript == "You said: remember this"
    again = Conversation.from_json(first.to_json(), audio=AudioRetention.all())
    assert again.items[0].audio == pcm
    bus = make_bus(sim)
    async with bus:
        await again.recreate(bus=bus, audio=True)
        user, assistant = sim.connections[-1].conversation.stored()
    assert user.pcm(0) == pcm  # user audio kept whole goes back as audio
    assert isinstance(assistant.item, MessageItem)
    assert [p.type for p in assistant.item.content] == ["output_text"]  # assistant audio as text
    assert assistant.item.content[0].text == "You said: remember this"


async def test_recreate_reports_what_the_server_refuses(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    async with bus:
        await bus.request(ConversationItemCreate(item=user_message("hi")))
        with pytest.raises(ServerError, match="already exists"):
            await conversation.recreate(timeout=5)


def test_from_json_refuses_what_is_not_a_saved_conversation() -> None:
    with pytest.raises(ValueError, match="not a saved conversation"):
        Conversation.from_json("{}")
    with pytest.raises(ValueError, match="invalid JSON"):
        Conversation.from_json("{")
    with pytest.raises(ValueError, match="version 99"):
        Conversation.from_json('{"version": 99, "items": []}')
