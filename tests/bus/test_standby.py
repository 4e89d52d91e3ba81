"""Hand-over to a standby connection: the seam session rotation is built on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from realtime_bus import ConnectionLost, Rotated, ServerError
from realtime_bus.protocol import (
    ConversationItemCreate,
    InputAudioBufferAppend,
    RealtimeSession,
    SessionUpdate,
)
from realtime_bus.testing import Simulator
from tests._sim import make_bus

from .conftest import user_text


async def test_hand_over_switches_sessions_without_losing_or_doubling_events(
    sim: Simulator,
) -> None:
    bus = make_bus(sim, coalesce_audio=False)
    seen: list[Any] = []
    bus.add_handler("*", seen.append)
    bus.add_handler("bus.*", seen.append)
    async with bus:
        await bus.session.update(instructions="Be brief.", wait=True)
        old_id = bus.session_id
        assert bus.session_config["instructions"] == "Be brief."
        standby = await bus.open_standby()
        assert standby.session_id not in (None, old_id)
        config = msgspec_session(bus.session_config)
        await standby.request(SessionUpdate(session=config))
        item = user_text("hello again")
        item.id = "item_kept_1"
        added = await standby.request(ConversationItemCreate(item=item))
        assert added.item.id == "item_kept_1"
        with pytest.raises(ServerError, match="already exists"):
            await standby.request(ConversationItemCreate(item=item))
        # Events queued around the switch reach exactly one session, in order.
        for n in range(40):
            bus.send_nowait(InputAudioBufferAppend(audio="AAAA", event_id=f"a{n}"))
        await bus.hand_over(standby)
        for n in range(40, 80):
            bus.send_nowait(InputAudioBufferAppend(audio="AAAA", event_id=f"a{n}"))
        await bus.conversation.item.create(user_text("after"), wait=True)
        assert bus.session_id == standby.session_id
        old, new = sim.history[0], sim.history[1]
        sent = [
            e.event_id
            for session in (old, new)
            for e in session.received
            if isinstance(e, InputAudioBufferAppend)
        ]
        assert sent == [f"a{n}" for n in range(80)]
        assert next(i.id for i in new.conversation.stored()) == "item_kept_1"
        assert new.received[0].type == "session.update"
        for _ in range(200):
            if old.closed:
                break
            await asyncio.sleep(0.01)
        assert old.close_code == 1000
        received_close = old.ws.protocol.close_rcvd
        assert received_close is not None
        assert received_close.code == 1000  # the client closed it, cleanly
    rotated = [e for e in seen if isinstance(e, Rotated)]
    assert rotated == [Rotated(old_session_id=old_id, new_session_id=standby.session_id)]
    # The standby's own setup events never reached the bus's handlers.
    created = [e for e in seen if getattr(e, "type", "") == "session.created"]
    assert len(created) == 1
    assert [e.item.id for e in seen if getattr(e, "type", "") == "conversation.item.added"] != [
        "item_kept_1"
    ]


async def test_a_standby_that_is_not_used_is_closed(sim: Simulator) -> None:
    bus = make_bus(sim)
    async with bus:
        standby = await bus.open_standby()
        await standby.close()
        for _ in range(200):
            if sim.history[1].closed:
                break
            await asyncio.sleep(0.01)
        assert sim.history[1].close_code == 1000
        assert bus.session_id == sim.history[0].id
        with pytest.raises(ConnectionLost, match="closed"):
            await standby.send(SessionUpdate(session=RealtimeSession()))


def msgspec_session(config: dict[str, Any]) -> RealtimeSession:
    import msgspec

    return msgspec.convert(config, RealtimeSession)


async def test_prepare_can_refuse_the_switch_and_the_bus_keeps_serving(sim: Simulator) -> None:
    bus = make_bus(sim)
    async with bus:
        old_id = bus.session_id
        standby = await bus.open_standby()
        calls: list[str] = []

        async def not_now() -> bool:
            calls.append("asked")
            return False

        switched = await bus.hand_over(standby, prepare=not_now, settle=0.05)
        assert (switched, calls) == (False, ["asked"])
        assert bus.session_id == old_id
        await bus.conversation.item.create(user_text("still here"), wait=True)

        async def ready() -> bool:
            # The old session's answers arrived before this runs: it was quiet for settle.
            await standby.request(ConversationItemCreate(item=user_text("prepared")))
            return True

        assert await bus.hand_over(standby, prepare=ready, settle=0.05)
        assert bus.session_id == standby.session_id
        texts = [s.item.content[0].text for s in sim.history[1].conversation.stored()]
        assert texts == ["prepared"]
