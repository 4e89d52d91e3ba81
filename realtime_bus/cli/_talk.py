"""realtime-bus talk: a voice conversation through the default microphone and speaker.

By default the other side is a simulator in this process (it answers "You said: ..." and only
understands speech made by realtime_bus.testing.synthesize_speech); --live talks to the OpenAI
Realtime API. Barge-in works: speak over the answer and it stops where you interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TextIO

from ._command import CommandError

if TYPE_CHECKING:
    from ..agent import Playback
    from ..bus import Bus

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run", "run_talk"]

NAME = "talk"
HELP = "a voice conversation through the microphone and speaker (simulator by default)"

_PLAYING_MARGIN_S = 5.0
"""After the last answer, how much longer than its unplayed audio the speaker may take."""

DESCRIPTION = """\
Talk to a Realtime session through the default microphone and speaker (the devices extra:
pip install 'realtime-bus[devices]', and the PortAudio library). Server VAD ends your turns;
speaking over the answer interrupts it, and the assistant's item is truncated at what you
heard. By default the session is a local simulator, which cannot understand a real voice: it
answers "You said: (unintelligible speech, ...)". Use --live for the real service.
"""


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--live", action="store_true", help="talk to the OpenAI Realtime API (OPENAI_API_KEY)"
    )
    parser.add_argument("--model", default="gpt-realtime", help="model for --live")
    parser.add_argument("--voice", default=None, help="the assistant's voice (--live)")
    parser.add_argument("--instructions", default=None, help="instructions for the session")
    parser.add_argument("--input-device", default=None, help="microphone (name or index)")
    parser.add_argument("--output-device", default=None, help="speaker (name or index)")
    parser.add_argument(
        "--turns", type=int, default=None, help="stop after this many answers (default: Ctrl-C)"
    )


def _device(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


def run(args: argparse.Namespace) -> int:
    from ..audio.devices import SoundDevices

    if args.live and not os.environ.get("OPENAI_API_KEY"):
        raise CommandError("--live needs OPENAI_API_KEY")
    devices = SoundDevices(_device(args.input_device), _device(args.output_device))
    try:
        return asyncio.run(
            run_talk(
                devices=devices,
                live=args.live,
                model=args.model,
                voice=args.voice,
                instructions=args.instructions,
                turns=args.turns,
            )
        )
    except KeyboardInterrupt:
        return 0
    except ImportError as exc:
        raise CommandError(str(exc)) from None


@contextlib.asynccontextmanager
async def _bus(live: bool, model: str) -> AsyncIterator[tuple[Bus, str]]:
    from ..bus import Bus

    if live:
        async with Bus.openai(model=model) as bus:
            yield bus, "the OpenAI Realtime API"
        return
    from ..testing import Simulator

    async with (
        Simulator(realtime_factor=1.0, record=False) as sim,
        Bus(sim.url, api_key="sk-simulator") as bus,
    ):
        yield bus, f"the simulator at {sim.url}"


async def run_talk(
    *,
    devices: Any,
    live: bool = False,
    model: str = "gpt-realtime",
    voice: str | None = None,
    instructions: str | None = None,
    turns: int | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Talk until Ctrl-C (or ``turns`` answers); ``devices`` opens the sound streams."""
    from msgspec import UNSET

    from ..agent import Playback
    from ..audio.devices import Microphone, Speaker
    from ..protocol import ServerVad, TranscriptionConfig

    answers = 0
    done = asyncio.Event()
    async with _bus(live, model) as (bus, where):
        await bus.session.update(
            turn_detection=ServerVad(silence_duration_ms=500),
            transcription=TranscriptionConfig(model="gpt-4o-transcribe"),
            instructions=instructions if instructions is not None else UNSET,
            voice=voice if voice is not None else UNSET,
            wait=True,
        )

        @bus.on("conversation.item.input_audio_transcription.completed")
        def you(event: Any) -> None:
            print(f"you: {event.transcript}", file=out, flush=True)

        @bus.on("response.output_audio_transcript.done")
        def assistant(event: Any) -> None:
            print(f"assistant: {event.transcript}", file=out, flush=True)

        @bus.on("response.done")
        def answered(event: Any) -> None:
            nonlocal answers
            if event.response.status == "cancelled":
                print("(interrupted)", file=out, flush=True)
            answers += 1
            if turns is not None and answers >= turns:
                done.set()

        playback = Playback(bus)
        print(f"Talking to {where}. Speak; Ctrl-C to stop.", file=out, flush=True)
        async with Speaker(playback, devices), Microphone(devices) as mic:
            try:
                try:
                    await mic.stream_to(bus, until=done)
                except RuntimeError as exc:  # the microphone stopped before the last answer
                    raise CommandError(str(exc)) from None
                await _finish_playing(playback)
            finally:
                await playback.close()
    return 0


async def _finish_playing(playback: Playback) -> None:
    """Let the last answer finish playing: as long as what is left of it, and a margin."""
    bound = playback.unplayed_ms / 1000 + _PLAYING_MARGIN_S
    try:
        async with asyncio.timeout(bound):
            while playback.is_playing:  # noqa: ASYNC110 - the speaker's thread reports progress
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise CommandError(
            f"the speaker did not finish the last answer within {bound:.1f} s"
        ) from None
