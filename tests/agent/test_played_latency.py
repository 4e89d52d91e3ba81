"""Latency to the first audio actually played, when the app reports playback."""

from __future__ import annotations

import pytest

from realtime_bus.agent import AgentTurn, Conversation, Playback
from realtime_bus.protocol import ResponseOutputAudioDelta
from realtime_bus.testing import Simulator, silence, synthesize_speech
from tests._sim import make_bus

pytestmark = pytest.mark.anyio


async def test_reported_playback_gives_voice_to_played(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    playback = Playback(bus, conversation, barge_in=False)
    first_delta: list[float] = []

    @bus.on(ResponseOutputAudioDelta)
    def play(event: ResponseOutputAudioDelta) -> None:
        if not first_delta:
            first_delta.append(event.received)  # type: ignore[arg-type]
            playback.played(960)  # the speaker played the first 20 ms

    async with bus:
        pcm = silence(300) + synthesize_speech("hi") + silence(900)
        for start in range(0, len(pcm), 4800):
            await bus.input_audio_buffer.append(pcm[start : start + 4800])
        turn = (await bus.wait_for(AgentTurn, timeout=20)).metrics
    assert turn.first_played_at is not None
    assert turn.first_audio_at is not None
    assert turn.first_played_at >= turn.first_audio_at
    assert turn.voice_to_played_ms is not None
    v2v = turn.voice_to_voice_ms
    assert v2v is not None
    assert turn.voice_to_played_ms >= v2v


async def test_a_turn_without_reported_playback_has_no_played_latency(sim: Simulator) -> None:
    bus = make_bus(sim)
    conversation = Conversation(bus)
    async with bus:
        pcm = silence(300) + synthesize_speech("hi") + silence(900)
        for start in range(0, len(pcm), 4800):
            await bus.input_audio_buffer.append(pcm[start : start + 4800])
        turn = (await bus.wait_for(AgentTurn, timeout=20)).metrics
    assert turn.first_played_at is None
    assert turn.voice_to_played_ms is None
    assert conversation.metrics.turns == [turn]
