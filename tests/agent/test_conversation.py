"""The conversation mirror against the simulator: after each step it equals the server's record."""

from __future__ import annotations

import asyncio

import pytest

from realtime_bus import Bus
from realtime_bus.agent import AgentItemDone, AgentResponseDone, AgentTurn, Conversation
from realtime_bus.protocol import (
    AudioInputConfig,
    ConversationItemCreate,
    ConversationItemInputAudioTranscriptionFailed,
    FunctionCallOutputItem,
    InputAudioBufferCommit,
    ServerVad,
    SessionUpdate,
    TranscriptionConfig,
    TranscriptionError,
    TranscriptionSession,
    TranscriptionSessionAudio,
    user_message,
)
from realtime_bus.testing import Reply, ScriptedResponder, Simulator, silence, synthesize_speech
from tests._sim import make_bus

from ._mirror import assert_mirrors, respond_to
from .conftest import WEATHER

pytestmark = pytest.mark.anyio


async def test_text_turn_mirrors_items_and_assembles_the_response(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    done: list[AgentResponseDone] = []
    items_done: list[AgentItemDone] = []
    turns: list[AgentTurn] = []
    bus.on(AgentResponseDone)(done.append)
    bus.on("agent.item.done")(items_done.append)
    bus.on(AgentTurn)(turns.append)
    async with bus:
        await bus.session.update(output_modalities=["text"])
        session = sim.connections[0]
        await bus.request(ConversationItemCreate(item=user_message("hello there")))
        assert_mirrors(conversation, session)
        await bus.response.create()
        finished = await bus.wait_for("agent.response.done", timeout=10)
        assert_mirrors(conversation, session)
    response = finished.response
    assert response.status == "completed"
    assert response.text == "You said: hello there"
    assert response.transcript == ""
    assert response.usage is not None
    assert [i.id for i in response.items] == [conversation.items[1].id]
    assert conversation.items[0].text == "hello there"
    assert conversation.items[1].role == "assistant"
    assert conversation.responses == [response]
    assert [d.response for d in done] == [response]
    assert [e.item.id for e in items_done] == [i.id for i in conversation.items]
    assert len(turns) == 1
    assert turns[0].metrics is response.metrics
    assert turns[0].metrics.voice_to_voice_ms is None  # a text turn
    ttft = turns[0].metrics.ttft_ms
    assert ttft is not None
    assert ttft >= 0


async def test_tool_turn_assembles_and_parses_arguments_and_keeps_outputs(
    sim: Simulator,
) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    async with bus:
        await bus.session.update(output_modalities=["text"], tools=[WEATHER])
        session = sim.connections[0]
        first = await respond_to(bus, "get weather in Paris")
        assert_mirrors(conversation, session)
        (call,) = first.function_calls
        assert call.name == "get_weather"
        assert call.call_id
        assert call.parsed_arguments == {"city": "Paris"}
        assert call.status == "completed"
        output = FunctionCallOutputItem(call_id=call.call_id, output='{"sky": "clear"}')
        await bus.request(ConversationItemCreate(item=output))
        assert_mirrors(conversation, session)
        await bus.response.create()
        second = (await bus.wait_for("agent.response.done", timeout=10)).response
        assert_mirrors(conversation, session)
    kinds = [i.type for i in conversation.items]
    assert kinds == ["message", "function_call", "function_call_output", "message"]
    assert conversation.items[2].output == '{"sky": "clear"}'
    assert conversation.items[2].call_id == call.call_id
    assert second.text == 'get_weather returned: {"sky": "clear"}'


async def test_inserts_with_previous_item_id_and_deletes(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    async with bus:
        session = sim.connections[0]
        a = await bus.request(ConversationItemCreate(item=user_message("a")))
        c = await bus.request(ConversationItemCreate(item=user_message("c")))
        await bus.request(
            ConversationItemCreate(item=user_message("b"), previous_item_id=a.item.id)
        )
        await bus.request(
            ConversationItemCreate(item=user_message("first"), previous_item_id="root")
        )
        assert_mirrors(conversation, session)
        assert [i.text for i in conversation.items] == ["first", "a", "b", "c"]
        await bus.conversation.item.delete(item_id=c.item.id)
        await bus.wait_for("conversation.item.deleted", timeout=10)
        assert_mirrors(conversation, session)
        assert c.item.id not in conversation
        assert conversation.previous_of(conversation.items[2].id) == a.item.id


def speech(text: str) -> bytes:
    return silence(300) + synthesize_speech(text) + silence(900)


async def send_speech(bus: Bus, text: str) -> None:
    pcm = speech(text)
    step = 4800  # 100 ms of 24 kHz PCM16
    for start in range(0, len(pcm), step):
        await bus.input_audio_buffer.append(pcm[start : start + step])


async def test_audio_turn_keeps_audio_transcripts_and_voice_to_voice(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    async with bus:
        await bus.session.update(transcription=TranscriptionConfig(model="gpt-4o-transcribe"))
        session = sim.connections[0]
        await send_speech(bus, "what time is it")
        done = await bus.wait_for(
            "agent.response.done", check=lambda e: e.response.status == "completed", timeout=20
        )
        user_done = (
            await bus.wait_for("agent.item.done", check=lambda e: e.item.role == "user", timeout=10)
            if not conversation.items[0].done
            else None
        )
        assert_mirrors(conversation, session)
    del user_done
    user, assistant = conversation.items
    assert user.text == "what time is it"
    assert user.content[0].transcription is not None
    assert user.content[0].transcription.status == "completed"
    assert conversation.transcripts[0].text == "what time is it"
    response = done.response
    assert response.transcript == "You said: what time is it"
    assert response.audio_ms > 0
    assert len(response.audio) == assistant.content[0].audio_bytes
    assert assistant.content[0].audio_complete
    metrics = response.metrics
    assert metrics is not None
    assert metrics.speech_stopped_at is not None
    assert metrics.audio_end_ms is not None
    v2v = metrics.voice_to_voice_ms
    assert v2v is not None
    assert v2v >= 0
    assert metrics.audio_ms == pytest.approx(response.audio_ms)
    assert conversation.metrics.turns == [metrics]


async def test_truncation_cuts_audio_and_drops_the_transcript(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    async with bus:
        session = sim.connections[0]
        done = await respond_to(bus, "tell me something long")
        (item,) = done.items
        before = item.audio_ms
        assert before > 300
        await bus.conversation.item.truncate(item_id=item.id, content_index=0, audio_end_ms=300)
        await bus.wait_for("conversation.item.truncated", timeout=10)
        assert_mirrors(conversation, session)
    assert item.audio_ms == 300
    assert len(item.audio) == 300 * 48
    assert item.transcript == ""
    assert item.truncated_ms == 300


async def test_several_audio_items_in_one_response() -> None:
    responder = ScriptedResponder(Reply(output=["First part.", "Second part."]))
    async with Simulator(responder=responder) as sim:
        bus = make_bus(sim)
        conversation = Conversation(bus)
        async with bus:
            session = sim.connections[0]
            done = await respond_to(bus, "two things")
            assert_mirrors(conversation, session)
    assert [i.transcript for i in done.items] == ["First part.", "Second part."]
    assert done.transcript == "First part.Second part."
    assert len(done.audio) == sum(len(i.audio) for i in done.items)
    assert all(i.audio_ms > 0 for i in done.items)


async def test_cancelled_response_has_its_status_and_reason() -> None:
    async with Simulator(realtime_factor=1.0) as sim:
        bus = make_bus(sim)
        conversation = Conversation(bus)
        async with bus:
            session = sim.connections[0]
            await bus.request(ConversationItemCreate(item=user_message("a long story please")))
            await bus.response.create()
            await bus.wait_for("response.output_audio.delta", timeout=10)
            await bus.response.cancel()
            done = (await bus.wait_for(AgentResponseDone, timeout=10)).response
            assert_mirrors(conversation, session)
    assert done.status == "cancelled"
    assert done.reason == "client_cancelled"
    assert conversation.current_response is None
    assert done.metrics is not None
    assert done.metrics.status == "cancelled"


async def test_out_of_band_response_is_tracked_but_not_inserted(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    async with bus:
        session = sim.connections[0]
        await bus.request(ConversationItemCreate(item=user_message("hello")))
        await bus.response.create(
            conversation="none",
            output_modalities=["text"],
            input=[user_message("classify this")],
            metadata={"topic": "classifier"},
        )
        done = (await bus.wait_for(AgentResponseDone, timeout=10)).response
        assert_mirrors(conversation, session)
    assert done.out_of_band
    assert done.metadata == {"topic": "classifier"}
    assert done.text == "You said: classify this"
    assert len(conversation) == 1
    assert all(i.id not in conversation for i in done.items)
    assert conversation.responses == [done]


async def test_failed_transcription_is_recorded_and_announces_the_item(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    announced: list[AgentItemDone] = []
    bus.on(AgentItemDone)(announced.append)
    async with bus:
        await bus.session.update(
            transcription=TranscriptionConfig(model="gpt-4o-transcribe"),
            turn_detection=None,
        )
        session = sim.connections[0]
        await bus.input_audio_buffer.append(speech("mumble"))
        committed = await bus.request(InputAudioBufferCommit())
        item_id = committed.item_id
        # The simulator transcribes everything; make it fail this one, as the service can.
        failed = ConversationItemInputAudioTranscriptionFailed(
            event_id="evt_fail",
            item_id=item_id,
            content_index=0,
            error=TranscriptionError(type="transcription_error", message="audio unclear"),
        )
        session.send_event(failed)
        await bus.wait_for("conversation.item.input_audio_transcription.failed", timeout=10)
    transcription = conversation.get(item_id).content[0].transcription  # type: ignore[union-attr]
    assert transcription is not None
    assert transcription.status == "failed"
    assert transcription.error is not None
    assert transcription.error.message == "audio unclear"
    assert [e.item.id for e in announced] == [item_id]


async def test_transcription_only_session_is_a_transcript_log() -> None:
    async with Simulator() as sim:
        bus = Bus(sim.url, api_key="sk-test-key", query={"intent": "transcription"})
        conversation = Conversation(bus)
        async with bus:
            await bus.send(
                SessionUpdate(
                    session=TranscriptionSession(
                        audio=TranscriptionSessionAudio(
                            input=AudioInputConfig(
                                transcription=TranscriptionConfig(model="gpt-4o-transcribe"),
                                turn_detection=ServerVad(),
                            )
                        )
                    )
                )
            )
            both = asyncio.Event()

            @bus.on("conversation.item.input_audio_transcription.completed")
            def count(event: object) -> None:
                if [t.status for t in conversation.transcripts] == ["completed"] * 2:
                    both.set()

            await send_speech(bus, "first sentence")
            await send_speech(bus, "second sentence")
            await asyncio.wait_for(both.wait(), 20)
            assert_mirrors(conversation, sim.connections[0])
    assert conversation.transcription_only
    assert [t.text for t in conversation.transcripts] == ["first sentence", "second sentence"]
    assert conversation.responses == []
