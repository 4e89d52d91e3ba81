"""A small voice agent used by the recording tests: handlers, and the turns it drives."""

from __future__ import annotations

import json
from typing import Any

from realtime_bus import (
    Bus,
    ConversationItemInputAudioTranscriptionCompleted,
    ResponseDone,
    ResponseFunctionCallArgumentsDone,
    ResponseOutputAudioDelta,
    ResponseOutputAudioTranscriptDone,
    ResponseOutputTextDone,
    ServerVad,
    TranscriptionConfig,
    function_output,
    user_message,
)
from realtime_bus.testing import synthesize_speech
from tests._sim import WEATHER


def install(bus: Bus, log: list[Any]) -> None:
    """The agent's handlers; ``log`` collects what they saw and did, in order."""

    @bus.on(ResponseOutputTextDone)
    def text(event: ResponseOutputTextDone) -> None:
        log.append(("text", event.text))

    @bus.on(ResponseOutputAudioTranscriptDone)
    def spoken(event: ResponseOutputAudioTranscriptDone) -> None:
        log.append(("spoken", event.transcript))

    @bus.on(ResponseOutputAudioDelta)
    def audio(event: ResponseOutputAudioDelta) -> None:
        log.append(("audio", len(event.pcm)))

    @bus.on(ConversationItemInputAudioTranscriptionCompleted)
    def heard(event: ConversationItemInputAudioTranscriptionCompleted) -> None:
        log.append(("heard", event.transcript))

    @bus.on(ResponseFunctionCallArgumentsDone)
    async def tool(event: ResponseFunctionCallArgumentsDone) -> None:
        args = json.loads(event.arguments or "{}")
        result = {"location": args.get("location"), "forecast": "sunny"}
        log.append(("tool", event.name, result))
        await bus.conversation.item.create(function_output(event.call_id, result))
        await bus.response.create()

    @bus.on(ResponseDone)
    def done(event: ResponseDone) -> None:
        log.append(("done", event.response.status))


async def drive(bus: Bus, *, timeout: float = 10.0) -> None:
    """Three turns: text, a tool call (answered by the handler), and a voice turn."""
    await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
    await bus.conversation.item.create(user_message("Hello there"))
    done = bus.expect(ResponseDone)
    await bus.response.create()
    await done.wait(timeout)

    await bus.session.update(tools=[WEATHER], tool_choice="auto", wait=True)
    await bus.conversation.item.create(user_message("What's the weather in Paris?"))
    first = bus.expect(ResponseDone)
    await bus.response.create()
    await first.wait(timeout)
    answered = bus.expect(ResponseDone)  # the tool handler asks for the answer
    await answered.wait(timeout)

    await bus.session.update(
        output_modalities=["audio"],
        tools=[],
        turn_detection=ServerVad(silence_duration_ms=300),
        transcription=TranscriptionConfig(model="gpt-4o-mini-transcribe"),
        wait=True,
    )
    voiced = bus.expect(ResponseDone)
    speech = synthesize_speech("What should I wear") + b"\x00" * 48000
    for start in range(0, len(speech), 4800):
        await bus.input_audio_buffer.append(speech[start : start + 4800])
    await voiced.wait(timeout)
