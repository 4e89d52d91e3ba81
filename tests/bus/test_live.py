"""A bus speaking GPT-Live to the simulator: handshake, helpers, acknowledgements, errors,
reconnects that start a new session, close reasons, usage, sideband and fork buses."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest

from realtime_bus import (
    Bus,
    Closed,
    LiveBus,
    LiveSessionClosed,
    Reconnected,
    ReconnectPolicy,
    ServerError,
    SyncBus,
)
from realtime_bus.protocol import live as L
from realtime_bus.testing import (
    Simulator,
    decode_speech,
    live_of,
    synthesize_speech,
)
from tests.testing._live import checked_simulator

_FAST = ReconnectPolicy(base_delay=0.01, max_delay=0.05)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with checked_simulator() as simulator:
        yield simulator


def live_bus(sim: Simulator, **kwargs: Any) -> LiveBus:
    return Bus.live(api_key="sk-test", websocket_base_url=sim.ws_base_url, **kwargs)


async def say(bus: LiveBus, text: str) -> None:
    pcm = synthesize_speech(text)
    for i in range(0, len(pcm), 4800):
        await bus.session.input_audio.append(pcm[i : i + 4800])


async def turn(bus: LiveBus, text: str) -> tuple[str, str | None]:
    """Say ``text``; the model's transcript and the text its audio carries."""
    deltas: list[str] = []
    audio = bytearray()

    def words(event: L.OutputTranscriptDelta) -> None:
        deltas.append(event.delta)

    def sound(event: L.OutputAudioDelta) -> None:
        audio.extend(base64.b64decode(event.delta))

    bus.on(L.OutputTranscriptDelta)(words)
    bus.on(L.OutputAudioDelta)(sound)
    done = bus.expect(L.SessionUsageUpdated)
    try:
        await say(bus, text)
        await done.wait(10)
    finally:
        bus.off(words)
        bus.off(sound)
    return "".join(deltas), decode_speech(bytes(audio))


async def test_handshake_starts_the_session_with_the_configuration(sim: Simulator) -> None:
    bus = live_bus(sim, instructions="Be brief.", voice="cedar")
    # Sent before the session exists: held until session.started, or the server would refuse.
    await bus.session.instructions.append("Use metric units.")
    async with bus:
        assert bus.session_id is not None
        session = live_of(sim).get(bus.session_id)
        assert session is not None
        assert session.config is not None
        assert session.config.instructions == "Be brief."
        appended = await bus.wait_for(L.InstructionsAppended, timeout=5)
        assert appended.start_ms >= 0
        connection = session.connections[0]
        assert [e.type for e in connection.received][:2] == [
            "session.start",
            "session.instructions.append",
        ]
        assert not any(e.type == "error" for e in connection.sent)


async def test_an_audio_turn_through_the_helpers(sim: Simulator) -> None:
    async with live_bus(sim) as bus:
        transcript, carried = await turn(bus, "what's the weather in Paris")
        assert transcript == carried == "You said: what's the weather in Paris"
        assert bus.context_usage_ratio is not None
        assert 0 < bus.context_usage_ratio < 1
        assert bus.usage is not None
        assert bus.usage.seconds > 0


async def test_acknowledgements_are_matched_by_client_event_id(sim: Simulator) -> None:
    async with live_bus(sim, delegation=L.ClientDelegation()) as bus:
        muted = await bus.session.input_audio.mute(wait=True)
        assert isinstance(muted, L.InputAudioMuted)
        unmuted = await bus.session.input_audio.unmute(wait=True)
        assert isinstance(unmuted, L.InputAudioUnmuted)
        thought = await bus.session.thinking.append("checking", wait=True)
        assert isinstance(thought, L.ThinkingAppended)
        trigger = L.DecisionTrigger(
            event_type="session.input_transcript.delta",
            decisions=L.TriggerDecisions(questions=[L.PredicateQuestion(instructions="?")]),
        )
        updated = await bus.session.update(triggers=[trigger], wait=True)
        assert isinstance(updated, L.SessionUpdated)
        assert updated.session.triggers == [trigger]
        item = L.DecisionMessage(role="user", content="I want a refund")
        created = await bus.decision.item.create(item, wait=True)
        assert isinstance(created, L.DecisionItemCreated)
        assert isinstance(created.item.id, str)
        deleted = await bus.decision.item.delete(created.item.id, wait=True)
        assert isinstance(deleted, L.DecisionItemDeleted)
        decision = await bus.decision.create(wait=True)
        assert isinstance(decision, L.DecisionEvent)
        playing = await bus.session.output_audio.fixture.play(synthesize_speech("ding"), wait=True)
        assert isinstance(playing, L.OutputAudioFixturePlaying)
        await bus.wait_for(L.OutputAudioFixturePlayed, timeout=5)


async def test_errors_are_routed_by_event_id(sim: Simulator) -> None:
    async with live_bus(sim) as bus:
        with pytest.raises(ServerError, match="delegation_not_found") as caught:
            await bus.session.commentary.append("x", delegation_id="del_nope", wait=True)
        assert isinstance(caught.value.event, L.ErrorEvent)
        with pytest.raises(ServerError, match="delegation_required"):
            await bus.response.create(wait=True)
        assert bus.is_open


