"""The interop scenario with LiveKit's OpenAI plugin (``livekit-plugins-openai``), no room.

``RealtimeModel(base_url="http://HOST:PORT/v1")`` and a session of its own: a text turn, a tool
call, an audio turn with server VAD, and an interrupt during a spoken reply (``interrupt()``,
which sends ``response.cancel``, then ``truncate()`` at the audio received, as LiveKit's
``AgentSession`` does) followed by a new turn that is answered.

    python livekit_scenario.py http://127.0.0.1:PORT/v1 question.pcm

Prints one JSON line of results; exit status 0 when every step passed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import _scenario
import aiohttp
from livekit import rtc
from livekit.agents import llm
from livekit.agents.llm import function_tool
from livekit.plugins.openai.realtime import RealtimeModel
from openai.types.realtime import AudioTranscription
from openai.types.realtime.realtime_audio_input_turn_detection import ServerVad

STEP_SECONDS = 20.0
SAMPLE_RATE = 24000


@function_tool
async def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: The city.
    """
    return f"Sunny and 21 degrees in {city}"


class Turns:
    """Collects what each generation says, as the session creates them."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.audio_chunks = asyncio.Queue[tuple[str, int]]()
        session.on("generation_created", self._created)

    def _created(self, event: llm.GenerationCreatedEvent) -> None:
        asyncio.get_running_loop().create_task(self._collect(event))

    async def _collect(self, event: llm.GenerationCreatedEvent) -> None:
        texts: list[str] = []
        calls: list[llm.FunctionCall] = []
        message_ids: list[str] = []

        async def messages() -> None:
            async for message in event.message_stream:
                message_ids.append(message.message_id)

                async def text(stream: Any = message.text_stream) -> None:
                    async for piece in stream:
                        texts.append(str(piece))

                async def audio(
                    message_id: str = message.message_id, stream: Any = message.audio_stream
                ) -> None:
                    played = 0
                    async for frame in stream:
                        played += frame.samples_per_channel
                        self.audio_chunks.put_nowait((message_id, played))

                await asyncio.gather(text(), audio())

        async def functions() -> None:
            async for call in event.function_stream:
                calls.append(call)

        await asyncio.gather(messages(), functions())
        self.queue.put_nowait({"text": "".join(texts), "calls": calls, "ids": message_ids})

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.queue.get(), STEP_SECONDS)


async def _say(session: Any, text: str) -> None:
    chat_ctx = session.chat_ctx.copy()
    chat_ctx.add_message(role="user", content=text)
    await session.update_chat_ctx(chat_ctx)


def _expect(said: str, expected: str) -> str:
    if said != expected:
        raise AssertionError(f"the assistant said {said!r}, not {expected!r}")
    return said


async def text_turn(session: Any, turns: Turns, speech: bytes) -> str:
    await _say(session, "Hello there")
    await asyncio.wait_for(session.generate_reply(), STEP_SECONDS)
    return _expect((await turns.next())["text"], "You said: Hello there")


async def tool_turn(session: Any, turns: Turns, speech: bytes) -> str:
    await _say(session, "What's the weather in Paris?")
    await asyncio.wait_for(session.generate_reply(), STEP_SECONDS)
    turn = await turns.next()
    if not turn["calls"]:
        raise AssertionError(f"no tool call; the assistant said {turn['text']!r}")
    call = turn["calls"][0]
    arguments = json.loads(call.arguments)
    output = await get_weather(**arguments)
    chat_ctx = session.chat_ctx.copy()
    chat_ctx.items.append(
        llm.FunctionCallOutput(call_id=call.call_id, name=call.name, output=output, is_error=False)
    )
    await session.update_chat_ctx(chat_ctx)
    await asyncio.wait_for(session.generate_reply(), STEP_SECONDS)
    said = (await turns.next())["text"]
    return _expect(said, "get_weather returned: Sunny and 21 degrees in Paris")


async def audio_turn(session: Any, turns: Turns, speech: bytes) -> str:
    step = SAMPLE_RATE // 10 * 2  # 100 ms
    for start in range(0, len(speech), step):
        chunk = speech[start : start + step]
        session.push_audio(rtc.AudioFrame(chunk, SAMPLE_RATE, 1, len(chunk) // 2))
    return _expect((await turns.next())["text"], "You said: what time is it")


async def interrupt_turn(session: Any, turns: Turns, speech: bytes) -> str:
    while not turns.audio_chunks.empty():
        turns.audio_chunks.get_nowait()
    await _say(session, "Tell me a long story about the sea and the ships on it")
    await asyncio.wait_for(session.generate_reply(), STEP_SECONDS)
    chunks = 0
    while True:
        message_id, played = await asyncio.wait_for(turns.audio_chunks.get(), STEP_SECONDS)
        chunks += 1
        if chunks >= 3:
            break
    session.interrupt()
    session.truncate(
        message_id=message_id, modalities=["audio"], audio_end_ms=played * 1000 // SAMPLE_RATE
    )
    await turns.next()  # the interrupted generation ends
    await _say(session, "Are you still there?")
    await asyncio.wait_for(session.generate_reply(), STEP_SECONDS)
    return _expect((await turns.next())["text"], "You said: Are you still there?")


STEPS: dict[str, Callable[[Any, Turns, bytes], Awaitable[str]]] = {
    "text": text_turn,
    "tool": tool_turn,
    "audio": audio_turn,
    "interrupt": interrupt_turn,
}


async def run(base_url: str, speech: bytes) -> dict[str, str]:
    async with aiohttp.ClientSession() as http:
        model = RealtimeModel(
            base_url=base_url,
            api_key="sk-test",
            http_session=http,
            turn_detection=ServerVad(type="server_vad", interrupt_response=True),
            input_audio_transcription=AudioTranscription(model="gpt-4o-mini-transcribe"),
        )
        session = model.session()
        await session.update_tools([get_weather])
        errors: list[str] = []
        session.on("error", lambda e: errors.append(repr(e.error)))
        turns = Turns(session)
        steps = {name: partial(step, session, turns, speech) for name, step in STEPS.items()}
        try:
            results = await _scenario.run_steps(steps, errors)
        finally:
            await session.aclose()
            await model.aclose()
    return results


if __name__ == "__main__":
    raise SystemExit(_scenario.main("livekit-plugins-openai", run))
