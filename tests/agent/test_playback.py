"""Playback and barge-in against the simulator, with server VAD and real-time pacing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from realtime_bus import (
    AudioPCMU,
    Bus,
    ContentPart,
    MessageItem,
    ResponseDone,
    ServerVad,
    TranscriptionConfig,
)
from realtime_bus.agent import AudioChunk, BargeIn, Conversation, Playback, TurnMetrics
from realtime_bus.testing import Reply, ScriptedResponder, Simulator, synthesize_speech
from tests._sim import make_bus

from .conftest import FRAME_MS, speak

LONG_REPLY = "Let me tell you a rather long story about the sea and the ships on it."  # ~3.5 s
NEXT_REPLY = "Sure, go ahead."
MS = 48

pytestmark = pytest.mark.anyio


def user_text(text: str) -> MessageItem:
    return MessageItem(role="user", content=[ContentPart(type="input_text", text=text)])


def assistant_audio(sim: Simulator, item_id: str) -> bytes | None:
    stored = sim.connections[0].conversation.get(item_id)
    return None if stored is None else stored.pcm(0)


async def ask(bus: Bus, text: str) -> None:
    await bus.conversation.item.create(user_text(text), wait=True)
    await bus.response.create()


async def one_turn(bus: Bus, conversation: Conversation) -> tuple[TurnMetrics, float]:
    """Ask "hi" (no turn detection); the metrics of the turn, and when it was first played."""
    await bus.session.update(turn_detection=None, wait=True)
    await ask(bus, "hi")
    await bus.wait_for("agent.turn", timeout=10)
    (turn,) = conversation.metrics.turns
    assert turn.first_played_at is not None
    return turn, turn.first_played_at


def client_types(sim: Simulator) -> list[str]:
    return [e.type for e in sim.connections[0].received]


async def test_speech_during_the_reply_truncates_at_the_reported_position() -> None:
    responder = ScriptedResponder(LONG_REPLY, NEXT_REPLY)
    async with Simulator(realtime_factor=1.0, responder=responder) as sim:
        bus = make_bus(sim)
        playback = Playback(bus)
        heard_ms = 1000
        chunks: list[AudioChunk] = []

        @playback.on_audio
        def output(chunk: AudioChunk) -> None:
            # A player that reports exactly one second played, then falls silent.
            if not chunks and chunk.end >= 0:
                playback.played(0)
            chunks.append(chunk)
            if chunk.start < heard_ms * MS <= chunk.end:
                playback.played(heard_ms * MS)

        cleared: list[bool] = []
        playback.on_clear(lambda: cleared.append(True))
        errors: list[Any] = []
        bus.add_handler("error", errors.append)
        async with bus:
            await ask(bus, "tell me a story")
            await bus.wait_for(
                "response.output_audio.delta",
                check=lambda e: sum(c.nbytes for c in chunks) >= 1500 * MS,
                timeout=10,
            )
            truncated = bus.expect("conversation.item.truncated")
            answered = bus.expect(ResponseDone, check=lambda e: e.response.status == "completed")
            speech = asyncio.create_task(
                speak(bus, synthesize_speech("wait a moment", lead_silence_ms=0))
            )
            event = await truncated.wait(10)
            assert abs(event.audio_end_ms - heard_ms) <= FRAME_MS
            kept = assistant_audio(sim, event.item_id)
            assert kept is not None
            assert abs(len(kept) // MS - heard_ms) <= FRAME_MS
            # The server's own turn detection cancelled the response: no second cancel.
            assert "response.cancel" not in client_types(sim)
            assert cleared == [True]
            position = playback.position_of(event.item_id)
            assert position is not None
            assert position.interrupted
            for _ in range(100):
                if playback.interruptions:
                    break
                await asyncio.sleep(0.01)
            again = await playback.interrupt()  # idempotent: nothing left to cut
            assert not again.did_anything
            await speech
            done = await answered.wait(15)
            assert done.response.output[0].content[0].transcript == NEXT_REPLY
            assert errors == []
            assert len(playback.interruptions) == 1


async def test_nothing_played_deletes_the_item_and_the_next_turn_is_answered() -> None:
    responder = ScriptedResponder(LONG_REPLY, NEXT_REPLY)
    async with Simulator(realtime_factor=1.0, responder=responder) as sim:
        bus = make_bus(sim)
        playback = Playback(bus)
        playback.on_audio(lambda chunk: playback.played(0))  # reports; plays nothing yet
        async with bus:
            await bus.session.update(turn_detection=None, wait=True)
            await ask(bus, "tell me a story")
            delta = await bus.wait_for("response.output_audio.delta", timeout=10)
            deleted = bus.expect("conversation.item.deleted")
            result = await playback.interrupt()
            assert result.cancelled
            assert not result.cancel_lost_race
            assert result.deleted == (delta.item_id,)
            assert result.truncated == {}
            assert (await deleted.wait(5)).item_id == delta.item_id
            assert delta.item_id not in sim.connections[0].conversation
            assert client_types(sim).count("response.cancel") == 1
            assert (await playback.interrupt()).did_anything is False
            await ask(bus, "and then?")
            done = await bus.wait_for(ResponseDone, timeout=15)
            assert done.response.status == "completed"
            assert done.response.output[0].content[0].transcript == NEXT_REPLY


async def test_an_explicit_interrupt_clamps_to_the_audio_received() -> None:
    async with Simulator(realtime_factor=1.0, responder=ScriptedResponder(LONG_REPLY)) as sim:
        bus = make_bus(sim)
        playback = Playback(bus)
        playback.on_audio(lambda chunk: playback.played(chunk.nbytes * 10))  # over-reports
        async with bus:
            await bus.session.update(turn_detection=None, wait=True)
            await ask(bus, "tell me a story")
            await bus.wait_for(
                "response.output_audio.delta",
                check=lambda e: playback.positions[e.item_id].received_ms >= 500,
                timeout=10,
            )
            result = await playback.interrupt()
            assert result.errors == ()
            ((item_id, end_ms),) = result.truncated.items()
            kept = assistant_audio(sim, item_id)
            assert kept is not None
            assert len(kept) // MS == end_ms
            position = playback.position_of(item_id)
            assert position is not None
            assert end_ms == int(position.received_ms)


async def test_a_cancel_that_loses_the_race_is_absorbed() -> None:
    async with Simulator(realtime_factor=0.0, responder=ScriptedResponder("Hi there.")) as sim:
        bus = make_bus(sim)
        playback = Playback(bus)
        results: list[Any] = []

        async def interrupt_late(_event: Any) -> None:
            # The audio is complete; the server ends the response before our cancel arrives.
            # (Awaited in a handler: the acknowledgements still reach the interrupt.)
            results.append(await playback.interrupt())

        bus.add_handler("response.output_audio.done", interrupt_late)
        errors: list[Any] = []
        bus.add_handler("error", errors.append)
        async with bus:
            await bus.session.update(turn_detection=None, wait=True)
            await ask(bus, "hello")
            await bus.wait_for(ResponseDone, timeout=10)
            for _ in range(100):
                if results:
                    break
                await asyncio.sleep(0.02)
            (result,) = results
            assert result.cancelled
            assert result.cancel_lost_race
            assert result.errors == ()
            assert [e.error.code for e in errors] == ["response_cancel_not_active"]


async def test_barge_in_waits_for_min_speech_ms_and_ignores_a_backchannel() -> None:
    responder = ScriptedResponder(LONG_REPLY)
    async with Simulator(realtime_factor=1.0, responder=responder) as sim:
        bus = make_bus(sim)
        playback = Playback(bus, barge_in=BargeIn(min_speech_ms=600))
        async with bus:
            vad = ServerVad(interrupt_response=False, create_response=False)
            await bus.session.update(turn_detection=vad, wait=True)
            await ask(bus, "tell me a story")
            await bus.wait_for("response.output_audio.delta", timeout=10)
            stopped = bus.expect("input_audio_buffer.speech_stopped")
            await speak(bus, synthesize_speech("uh", lead_silence_ms=0, trail_silence_ms=400))
            await stopped.wait(5)
            await asyncio.sleep(0.7)
            assert playback.interruptions == []
            assert "conversation.item.truncate" not in client_types(sim)
            truncated = bus.expect("conversation.item.truncated")
            await speak(bus, synthesize_speech("hold on, stop there", lead_silence_ms=0))
            event = await truncated.wait(10)
            assert event.audio_end_ms > 0
            (interruption,) = playback.interruptions
            assert interruption.cancelled  # the server does not interrupt on its own here


async def test_bad_barge_in_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="min_speech_ms"):
        BargeIn(min_speech_ms=-1)
    with pytest.raises(ValueError, match="transcript_timeout"):
        BargeIn(transcript_timeout=0)


@contextlib.asynccontextmanager
async def two_thoughts(first: str, *then: str) -> AsyncIterator[tuple[Simulator, Bus, Playback]]:
    """A session asked "two thoughts please", whose reply is two audio items (``first``, then a
    longer one; ``then`` are the replies after it), with nothing played yet."""
    second = "And then a much longer second thought follows here."
    responder = ScriptedResponder(Reply(output=[first, second]), *then)
    async with Simulator(realtime_factor=1.0, responder=responder) as sim:
        bus = make_bus(sim)
        playback = Playback(bus)
        playback.on_audio(lambda chunk: playback.played(0))
        async with bus:
            await bus.session.update(turn_detection=None, wait=True)
            await ask(bus, "two thoughts please")
            yield sim, bus, playback


async def test_two_audio_items_in_one_response_are_both_handled() -> None:
    async with two_thoughts("One short thought.", NEXT_REPLY) as (sim, bus, playback):
        delta = await bus.wait_for(
            "response.output_audio.delta", check=lambda e: e.output_index == 1, timeout=10
        )
        positions = playback.positions
        first_id = next(iter(positions))
        assert list(positions) == [first_id, delta.item_id]
        playback.played(400 * MS)  # the listener is still in the first item
        result = await playback.interrupt()
        assert result.errors == ()
        assert result.truncated == {first_id: 400}
        assert result.deleted == (delta.item_id,)
        kept = assistant_audio(sim, first_id)
        assert kept is not None
        assert len(kept) == 400 * MS
        assert delta.item_id not in sim.connections[0].conversation
        await ask(bus, "go on")
        done = await bus.wait_for(ResponseDone, timeout=15)
        assert done.response.status == "completed"


async def test_played_position_in_the_second_item_leaves_the_first_alone() -> None:
    async with two_thoughts("Short one.") as (sim, bus, playback):
        await bus.wait_for(
            "response.output_audio.delta",
            check=lambda e: (
                e.output_index == 1 and playback.positions[e.item_id].received_ms >= 600
            ),
            timeout=10,
        )
        first_id, second_id = list(playback.positions)
        first_pos = playback.positions[first_id]
        playback.played(int(first_pos.received_bytes) + 300 * MS)
        result = await playback.interrupt()
        assert result.truncated == {second_id: 300}
        assert result.deleted == ()
        kept = assistant_audio(sim, first_id)
        assert kept is not None
        assert len(kept) == first_pos.received_bytes


async def test_marks_drive_playback_on_a_g711_line() -> None:
    async with Simulator(realtime_factor=1.0, responder=ScriptedResponder(LONG_REPLY)) as sim:
        bus = make_bus(sim)
        playback = Playback(bus)
        marks: list[tuple[str, int]] = []

        @playback.on_audio
        def to_phone(chunk: AudioChunk) -> None:  # what a phone bridge does: media, then mark
            marks.append((playback.mark(at=chunk.end), chunk.end))

        async with bus:
            await bus.session.update(turn_detection=None, output_format=AudioPCMU(), wait=True)
            await ask(bus, "tell me a story")
            await bus.wait_for(
                "response.output_audio.delta", check=lambda e: len(marks) >= 12, timeout=10
            )
            heard = next((name, end) for name, end in marks if end >= 800 * 8)
            assert playback.mark_played(heard[0])  # the line played up to here
            position = playback.position
            assert position is not None
            assert position.played_ms == heard[1] / 8
            result = await playback.interrupt()
            assert result.errors == ()
            assert list(result.truncated.values()) == [heard[1] // 8]
            # The line returns the marks of the audio it cleared: they were not played.
            assert not playback.mark_played(marks[-1][0])


async def test_without_reports_the_wall_clock_estimates_what_was_played() -> None:
    async with Simulator(realtime_factor=1.0, responder=ScriptedResponder(LONG_REPLY)) as sim:
        bus = make_bus(sim)
        playback = Playback(bus)
        async with bus:
            await bus.session.update(turn_detection=None, wait=True)
            await ask(bus, "tell me a story")
            await bus.wait_for("response.output_audio.delta", timeout=10)
            await asyncio.sleep(1.0)
            position = playback.position
            assert position is not None
            result = await playback.interrupt()
            ((item_id, end_ms),) = result.truncated.items()
            assert not playback.reports
            # Real-time pacing: the audio arrives just ahead of the clock, so the estimate is
            # about the second that passed, and never beyond what was received.
            assert position.item_id == item_id
            assert 900 <= end_ms <= position.received_ms + 200


async def test_reported_playback_gives_the_turn_its_first_played_time() -> None:
    async with Simulator(realtime_factor=1.0, responder=ScriptedResponder("Hello there.")) as sim:
        bus = make_bus(sim)
        conversation = Conversation(bus)
        playback = Playback(bus, conversation)
        reported_at: list[float] = []

        @playback.on_audio
        def output(chunk: AudioChunk) -> None:
            playback.played(0)  # buffered, not heard yet
            if chunk.start == 0:
                return
            if not reported_at:
                reported_at.append(time.monotonic())
            playback.played(chunk.nbytes)

        async with bus:
            turn, played_at = await one_turn(bus, conversation)
            assert reported_at
            assert abs(played_at - reported_at[0]) < 0.05
            assert turn.created_to_played_ms is not None
            assert turn.created_to_played_ms > 0


async def test_without_reports_the_clock_gives_the_first_played_time() -> None:
    async with Simulator(realtime_factor=1.0, responder=ScriptedResponder("Hello there.")) as sim:
        bus = make_bus(sim)
        conversation = Conversation(bus)
        Playback(bus, conversation)
        first: list[float] = []
        bus.add_handler(
            "response.output_audio.delta", lambda e: first.append(time.monotonic()), once=True
        )
        async with bus:
            _, played_at = await one_turn(bus, conversation)
            assert abs(played_at - first[0]) < 0.05


async def test_barge_in_can_wait_for_the_first_words_of_the_user() -> None:
    async with Simulator(realtime_factor=1.0, responder=ScriptedResponder(LONG_REPLY)) as sim:
        bus = make_bus(sim)
        playback = Playback(bus, barge_in=BargeIn(wait_for_transcript=True))
        order: list[str] = []
        bus.add_handler(
            "conversation.item.input_audio_transcription.delta",
            lambda e: order.append("words"),
            once=True,
        )
        playback.on_clear(lambda: order.append("interrupt"))
        async with bus:
            vad = ServerVad(interrupt_response=False, create_response=False)
            await bus.session.update(
                turn_detection=vad,
                transcription=TranscriptionConfig(model="gpt-4o-transcribe"),
                wait=True,
            )
            await ask(bus, "tell me a story")
            await bus.wait_for("response.output_audio.delta", timeout=10)
            truncated = bus.expect("conversation.item.truncated")
            await speak(bus, synthesize_speech("one moment", lead_silence_ms=0))
            event = await truncated.wait(10)
            assert event.audio_end_ms > 0
            assert order == ["words", "interrupt"]
