"""The interop scenario with the Python Agents SDK (``openai-agents``, ``agents.realtime``).

Against a running simulator (``realtime-bus serve``, or a :class:`~realtime_bus.testing.Simulator`
at real-time pacing): a text turn, a tool call, an audio turn with server VAD, and
``session.interrupt()`` during a spoken reply followed by a new turn that is answered.

Run it directly: ``python interop/openai_agents_scenario.py URL SPEECH.pcm`` with the
simulator's WebSocket URL and the user's question ("what time is it") as PCM16 at 24 kHz (exit
status 0 when every step passed; one JSON line of results on stdout).
``interop/run_one.py openai-agents`` does all of that in a virtual environment of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import _scenario
from agents import function_tool
from agents.realtime import RealtimeAgent, RealtimeRunner, RealtimeSession

STEP_SECONDS = 20.0
"""The longest any step may take (a spoken reply at real-time pacing takes a few seconds)."""


@function_tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"Sunny and 21 degrees in {city}"


def _assistant_texts(session: RealtimeSession) -> list[str]:
    texts: list[str] = []
    for item in session._history:
        if getattr(item, "role", None) != "assistant":
            continue
        for part in getattr(item, "content", []):
            text = getattr(part, "transcript", None) or getattr(part, "text", None)
            if text:
                texts.append(text)
    return texts


async def _until(
    session: RealtimeSession, done: Callable[[Any], bool], seen: list[Any] | None = None
) -> Any:
    async def wait() -> Any:
        async for event in session:
            if seen is not None:
                seen.append(event)
            if event.type == "error":
                raise RuntimeError(f"the session reported an error: {event.error}")
            if done(event):
                return event
        raise RuntimeError("the session ended")

    return await asyncio.wait_for(wait(), STEP_SECONDS)


def _agent_end(event: Any) -> bool:
    return bool(event.type == "agent_end")


async def text_turn(session: RealtimeSession) -> str:
    await session.send_message("Hello there")
    await _until(session, _agent_end)
    texts = _assistant_texts(session)
    assert texts, "no assistant message"
    assert texts[-1] == "You said: Hello there", texts
    return texts[-1]


async def tool_turn(session: RealtimeSession) -> str:
    await session.send_message("What's the weather in Paris?")
    seen: list[Any] = []
    await _until(session, lambda e: e.type == "tool_end", seen)
    await _until(session, _agent_end, seen)
    tool_end = next(e for e in seen if e.type == "tool_end")
    assert tool_end.output == "Sunny and 21 degrees in Paris", tool_end.output
    # The turn that answers the tool's output.
    if not _assistant_texts(session) or "returned" not in _assistant_texts(session)[-1]:
        await _until(session, _agent_end)
    text = _assistant_texts(session)[-1]
    assert text == "get_weather returned: Sunny and 21 degrees in Paris", text
    return text


async def audio_turn(session: RealtimeSession, speech: bytes) -> str:
    for start in range(0, len(speech), 4800):  # 100 ms per append, as a microphone sends
        await session.send_audio(speech[start : start + 4800])
    await _until(session, _agent_end)
    text = _assistant_texts(session)[-1]
    assert text == "You said: what time is it", text
    return text


async def interrupt_turn(session: RealtimeSession) -> str:
    await session.send_message("Tell me a long story about the sea and the ships on it")
    # Interrupt once the spoken reply is under way (a few audio chunks in).
    chunks: list[Any] = []

    def third_chunk(event: Any) -> bool:
        if event.type == "audio":
            chunks.append(event)
        return len(chunks) >= 3

    await _until(session, third_chunk)
    await session.interrupt()
    await _until(session, _agent_end)
    await session.send_message("Are you still there?")
    await _until(session, _agent_end)
    text = _assistant_texts(session)[-1]
    assert text == "You said: Are you still there?", text
    return text


async def run(url: str, speech: bytes, api_key: str = "sk-test") -> dict[str, str]:
    """Run every step against ``url``; the result of each (``"ok"`` or the failure).

    ``speech`` is the user saying "what time is it" (PCM16, 24 kHz) followed by silence.
    """
    steps: dict[str, Callable[[RealtimeSession], Awaitable[str]]] = {
        "text": text_turn,
        "tool": tool_turn,
        "audio": lambda session: audio_turn(session, speech),
        "interrupt": interrupt_turn,
    }
    agent = RealtimeAgent(
        name="Assistant", instructions="You are a helpful assistant.", tools=[get_weather]
    )
    runner = RealtimeRunner(
        agent,
        config={
            "tracing_disabled": True,
            "model_settings": {
                "model_name": "gpt-realtime",
                "turn_detection": {"type": "server_vad", "interrupt_response": True},
                "input_audio_transcription": {"model": "gpt-4o-mini-transcribe"},
            },
        },
    )
    session = await runner.run(model_config={"url": url, "api_key": api_key})
    async with session:
        return await _scenario.run_steps(
            {name: partial(step, session) for name, step in steps.items()}
        )


if __name__ == "__main__":
    raise SystemExit(_scenario.main("openai-agents", run))
