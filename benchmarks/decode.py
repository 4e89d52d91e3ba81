"""Decode throughput: our typed decode vs the limit of a typed decoder vs the ``openai`` package.

On the corpus of simulated voice conversations (``make_frames.py``: audio deltas are most of
the events and nearly all of the bytes), all in one run:

- ``ours``: ``Decoder().decode``, every event typed, unknown types kept.
- ``bare``: msgspec's typed decode into a handful of Structs (audio, transcript and text deltas
  and a few others) with an untyped fallback for every other type: the limit a typed decoder
  can reach, since it types little and checks nothing else.
- ``json``: ``json.loads`` (untyped, for scale).
- ``openai``: the ``openai`` package's parse path, what its realtime connection does per event:
  ``construct_type_unchecked(value=json.loads(frame), type_=RealtimeServerEvent)``.

``--protocol live`` runs the same contest on a corpus of GPT-Live conversations
(``live_frames.py``): ``LiveDecoder().decode``, a bare decode of the Live audio, transcript
and usage events, and the openai package's Live parse path (``construct_type_unchecked`` into
``openai.types.live.ServerEvent``).

Rounds are interleaved (ours, bare, json, openai, ours, ...) and the median of each is
reported, with ratios from the same run. Targets: ours takes at most 1.25x the bare time and
is at least 20x faster than the openai path.

    python benchmarks/decode.py            # 100k frames, 5 rounds
    python benchmarks/decode.py -n 20000 --rounds 9
    python benchmarks/decode.py --protocol live
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Union

import msgspec
from _corpus import load_frames

from realtime_bus.protocol import Decoder, UnknownEvent
from realtime_bus.protocol.live import LiveDecoder

Decode = Callable[[str], Any]


# ---------------------------------------------------------------------------------------------
# The bare typed decode: a few Structs with the fields their events need, nothing more.


class _Bare(msgspec.Struct, tag_field="type", gc=False):
    event_id: str


class _AudioDelta(_Bare, tag="response.output_audio.delta", gc=False):
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    delta: str


class _TranscriptDelta(_Bare, tag="response.output_audio_transcript.delta", gc=False):
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    delta: str


class _InputTranscriptDelta(
    _Bare, tag="conversation.item.input_audio_transcription.delta", gc=False
):
    item_id: str
    content_index: int
    delta: str


class _TextDelta(_Bare, tag="response.output_text.delta", gc=False):
    response_id: str
    item_id: str
    output_index: int
    content_index: int
    delta: str


class _SpeechStarted(_Bare, tag="input_audio_buffer.speech_started", gc=False):
    audio_start_ms: int
    item_id: str


class _ResponseDone(_Bare, tag="response.done", gc=False):
    response: dict[str, Any]


def _typed_or_untyped(members: tuple[type[Any], ...]) -> Decode:
    """A typed decode of ``members``, untyped for the rest."""
    typed = msgspec.json.Decoder(Union[members])  # noqa: UP007 - built from a tuple
    untyped = msgspec.json.Decoder()

    def decode(frame: str) -> Any:
        try:
            return typed.decode(frame)
        except msgspec.ValidationError:  # a type outside the union
            return untyped.decode(frame)

    return decode


def bare_decoder() -> Decode:
    """A typed decode of the common events, untyped for the rest."""
    members = (
        _AudioDelta,
        _TranscriptDelta,
        _InputTranscriptDelta,
        _TextDelta,
        _SpeechStarted,
        _ResponseDone,
    )
    return _typed_or_untyped(members)


def openai_decoder() -> Decode:
    """The ``openai`` package's parse path for one server event."""
    from openai._models import construct_type_unchecked
    from openai.types.realtime import RealtimeServerEvent

    def decode(frame: str) -> Any:
        return construct_type_unchecked(value=json.loads(frame), type_=RealtimeServerEvent)

    return decode


# ---------------------------------------------------------------------------------------------
# The same for GPT-Live


