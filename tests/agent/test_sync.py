"""The same Conversation works with the sync facade (its handlers run on the bus's thread)."""

from __future__ import annotations

import asyncio

import pytest

from realtime_bus import Bus, SyncBus
from realtime_bus.agent import AgentResponseDone, Conversation
from realtime_bus.bus import ServerError
from realtime_bus.protocol import ConversationItemCreate, user_message
from realtime_bus.testing import Simulator
from tests._sim import make_sync_bus

from ._mirror import assert_mirrors


def test_conversation_on_a_sync_bus(realtime_simulator_thread: Simulator) -> None:
    sim = realtime_simulator_thread
    bus = make_sync_bus(sim)
    conversation = Conversation(bus)
    with bus:
        bus.request(ConversationItemCreate(item=user_message("hi from a thread")))
        bus.send(ConversationItemCreate(item=user_message("and again")))
        done = bus.expect(AgentResponseDone)
        bus.response.create(output_modalities=["text"])
        event = done.wait(timeout=10)
        assert isinstance(event, AgentResponseDone)
        assert event.response.text == "You said: and again"
        sim.call(lambda: assert_mirrors(conversation, sim.connections[0]))
    conversation.close()
    assert [i.text for i in conversation.items] == [
        "hi from a thread",
        "and again",
        "You said: and again",
    ]


def test_a_saved_conversation_is_recreated_on_a_sync_bus(
    realtime_simulator_thread: Simulator,
) -> None:
    sim = realtime_simulator_thread
    bus = make_sync_bus(sim)
    first = Conversation(bus)
    with bus:
        bus.request(ConversationItemCreate(item=user_message("remember the lighthouse")))
        done = bus.expect(AgentResponseDone)
        bus.response.create(output_modalities=["text"])
        done.wait(timeout=10)
    saved = first.to_json()

    bus = make_sync_bus(sim)
    restored = Conversation.from_json(saved, bus)
    with bus:
        ids = restored.recreate_sync(timeout=10)
        assert ids == [i.id for i in first.items]
        session = sim.connections[-1]
        stored = sim.call(lambda: [s.id for s in session.conversation.stored()])
        assert stored == ids
        sim.call(lambda: assert_mirrors(restored, session))
        # The server refuses what it already holds: the error is raised, nothing hangs.
        with pytest.raises(ServerError, match="already exists"):
            restored.recreate_sync(timeout=10)
    assert [i.text for i in restored.items] == [
        "remember the lighthouse",
        "You said: remember the lighthouse",
    ]


def test_recreate_sync_refuses_an_async_bus_and_recreate_a_sync_one() -> None:
    conversation = Conversation(Bus("ws://127.0.0.1:9/", api_key="sk-test-key"))
    with pytest.raises(TypeError, match="needs a SyncBus"):
        conversation.recreate_sync()
    sync_conversation = Conversation(SyncBus("ws://127.0.0.1:9/", api_key="sk-test-key"))
    with pytest.raises(TypeError, match="needs an async Bus"):
        asyncio.run(sync_conversation.recreate())
