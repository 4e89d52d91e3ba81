"""The interop scenario with pipecat's ``OpenAIRealtimeLLMService``, in a pipeline of its own.

``OpenAIRealtimeLLMService(base_url="ws://HOST:PORT/v1/realtime")`` between pipecat's context
aggregators, with no transport: frames go in through the pipeline task, and a collector after
the service records what it says. pipecat takes user text through its context (appended
messages go to the model as system items), so the text turn is the first context; the tool
call, the audio turn and the interrupt are spoken, with server VAD, as in a voice bot. The
interrupt is an ``InterruptionFrame`` during the spoken reply: with server turn detection
pipecat truncates the playing item and sends no ``response.cancel``.

    python pipecat_scenario.py ws://127.0.0.1:PORT/v1/realtime SPEECH_DIR

Prints one JSON line of results; exit status 0 when every step passed.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import _scenario
from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
from pipecat.adapters.llm.schemas.tools_schema import ToolsSchema
from pipecat.frames.frames import (
    EndFrame,
    Frame,
    InputAudioRawFrame,
    InterruptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMTextFrame,
    TTSAudioRawFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.runner import PipelineRunner
from pipecat.pipeline.task import PipelineParams, PipelineTask
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.llm_service import FunctionCallParams
from pipecat.services.openai.realtime.llm import OpenAIRealtimeLLMService

# PipelineTask and PipelineRunner are deprecated in pipecat 1.x (for PipelineWorker and
# WorkerRunner) but are what its realtime examples use; they work throughout 1.x.
warnings.filterwarnings("ignore", category=DeprecationWarning, module="pipecat")
warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*PipelineTask|.*Runner")

STEP_SECONDS = 20.0
SAMPLE_RATE = 24000


class Collector(FrameProcessor):
    """Records the service's output: the text of each response, and its audio as it comes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.turns: asyncio.Queue[str] = asyncio.Queue()
        self.audio_chunks = 0
        self.audio = asyncio.Event()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMTextFrame):
            self.parts.append(frame.text)
        elif isinstance(frame, TTSAudioRawFrame):
            self.audio_chunks += 1
            if self.audio_chunks >= 3:
                self.audio.set()
        elif isinstance(frame, LLMFullResponseEndFrame):
            self.turns.put_nowait("".join(self.parts))
            self.parts = []
        await self.push_frame(frame, direction)

    async def next_turn(self) -> str:
        return await asyncio.wait_for(self.turns.get(), STEP_SECONDS)

    async def turn_saying(self, expected: str) -> str:
        """Skip responses that end empty (an interrupted one) until one says something."""
        while True:
            said = await self.next_turn()
            if said:
                if said != expected:
                    raise AssertionError(f"the assistant said {said!r}, not {expected!r}")
                return said


async def _speak(task: PipelineTask, pcm: bytes) -> None:
    step = SAMPLE_RATE // 10 * 2  # 100 ms, paced as a microphone sends it
    for start in range(0, len(pcm), step):
        frame = InputAudioRawFrame(
            audio=pcm[start : start + step], sample_rate=SAMPLE_RATE, num_channels=1
        )
        await task.queue_frame(frame)
        await asyncio.sleep(0.02)


async def run(url: str, speech: dict[str, bytes]) -> dict[str, str]:
    """Run every step against ``url``; ``speech`` holds the user's spoken turns by name."""
    tool_calls: list[dict[str, Any]] = []

    async def get_weather(params: FunctionCallParams) -> None:
        tool_calls.append(dict(params.arguments))
        await params.result_callback(f"Sunny and 21 degrees in {params.arguments['city']}")

    llm = OpenAIRealtimeLLMService(api_key="sk-test", base_url=url)
    llm.register_function("get_weather", get_weather)
    tools = ToolsSchema(
        standard_tools=[
            FunctionSchema(
                name="get_weather",
                description="The current weather in a city.",
                properties={"city": {"type": "string"}},
                required=["city"],
            )
        ]
    )
    context = LLMContext(messages=[{"role": "user", "content": "Hello there"}], tools=tools)
    aggregators = LLMContextAggregatorPair(context)
    collector = Collector()
    pipeline = Pipeline([aggregators.user(), llm, collector, aggregators.assistant()])
    task = PipelineTask(pipeline, params=PipelineParams(allow_interruptions=True))
    runner = PipelineRunner(handle_sigint=False)
    running = asyncio.create_task(runner.run(task))

    async def text() -> None:
        await task.queue_frame(LLMContextFrame(context))
        await collector.turn_saying("You said: Hello there")

    async def tool() -> None:
        await _speak(task, speech["weather"])
        await collector.turn_saying('get_weather returned: "Sunny and 21 degrees in Paris"')
        if tool_calls != [{"city": "Paris"}]:
            raise AssertionError(f"tool calls: {tool_calls}")

    async def audio() -> None:
        await _speak(task, speech["question"])
        await collector.turn_saying("You said: what time is it")

    async def interrupt() -> None:
        collector.audio_chunks = 0
        collector.audio.clear()
        await _speak(task, speech["story"])
        await asyncio.wait_for(collector.audio.wait(), STEP_SECONDS)
        await task.queue_frame(InterruptionFrame())
        # The interrupted response ends (pipecat ends it at once, the server on the truncate).
        await asyncio.sleep(1.0)
        while not collector.turns.empty():
            collector.turns.get_nowait()
        await _speak(task, speech["still"])
        await collector.turn_saying("You said: are you still there")

    try:
        steps = {"text": text, "tool": tool, "audio": audio, "interrupt": interrupt}
        results = await _scenario.run_steps(steps)
    finally:
        await task.queue_frame(EndFrame())
        try:
            await asyncio.wait_for(running, 10)
        except Exception:
            await task.cancel()
    return results


def _speech(directory: Path) -> dict[str, bytes]:
    """The user's spoken turns by name, from ``NAME.pcm`` files."""
    return {path.stem: path.read_bytes() for path in directory.glob("*.pcm")}


if __name__ == "__main__":
    raise SystemExit(_scenario.main("pipecat-ai", run, _speech))
