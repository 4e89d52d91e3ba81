"""The official ``openai`` package's Live client against the simulator's GPT-Live side.

Each test drives ``AsyncOpenAI(...).live.connect()`` (and the sideband and fork connections)
over loopback; every event the simulator sent is validated strictly against the package's
``openai.types.live`` models.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai import AsyncOpenAI

from realtime_bus.testing import (
    Simulator,
    decode_speech,
    live_of,
    synthesize_speech,
)

from ._live import checked_simulator

_START: dict[str, Any] = {"model": "gpt-live-1", "instructions": "Be brief."}


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with checked_simulator() as simulator:
        yield simulator


@pytest.fixture
def client(sim: Simulator) -> AsyncOpenAI:
    return AsyncOpenAI(api_key="sk-test", websocket_base_url=sim.ws_base_url)


async def until(conn: Any, type_name: str, *, count: int = 400) -> list[Any]:
    seen = []
    for _ in range(count):
        event = await asyncio.wait_for(conn.recv(), 5.0)
        seen.append(event)
        if event.type == type_name:
            return seen
    raise AssertionError(f"no {type_name} in {count} events: {[e.type for e in seen]}")


def said(events: list[Any]) -> tuple[str, str | None]:
    """The output transcript, and the text the output audio carries."""
    transcript = "".join(e.delta for e in events if e.type == "session.output_transcript.delta")
    audio = b"".join(
        base64.b64decode(e.delta) for e in events if e.type == "session.output_audio.delta"
    )
    return transcript, decode_speech(audio)


async def speak(conn: Any, text: str) -> None:
    pcm = synthesize_speech(text)
    for i in range(0, len(pcm), 4800):
        await conn.session.input_audio.append(audio=base64.b64encode(pcm[i : i + 4800]).decode())


async def test_text_exchange(client: AsyncOpenAI) -> None:
    async with client.live.connect() as conn:
        start = {**_START, "input": [{"role": "user", "content": [{"text": "hello there"}]}]}
        await conn.session.start(session=start, event_id="start-1")
        started = await conn.recv()
        assert started.type == "session.started"
        assert started.client_event_id == "start-1"
        assert started.session.id.startswith("sess_")
        assert started.session.audio.format.type == "audio/pcm"
        events = await until(conn, "session.usage.updated")
        assert said(events) == ("You said: hello there", "You said: hello there")
        await conn.session.commentary.append(
            content="Your order ships Tuesday.", delegation_id=None, event_id="c1"
        )
        events = await until(conn, "session.usage.updated")
        assert events[0].type == "session.commentary.appended"
        assert events[0].client_event_id == "c1"
        assert said(events)[0] == "Your order ships Tuesday."
        usage = events[-1]
        assert 0 < usage.context_window.usage_ratio < 1


async def test_audio_turn_round_trips_the_transcripts(client: AsyncOpenAI) -> None:
    async with client.live.connect() as conn:
        await conn.session.start(session=_START)
        assert (await conn.recv()).type == "session.started"
        await speak(conn, "what's the weather in Paris")
        events = await until(conn, "session.usage.updated")
        heard = "".join(e.delta for e in events if e.type == "session.input_transcript.delta")
        assert heard == "what's the weather in Paris"
        assert said(events) == (
            "You said: what's the weather in Paris",
            "You said: what's the weather in Paris",
        )
        times = [e.start_ms for e in events if e.type == "session.output_audio.delta"]
        assert times == sorted(times)


async def test_client_delegation_round_trip(client: AsyncOpenAI) -> None:
    async with client.live.connect() as conn:
        await conn.session.start(session={**_START, "delegation": {"type": "client"}})
        assert (await conn.recv()).type == "session.started"
        await speak(conn, "please check my order")
        events = await until(conn, "session.delegation.created")
        delegation = events[-1].delegation
        assert delegation.target == "client"
        await conn.session.thinking.append(
            content="looking it up", delegation_id=delegation.id, event_id="t1"
        )
        await conn.session.commentary.append(
            content="It ships on Tuesday.", delegation_id=delegation.id, event_id="c1"
        )
        events = await until(conn, "session.commentary.appended")
        assert [e.type for e in events if e.type.endswith("appended")] == [
            "session.thinking.appended",
            "session.commentary.appended",
        ]
        events = await until(conn, "session.usage.updated")
        assert said(events) == ("It ships on Tuesday.", "It ships on Tuesday.")


async def test_unknown_delegation_and_early_commands_are_errors(client: AsyncOpenAI) -> None:
    async with client.live.connect() as conn:
        await conn.session.input_audio.mute(event_id="early")
        error = await conn.recv()
        assert error.type == "error"
        assert error.error.code == "session_not_started"
        assert error.client_event_id == error.error.client_event_id == "early"
        await conn.session.start(session=_START)
        assert (await conn.recv()).type == "session.started"
        await conn.session.commentary.append(content="x", delegation_id="del_nope", event_id="c")
        error = await conn.recv()
        assert error.error.code == "delegation_not_found"
        await conn.session.start(session=_START, event_id="again")
        assert (await conn.recv()).error.code == "session_already_started"


async def test_mute_fixture_and_close(client: AsyncOpenAI) -> None:
    async with client.live.connect() as conn:
        await conn.session.start(session=_START)
        assert (await conn.recv()).type == "session.started"
        await conn.session.input_audio.mute(event_id="m")
        muted = await conn.recv()
        assert (muted.type, muted.client_event_id) == ("session.input_audio.muted", "m")
        await speak(conn, "nobody hears this")
        await conn.session.input_audio.unmute(event_id="u")
        assert (await conn.recv()).type == "session.input_audio.unmuted"
        clip = base64.b64encode(synthesize_speech("ding")).decode()
        await conn.session.output_audio.fixture.play(audio=clip, event_id="f")
        events = await until(conn, "session.output_audio.fixture.played")
        assert events[0].type == "session.output_audio.fixture.playing"
        assert said(events)[1] == "ding"
        await conn.session.close(event_id="bye")
        closed = await conn.recv()
        assert closed.type == "session.closed"
        assert closed.reason == "close_requested"
        assert closed.client_event_id == "bye"
        assert closed.usage.seconds > 0


async def test_sideband_observes_and_controls(sim: Simulator, client: AsyncOpenAI) -> None:
    async with client.live.connect() as conn:
        await conn.session.start(session=_START)
        started = await conn.recv()
        async with client.live.sideband.connect(session_id=started.session.id) as side:
            await speak(conn, "hi")
            events = await until(side, "session.usage.updated")
            reflected = [e for e in events if e.type == "session.input_audio.append"]
            assert reflected
            assert said(events)[0] == "You said: hi"
            await side.session.instructions.append(
                content="Speak French.", delegation_id=None, event_id="s1"
            )
            ack = await until(side, "session.instructions.appended")
            assert ack[-1].client_event_id == "s1"
            await side.transport.dtmf.send(event="5", event_id="d")
            assert (await until(side, "error"))[-1].error.code == "sip_only"
        await conn.session.close()
        assert (await until(conn, "session.closed"))[-1].reason == "close_requested"
    assert live_of(sim).get(started.session.id) is not None


async def test_losing_the_primary_closes_the_session_for_the_sideband(
    client: AsyncOpenAI,
) -> None:
    conn = await client.live.connect().enter()
    await conn.session.start(session=_START)
    started = await conn.recv()
    async with client.live.sideband.connect(session_id=started.session.id) as side:
        await conn.close()
        closed = await until(side, "session.closed")
        assert closed[-1].reason == "connection_lost"


async def test_sideband_to_an_unknown_session_is_refused(client: AsyncOpenAI) -> None:
    with pytest.raises(Exception, match="404"):
        async with client.live.sideband.connect(session_id="sess_nope") as side:
            await side.recv()


async def test_fork_of_a_stored_session(client: AsyncOpenAI) -> None:
    async with client.live.connect() as conn:
        start = {**_START, "store": True, "input": [{"role": "user", "content": [{"text": "hi"}]}]}
        await conn.session.start(session=start)
        parent = (await conn.recv()).session
        await until(conn, "session.usage.updated")
        async with client.live.forks.connect(session_id=parent.id) as fork:
            await fork.session.start(
                session={"audio": {"format": {"type": "audio/pcm", "rate": 16000}}}
            )
            started = await fork.recv()
            assert started.type == "session.started"
            assert started.session.id != parent.id
            assert started.session.model == parent.model
            assert started.session.audio.format.rate == 16000
            await fork.session.commentary.append(content="forked", delegation_id=None)
            events = await until(fork, "session.usage.updated")
            audio = b"".join(
                base64.b64decode(e.delta) for e in events if e.type == "session.output_audio.delta"
            )
            assert len(audio) % 2 == 0  # PCM16 at 16 kHz now
            assert said(events)[0] == "forked"


async def test_decisions(client: AsyncOpenAI) -> None:
    questions = [
        {"type": "predicate", "name": "refund", "instructions": "Does the user want a refund?"},
        {
            "type": "choice",
            "instructions": "Mood?",
            "choices": [{"value": "calm"}, {"value": "angry"}],
        },
        {
            "type": "score",
            "instructions": "Urgency",
            "levels": [{"label": "low"}, {"label": "high"}],
        },
    ]
    delegation = {"type": "decisions", "decisions": {"model": "gpt-decide", "questions": questions}}
    async with client.live.connect() as conn:
        await conn.session.start(session={**_START, "delegation": delegation})
        assert (await conn.recv()).type == "session.started"
        item = {"type": "message", "role": "user", "content": "I want a refund"}
        await conn.decision.item.create(item=item, event_id="i1")
        created = await conn.recv()
        assert created.type == "decision.item.created"
        assert created.item.id
        await conn.session.instructions.append(content="refund requested", delegation_id=None)
        await conn.decision.create(event_id="d1")
        decision = (await until(conn, "decision.event"))[-1].event.decision
        assert decision.model == "gpt-decide"
        assert [a.type for a in decision.answers] == ["predicate", "choice", "score"]
        assert decision.answers[0].probability == 1.0
        assert decision.answers[1].choice == "calm"
        await conn.decision.create(event_id="d1")
        assert (await until(conn, "error"))[-1].error.code == "duplicate_event_id"
        await conn.decision.item.delete(item_id=created.item.id, event_id="x")
        assert (await conn.recv()).type == "decision.item.deleted"


async def test_responses_delegation_stand_in(client: AsyncOpenAI) -> None:
    delegation = {"type": "responses", "responses": {"model": "gpt-5"}}
    async with client.live.connect() as conn:
        await conn.session.start(session={**_START, "delegation": delegation})
        assert (await conn.recv()).type == "session.started"
        await speak(conn, "find a flight to Rome")
        events = await until(conn, "session.usage.updated")
        created = next(e for e in events if e.type == "session.delegation.created")
        assert created.delegation.target == "responses"
        backend = [e.event["type"] for e in events if e.type == "response.event"]
        assert backend[0] == "response.created"
        assert backend[-1] == "response.completed"
        assert said(events)[0].endswith("Done: find a flight to Rome")
        await conn.response.item.create(
            item={"type": "message", "role": "user", "content": "and a hotel"}, event_id="r1"
        )
        await conn.response.create(event_id="r2")
        events = await until(conn, "response.event", count=10)
        assert events[-1].client_event_id == "r2"


async def test_session_update_and_triggers(client: AsyncOpenAI) -> None:
    trigger = {
        "type": "decisions",
        "event_type": "session.input_transcript.delta",
        "decisions": {"questions": [{"type": "predicate", "name": "cancel", "instructions": "?"}]},
    }
    async with client.live.connect() as conn:
        await conn.session.start(session=_START)
        assert (await conn.recv()).type == "session.started"
        await conn.session.update(session={"triggers": [trigger]}, event_id="u1")
        updated = await conn.recv()
        assert updated.type == "session.updated"
        assert updated.client_event_id == "u1"
        assert len(updated.session.triggers) == 1
        await speak(conn, "cancel my plan")
        events = await until(conn, "decision.event")
        assert events[-1].source_event_type == "session.input_transcript.delta"
        assert events[-1].event.decision.answers[0].probability == 1.0
        await conn.session.update(session={"delegation": {"type": "responses"}}, event_id="u2")
        assert (await until(conn, "error"))[-1].error.param == "session.delegation"


async def test_expiry_closes_with_the_reason() -> None:
    async with Simulator(max_session_seconds=0.3) as sim:
        client = AsyncOpenAI(api_key="sk-test", websocket_base_url=sim.ws_base_url)
        async with client.live.connect() as conn:
            await conn.session.start(session=_START)
            assert (await conn.recv()).type == "session.started"
            closed = await until(conn, "session.closed")
            assert closed[-1].reason == "expired"
