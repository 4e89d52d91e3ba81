"""Audio tools: CPU per second of audio, against the standard library's linear interpolation.

Rows: ``realtime_bus.audio.resample`` with soxr and with the standard-library filter, and
``audioop.ratecv`` (linear interpolation, no anti-aliasing: the baseline, not an equal). Then
G.711 companding and, for the simulator, transcribing synthesized speech. Interleaved rounds,
medians; the last column is the time relative to the baseline of the same row group.

``python benchmarks/audio.py [--rounds 5] [--seconds 5]``
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
import warnings
from collections.abc import Callable

from realtime_bus.audio import resample, ulaw_decode, ulaw_encode
from realtime_bus.testing import decode_speech, synthesize_speech

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def _tone(rate: int, seconds: float) -> bytes:
    n = int(rate * seconds)
    return b"".join(
        int(8000 * math.sin(2 * math.pi * 440 * i / rate)).to_bytes(2, "little", signed=True)
        for i in range(n)
    )


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


Rows = list[tuple[str, Callable[[], object], float]]


def _resampling(pcm: bytes, src: int, dst: int, seconds: float) -> tuple[str, Rows]:
    """One rate conversion by each implementation, ``audioop.ratecv`` the baseline."""
    return (
        f"{src // 1000} -> {dst // 1000} kHz",
        [
            ("ratecv (baseline)", lambda: audioop.ratecv(pcm, 2, 1, src, dst, None), seconds),
            ("soxr", lambda: resample(pcm, src, dst, backend="soxr"), seconds),
            ("standard library", lambda: resample(pcm, src, dst, backend="python"), seconds),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    seconds = args.seconds
    pcm24 = _tone(24000, seconds)
    pcm8 = _tone(8000, seconds)
    speech = synthesize_speech("the quick brown fox jumps over the lazy dog")
    speech_s = len(speech) / 48000
    groups: list[tuple[str, Rows]] = [
        _resampling(pcm24, 24000, 8000, seconds),
        _resampling(pcm8, 8000, 24000, seconds),
        (
            "G.711 and speech",
            [
                ("mu-law encode (baseline)", lambda: ulaw_encode(pcm8), seconds),
                ("mu-law decode", lambda: ulaw_decode(ulaw_encode(pcm8)), seconds),
                ("decode_speech (simulator)", lambda: decode_speech(speech), speech_s),
            ],
        ),
    ]
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for group, rows in groups:
            for name, fn, _audio in rows:
                times.setdefault((group, name), []).append(_time(fn))
    print("| conversion | implementation | ms CPU per s of audio | time vs baseline |")
    print("|---|---|---:|---:|")
    for group, rows in groups:
        base = statistics.median(times[group, rows[0][0]]) / rows[0][2]
        for name, _fn, audio in rows:
            per_s = statistics.median(times[group, name]) / audio
            print(f"| {group} | {name} | {per_s * 1000:.2f} | {per_s / base:.1f}x |")


if __name__ == "__main__":
    main()
