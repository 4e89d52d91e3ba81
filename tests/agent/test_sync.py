"""The same Conversation works with the sync facade (its handlers run on the bus's thread)."""

from __future__ import annotations

from realtime_bus import SyncBus
from realtime_bus.agent import AgentResponseDone, Conversation
from realtime_bus.protocol import ConversationItemCreate, user_message
from realtime_bus.testing import Simulator

from ._mirror import assert_mirrors


def test_conversation_on_a_sync_bus() -> None:
    with Simulator().run_in_thread() as sim:
        bus = SyncBus(sim.url, api_key="sk-test-key", query={"model": "gpt-realtime"})
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
