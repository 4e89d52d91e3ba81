"""realtime-bus demo: a short conversation through the bus, with a readable trace.

By default it starts the simulator on a free loopback port and talks to it; with --live it
talks to the OpenAI Realtime API (OPENAI_API_KEY). Three turns: text, a function call whose
tool runs in a handler, and a voice turn (PCM16 in, server VAD, transcript, audio out saved to
a WAV file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

from ..bus import Bus, ErrorReport
from ..protocol import (
    PCM16_SAMPLE_RATE,
    ConversationItemInputAudioTranscriptionCompleted,
    FunctionTool,
    InputAudioBufferSpeechStarted,
    InputAudioBufferSpeechStopped,
    RealtimeBusError,
    ResponseCreateParams,
    ResponseDone,
    ResponseFunctionCallArgumentsDone,
    ResponseOutputAudioDelta,
    ResponseOutputAudioTranscriptDelta,
    ResponseOutputTextDelta,
    ServerVad,
    TranscriptionConfig,
    function_output,
    user_message,
)
from ._command import positive_float

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run", "run_demo"]

NAME = "demo"
HELP = "run a short conversation through the bus (against the embedded simulator)"
DESCRIPTION = __doc__ or ""

WEATHER_TOOL = FunctionTool(
    name="get_weather",
    description="The current weather in a city.",
    parameters={
        "type": "object",
        "properties": {"location": {"type": "string", "description": "A city name"}},
        "required": ["location"],
    },
)


def get_weather(location: str) -> dict[str, Any]:
    """The demo's tool: a deterministic forecast."""
    return {"location": location, "forecast": "sunny", "temperature_c": 21}


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--live", action="store_true", help="talk to the OpenAI Realtime API (OPENAI_API_KEY)"
    )
    parser.add_argument("--model", default="gpt-realtime", help="model for --live")
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write the reply audio (WAV; default: a new temporary folder)",
    )
    parser.add_argument(
        "--timeout", type=positive_float, default=60.0, help="seconds allowed for each turn"
    )


