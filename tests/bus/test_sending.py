"""Sending: typed helpers, event ids, correlation, order on the wire, backpressure."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from realtime_bus import (
    Bus,
    ConversationItemAdded,
    InputAudioBufferAppend,
    OutputAudioBufferCleared,
    QueueFull,
    RealtimeSession,
    ResponseCancel,
    ResponseCreate,
    ServerError,
    ServerVad,
    SessionUpdate,
    SessionUpdated,
)
from realtime_bus.testing import Simulator
from tests._sim import make_bus

from .conftest import user_text


async def test_request_returns_the_acknowledgement(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        updated = await bus.request(SessionUpdate(session=RealtimeSession(instructions="Hi")))
        assert isinstance(updated, SessionUpdated)
        assert updated.session.instructions == "Hi"
        added = await bus.conversation.item.create(user_text("hello"), wait=True)
        assert isinstance(added, ConversationItemAdded)
        item_id = added.item.id
        retrieved = await bus.conversation.item.retrieve(item_id, wait=True)
        assert retrieved.item.id == item_id
        deleted = await bus.conversation.item.delete(item_id, wait=True)
        assert deleted.item_id == item_id


async def test_server_error_naming_the_event_raises_server_error(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        with pytest.raises(ServerError) as caught:
            await bus.request(ResponseCancel())
        assert caught.value.error.event_id is not None
        with pytest.raises(ServerError) as bad:
            await bus.conversation.item.delete("item_that_does_not_exist", wait=True)
        assert "item_that_does_not_exist" in str(bad.value) or bad.value.error.param
        # The bus is still fine afterwards.
        assert (await bus.session.update(instructions="ok", wait=True)).type == "session.updated"


async def test_invalid_session_update_names_the_param(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        update = SessionUpdate(
            session=RealtimeSession(audio=None, instructions="x", max_output_tokens=0)
        )
        with pytest.raises(ServerError) as caught:
            await bus.request(update)
        assert caught.value.error.param


async def test_event_ids_are_assigned_and_order_is_kept_on_the_wire(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        sent = [await bus.session.update(instructions=f"v{n}") for n in range(5)]
        await bus.session.update(instructions="last", wait=True)
        ids = [event.event_id for event in sent]
        assert all(isinstance(i, str) and i for i in ids)
        assert len(set(ids)) == 5
        received = [e.event_id for e in sim.history[-1].received if e.type == "session.update"]
        assert received[:5] == ids


async def test_audio_appends_coalesce_when_queued(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        await bus.session.update(turn_detection=None, wait=True)
        chunk = b"\x01\x00" * 480  # 20 ms of PCM16
        # Queue synchronously: nothing is written until this coroutine yields.
        for _ in range(50):
            bus.send_nowait(InputAudioBufferAppend.from_pcm(chunk))
        committed = await bus.input_audio_buffer.commit(wait=True)
        assert committed.type == "input_audio_buffer.committed"
        appends = [e for e in sim.history[-1].received if e.type == "input_audio_buffer.append"]
        assert len(appends) < 50
        assert bus.stats.appends_merged == 50 - len(appends)
        item = await bus.conversation.item.retrieve(committed.item_id, wait=True)
        audio = item.item.content[0].audio
        assert isinstance(audio, str)
        from realtime_bus import pcm_from_base64

        assert pcm_from_base64(audio) == chunk * 50


async def test_send_waits_for_room_and_send_nowait_raises(sim: Simulator) -> None:
    bus = make_bus(sim, outbound_maxsize=3)
    for n in range(3):
        bus.send_nowait(SessionUpdate(session=RealtimeSession(instructions=f"q{n}")))
    with pytest.raises(QueueFull):
        bus.send_nowait(ResponseCreate())
    blocked = asyncio.create_task(
        bus.send(SessionUpdate(session=RealtimeSession(instructions="4")))
    )
    await asyncio.sleep(0.05)
    assert not blocked.done()  # not connected yet: the writer is not draining
    async with bus:
        await asyncio.wait_for(blocked, 5)
        await bus.session.update(instructions="final", wait=True)
    got = [e.session.instructions for e in sim.history[-1].received if e.type == "session.update"]
    assert got == ["q0", "q1", "q2", "4", "final"]


async def test_writer_waits_for_session_created(sim: Simulator) -> None:
    """Some deployments drop a session.update sent before session.created."""
    sim.faults.frame_delay = 0.3  # session.created reaches the client 0.3 s after connecting
    bus = make_bus(sim)
    bus.send_nowait(SessionUpdate(session=RealtimeSession(instructions="early")))
    entering = asyncio.create_task(bus.__aenter__())
    connection = await sim.wait_for_connection(timeout=5)
    opened = time.monotonic()
    await connection.wait_for_client_event("session.update", timeout=5)
    assert time.monotonic() - opened >= 0.25
    await entering
    await bus.close()


async def test_wrong_field_type_fails_before_the_wire() -> None:
    import msgspec

    with pytest.raises(msgspec.ValidationError, match=r"\$\.session\.audio\.input"):
        SessionUpdate(
            session=RealtimeSession(
                audio={"input": {"turn_detection": ServerVad(threshold="high")}}  # type: ignore[arg-type]
            )
        )


async def test_request_for_an_unacknowledged_event_is_refused(sim: Simulator) -> None:
    async with make_bus(sim) as bus:
        with pytest.raises(ValueError, match="does not acknowledge"):
            await bus.request(InputAudioBufferAppend(audio=""))


def _types(events: list[Any]) -> list[str]:
    return [e.type for e in events]


async def test_output_audio_buffer_clear_on_a_call_session(sim: Simulator) -> None:
    call = sim.calls.create(state="accepted")
    bus = Bus.openai(api_key="sk-test", websocket_base_url=sim.ws_base_url, call_id=call.call_id)
    async with bus:
        assert sim.connections[-1].call_id == call.call_id
        cleared = await bus.output_audio_buffer.clear(wait=True)
        assert isinstance(cleared, OutputAudioBufferCleared)
    async with make_bus(sim) as plain:  # not a call: only WebRTC and SIP sessions play audio
        with pytest.raises(ServerError):
            await plain.output_audio_buffer.clear(wait=True)
