"""A voice chat through the microphone and speaker, with barge-in.

Speak; server VAD ends your turn; the answer plays through the speaker; speak over it and it
stops where you interrupted (the assistant's item is truncated at what the speaker played).

    pip install 'realtime-bus[devices]'          # and the PortAudio library
    OPENAI_API_KEY=sk-... python examples/voice_chat.py

``chat(bus, devices)`` takes the sound devices as a parameter, so
``tests/audio/test_voice_chat_example.py`` runs it with a fake sound card against the simulator.
"""

from __future__ import annotations

import asyncio

from realtime_bus import (
    Bus,
    ConversationItemInputAudioTranscriptionCompleted,
    ResponseDone,
    ResponseOutputAudioTranscriptDone,
    ServerVad,
    TranscriptionConfig,
)
from realtime_bus.agent import Playback
from realtime_bus.audio.devices import Devices, Microphone, SoundDevices, Speaker


async def chat(bus: Bus, devices: Devices, *, answers: int | None = None) -> None:
    """Talk on ``bus`` until cancelled (or until ``answers`` responses are done)."""
    await bus.session.update(
        instructions="You are a friendly voice assistant. Keep answers short.",
        turn_detection=ServerVad(silence_duration_ms=500),
        transcription=TranscriptionConfig(model="gpt-4o-transcribe"),
        wait=True,
    )
    finished = asyncio.Event()
    count = 0

    @bus.on(ConversationItemInputAudioTranscriptionCompleted)
    def you(event: ConversationItemInputAudioTranscriptionCompleted) -> None:
        print("you:", event.transcript)

    @bus.on(ResponseOutputAudioTranscriptDone)
    def assistant(event: ResponseOutputAudioTranscriptDone) -> None:
        print("assistant:", event.transcript)

    @bus.on(ResponseDone)
    def done(event: ResponseDone) -> None:
        nonlocal count
        count += 1
        if answers is not None and count >= answers:
            finished.set()

    playback = Playback(bus)  # barge-in on by default
    async with Speaker(playback, devices), Microphone(devices) as mic:
        try:
            # Until the last answer (a RuntimeError if the microphone stops first).
            await mic.stream_to(bus, until=finished)
            # Let the last answer play out: as long as what is left of it, and a margin.
            async with asyncio.timeout(playback.unplayed_ms / 1000 + 2.0):
                while playback.is_playing:  # noqa: ASYNC110 - no event says playing ended
                    await asyncio.sleep(0.05)
        finally:
            await playback.close()


async def main() -> None:
    async with Bus.openai(model="gpt-realtime") as bus:
        await chat(bus, SoundDevices())


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