class _LiveAudioDelta(msgspec.Struct, tag_field="type", tag="session.output_audio.delta", gc=False):
    delta: str
    start_ms: int
    end_ms: int


class _LiveTranscript(_Bare, gc=False):
    delta: str
    start_ms: int
    end_ms: int


class _LiveOutputTranscript(_LiveTranscript, tag="session.output_transcript.delta", gc=False):
    pass


class _LiveInputTranscript(_LiveTranscript, tag="session.input_transcript.delta", gc=False):
    pass


class _LiveUsage(_Bare, tag="session.usage.updated", gc=False):
    usage: dict[str, Any]
    context_window: dict[str, Any]


def bare_live_decoder() -> Decode:
    """A typed decode of the common Live events, untyped for the rest."""
    members = (_LiveAudioDelta, _LiveOutputTranscript, _LiveInputTranscript, _LiveUsage)
    return _typed_or_untyped(members)


def openai_live_decoder() -> Decode:
    """The ``openai`` package's parse path for one Live server event."""
    from openai._models import construct_type_unchecked
    from openai.types.live import ServerEvent

    def decode(frame: str) -> Any:
        return construct_type_unchecked(value=json.loads(frame), type_=ServerEvent)

    return decode


# ---------------------------------------------------------------------------------------------


def time_once(decode: Decode, frames: Sequence[str]) -> float:
    """Seconds to decode every frame once (the collector is paused, as between frames)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for frame in frames:
            decode(frame)
        return time.perf_counter() - start
    finally:
        gc.enable()


def check(frames: Sequence[str], decoder: Decoder | LiveDecoder) -> None:
    """Ours must type every frame of the corpus, or the comparison means nothing."""
    unknown = {e.type for f in frames if isinstance(e := decoder.decode(f), UnknownEvent)}
    if unknown:
        sys.exit(f"frames decoded as unknown: {sorted(unknown)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="frames (default 100000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument(
        "--protocol", choices=("realtime", "live"), default="realtime", help="which corpus"
    )
    args = parser.parse_args()

    if args.protocol == "live":
        from live_frames import frames as live_frames

        frames = live_frames(args.n, args.seed)
        ours: Decoder | LiveDecoder = LiveDecoder()
        bare, reference = bare_live_decoder(), openai_live_decoder()
    else:
        frames = load_frames(args.n, args.seed)
        ours, bare, reference = Decoder(), bare_decoder(), openai_decoder()
    check(frames, ours)
    contenders: dict[str, Decode] = {
        "ours": ours.decode,
        "bare": bare,
        "json": json.loads,
        "openai": reference,
    }
    for decode in contenders.values():  # warm up: imports, caches, branch predictors
        time_once(decode, frames[:2000])
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(args.rounds):
        for name, decode in contenders.items():
            times[name].append(time_once(decode, frames))
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr, flush=True)

    med = {name: statistics.median(t) for name, t in times.items()}
    mb = sum(len(f.encode()) for f in frames) / 1e6
    print(
        f"\n{args.protocol} decode, {args.n} frames ({mb:.0f} MB), "
        f"median of {args.rounds} interleaved rounds\n"
    )
    print("| decoder | events/s | us/event | MB/s | vs ours |")
    print("|---|---:|---:|---:|---:|")
    for name, seconds in med.items():
        print(
            f"| {name} | {args.n / seconds:,.0f} | {seconds / args.n * 1e6:.2f} | "
            f"{mb / seconds:,.0f} | {seconds / med['ours']:.2f}x |"
        )
    ours_vs_bare = med["ours"] / med["bare"]
    openai_vs_ours = med["openai"] / med["ours"]
    print(
        f"\nours / bare time: {ours_vs_bare:.3f}x (target <= 1.25x, aim 1.1x): "
        f"{'met' if ours_vs_bare <= 1.25 else 'MISSED'}"
    )
    print(
        f"openai / ours time: {openai_vs_ours:.1f}x (target >= 20x): "
        f"{'met' if openai_vs_ours >= 20 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