def run(args: argparse.Namespace) -> int:
    out = args.out
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="realtime-bus-demo-")) / "reply.wav"
    try:
        asyncio.run(run_demo(live=args.live, model=args.model, out=out, timeout=args.timeout))
    except KeyboardInterrupt:
        print("demo: interrupted", file=sys.stderr)
        return 130
    except (RealtimeBusError, TimeoutError, OSError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
        print(f"demo failed: {type(exc).__name__}: {reason}", file=sys.stderr)
        return 1
    return 0


class _Trace:
    """Prints what crosses the bus, one readable line per step."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self._open_line = False

    def line(self, text: str) -> None:
        self.end_stream()
        print(f"[{time.monotonic() - self.started:6.2f}s] {text}", file=self.stream, flush=True)

    def stream_text(self, prefix: str, text: str) -> None:
        if not self._open_line:
            print(f"[{time.monotonic() - self.started:6.2f}s] {prefix}", end="", file=self.stream)
            self._open_line = True
        print(text, end="", file=self.stream, flush=True)

    def end_stream(self) -> None:
        if self._open_line:
            print(file=self.stream, flush=True)
            self._open_line = False


@asynccontextmanager
async def _target(live: bool, model: str) -> AsyncIterator[tuple[Bus, str]]:
    if live:
        if not os.environ.get("OPENAI_API_KEY"):
            raise ValueError("--live needs OPENAI_API_KEY")
        yield Bus.openai(model=model), "the OpenAI Realtime API"
        return
    from ..testing import Simulator

    async with Simulator() as sim:
        yield Bus(sim.url, api_key="sk-demo", query={"model": model}), f"the simulator at {sim.url}"


async def _speech(bus: Bus, text: str, live: bool, timeout: float) -> bytes:
    """PCM16 of ``text`` spoken: synthesized offline, or asked of the model when live."""
    if not live:
        from ..testing import synthesize_speech

        return synthesize_speech(text)
    # Live: an out-of-band response (not added to the conversation) reads the text aloud.
    chunks: list[bytes] = []
    done = bus.expect(ResponseDone, check=lambda e: e.response.metadata == {"demo": "tts"})

    def collect(event: ResponseOutputAudioDelta) -> None:
        chunks.append(event.pcm)

    bus.add_handler(ResponseOutputAudioDelta, collect)
    try:
        await bus.response.create(
            ResponseCreateParams(
                conversation="none",
                metadata={"demo": "tts"},
                output_modalities=["audio"],
                instructions=f"Say exactly this and nothing else: {text}",
            )
        )
        await done.wait(timeout)
    finally:
        bus.off(collect)
    silence = b"\x00" * (PCM16_SAMPLE_RATE * 2)  # one second, so server VAD hears the end
    return b"".join(chunks) + silence


async def run_demo(
    *, live: bool, model: str, out: Path, timeout: float, stream: TextIO = sys.stdout
) -> None:
    """Run the three turns; raises on any failure."""
    trace = _Trace(stream)
    async with _target(live, model) as (bus, where):
        trace.line(f"connecting to {where}")
        audio_out: list[bytes] = []
        tools_ran: list[str] = []
        failures: list[ErrorReport] = []

        @bus.on("bus.connected")
        def connected(event: Any) -> None:
            trace.line(f"connected: session {event.session_id}")

        @bus.on(ResponseOutputTextDelta)
        def text_delta(event: ResponseOutputTextDelta) -> None:
            trace.stream_text("assistant: ", event.delta)

        @bus.on(ResponseOutputAudioTranscriptDelta)
        def transcript_delta(event: ResponseOutputAudioTranscriptDelta) -> None:
            trace.stream_text("assistant (speaking): ", event.delta)

        @bus.on(ResponseOutputAudioDelta)
        def audio_delta(event: ResponseOutputAudioDelta) -> None:
            audio_out.append(event.pcm)

        @bus.on(InputAudioBufferSpeechStarted)
        def speech_started(event: InputAudioBufferSpeechStarted) -> None:
            trace.line(f"server VAD: speech started at {event.audio_start_ms} ms")

        @bus.on(InputAudioBufferSpeechStopped)
        def speech_stopped(event: InputAudioBufferSpeechStopped) -> None:
            trace.line(f"server VAD: speech stopped at {event.audio_end_ms} ms")

        @bus.on(ConversationItemInputAudioTranscriptionCompleted)
        def heard(event: ConversationItemInputAudioTranscriptionCompleted) -> None:
            trace.line(f"user (transcribed): {event.transcript}")

        @bus.on(ResponseFunctionCallArgumentsDone)
        async def call_tool(event: ResponseFunctionCallArgumentsDone) -> None:
            arguments = json.loads(event.arguments or "{}")
            trace.line(f"tool call: {event.name}({arguments})")
            result = get_weather(**arguments)
            tools_ran.append(event.name)
            trace.line(f"tool result: {result}")
            await bus.conversation.item.create(function_output(event.call_id, result))

        @bus.on(ResponseDone)
        def response_done(event: ResponseDone) -> None:
            usage = event.response.usage
            tokens = getattr(usage, "total_tokens", None)
            trace.line(f"response {event.response.status} ({tokens} tokens)")

        @bus.on_error
        def on_error(report: ErrorReport) -> None:
            failures.append(report)
            trace.line(f"error: {report!r}")

        async with bus:
            # 1. A text turn.
            await bus.session.update(
                instructions="You are a concise assistant.",
                output_modalities=["text"],
                turn_detection=None,
                wait=True,
            )
            trace.line("user: Hello! Who are you?")
            await bus.conversation.item.create(user_message("Hello! Who are you?"))
            done = bus.expect(ResponseDone)
            await bus.response.create()
            first = await done.wait(timeout)
            _require(first.response.status == "completed", "the text turn did not complete")

            # 2. A function call: the tool runs in a handler, its output goes back.
            await bus.session.update(tools=[WEATHER_TOOL], tool_choice="auto", wait=True)
            question = "What's the weather in Paris?"
            trace.line(f"user: {question}")
            await bus.conversation.item.create(user_message(question))
            called = bus.expect(ResponseDone)
            await bus.response.create()
            await called.wait(timeout)
            _require(tools_ran == ["get_weather"], "the model did not call get_weather")
            answered = bus.expect(ResponseDone)
            await bus.response.create()
            final = await answered.wait(timeout)
            _require(final.response.status == "completed", "the tool turn did not complete")

            # 3. A voice turn: PCM16 in, server VAD, transcript, audio out.
            await bus.session.update(
                output_modalities=["audio"],
                turn_detection=ServerVad(silence_duration_ms=400),
                transcription=TranscriptionConfig(model="gpt-4o-mini-transcribe"),
                tools=[],
                wait=True,
            )
            speech = await _speech(bus, "What should I wear today?", live, timeout)
            audio_out.clear()
            voice_done = bus.expect(ResponseDone)
            trace.line(f"user speaks: {len(speech) / 48000:.2f} s of PCM16 in 20 ms chunks")
            for start in range(0, len(speech), 960):
                await bus.input_audio_buffer.append(speech[start : start + 960])
            reply = await voice_done.wait(timeout)
            _require(reply.response.status == "completed", "the voice turn did not complete")
            _require(bool(audio_out), "no audio came back")
            _write_wav(out, b"".join(audio_out))
            trace.line(f"reply audio: {sum(map(len, audio_out)) / 48000:.2f} s saved to {out}")
        _require(not failures, f"{len(failures)} errors reported on the bus")
        trace.line("demo complete")


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise RealtimeBusError(reason)


def _write_wav(path: Path, pcm: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(PCM16_SAMPLE_RATE)
        wav.writeframes(pcm)