async def test_client_delegation_round_trip(sim: Simulator) -> None:
    async with live_bus(sim, delegation=L.ClientDelegation()) as bus:
        delegated = bus.expect(L.DelegationCreated)
        await say(bus, "please check my order")
        delegation = (await delegated.wait(10)).delegation
        assert delegation.target == "client"
        said: list[str] = []
        bus.on(L.OutputTranscriptDelta)(lambda e: said.append(e.delta))
        done = bus.expect(L.SessionUsageUpdated)
        await bus.session.commentary.append(
            "It ships on Tuesday.", delegation_id=delegation.id, wait=True
        )
        await done.wait(10)
        assert "".join(said) == "It ships on Tuesday."


async def test_close_requested_ends_the_bus_with_a_lifecycle_event(sim: Simulator) -> None:
    bus = live_bus(sim)
    seen: list[LiveSessionClosed] = []
    bus.on(LiveSessionClosed)(seen.append)
    async with bus:
        ended = bus.expect(Closed)
        closed = await bus.session.close(wait=True)
        assert isinstance(closed, L.SessionClosed)
        assert closed.reason == "close_requested"
        await ended.wait(5)
    assert [(e.reason, e.will_reconnect) for e in seen] == [("close_requested", False)]
    assert bus.close_reason == "close_requested"


async def test_expiry_reconnects_with_a_new_session_configured_as_before() -> None:
    async with Simulator(max_session_seconds=0.5) as sim:
        bus = live_bus(sim, instructions="Be brief.", reconnect=_FAST)
        seen: list[Any] = []
        bus.on(LiveSessionClosed)(seen.append)
        bus.on(Reconnected)(seen.append)
        async with bus:
            first = bus.session_id
            trigger = L.DecisionTrigger(
                event_type="session.output_transcript.delta",
                decisions=L.TriggerDecisions(questions=[L.PredicateQuestion(instructions="?")]),
            )
            await bus.session.update(triggers=[trigger], wait=True)
            reconnected = await bus.wait_for(Reconnected, timeout=10)
            assert reconnected.old_session_id == first
            assert reconnected.new_session_id == bus.session_id != first
            assert bus.session_id is not None
            session = live_of(sim).get(bus.session_id)
            assert session is not None
            assert session.config is not None
            assert session.config.instructions == "Be brief."
            assert session.config.triggers == [trigger]
        closed = [e for e in seen if isinstance(e, LiveSessionClosed)]
        assert closed[0].reason == "expired"
        assert closed[0].will_reconnect


async def test_sideband_and_fork_buses(sim: Simulator) -> None:
    async with live_bus(sim, store=True) as bus:
        assert bus.session_id is not None
        side = Bus.live_sideband(
            bus.session_id, api_key="sk-test", websocket_base_url=sim.ws_base_url
        )
        async with side:
            assert side.session_id == bus.session_id
            reflected = side.expect(L.InputAudioReflected)
            transcript, _ = await turn(bus, "hi")
            assert transcript == "You said: hi"
            await reflected.wait(5)
            ack = await side.session.instructions.append("Speak French.", wait=True)
            assert isinstance(ack, L.InstructionsAppended)
            assert side.transport is not None
            with pytest.raises(TypeError, match="sideband sends no audio"):
                await side.session.input_audio.append(b"\x00\x00")
            with pytest.raises(ServerError, match="sip_only"):
                await side.transport.dtmf.send("5", wait=True)
        fork = Bus.live_fork(
            bus.session_id,
            api_key="sk-test",
            websocket_base_url=sim.ws_base_url,
            session=L.ForkSessionConfig(store=False),
        )
        async with fork:
            assert fork.session_id not in (None, bus.session_id)
            assert fork.session_id is not None
            forked = live_of(sim).get(fork.session_id)
            assert forked is not None
            assert forked.config is not None
            assert forked.config.model == "gpt-live-1"
            assert forked.config.store is False
            assert any(e.text == "You said: hi" for e in forked.history)


async def test_azure_live_bus(sim: Simulator) -> None:
    bus = Bus.azure_live(endpoint=f"http://{sim.host}:{sim.port}", api_key="azure-key")
    assert bus.endpoint.url.endswith("/openai/v1/live/sessions")
    async with bus:
        assert bus.session_id is not None
        assert isinstance(await bus.session.input_audio.mute(wait=True), L.InputAudioMuted)


def test_sync_live_bus() -> None:
    with (
        Simulator().run_in_thread() as sim,
        SyncBus.live(api_key="sk-test", websocket_base_url=sim.ws_base_url) as bus,
    ):
        assert bus.session_id is not None
        muted = bus.session.input_audio.mute(wait=True)
        assert isinstance(muted, L.InputAudioMuted)
        item = L.DecisionMessage(role="user", content="hi")
        created = bus.decision.item.create(item, wait=True)
        assert isinstance(created, L.DecisionItemCreated)
        closed = bus.session.close(wait=True)
        assert closed.reason == "close_requested"
