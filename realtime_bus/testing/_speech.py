"""Deterministic "speech": PCM16 audio that carries its own text, and survives a phone line.

:func:`synthesize_speech` turns text into 24 kHz mono PCM16 that the simulator's energy VAD hears
as speech and its transcriber (:func:`decode_speech`) turns back into the same text. The
assistant's output audio is made the same way, so a test can also read what the assistant "said".

The signal: two start bytes, a two-byte length and the UTF-8 text, one tone burst per byte. A
burst holds two sine tones, one of 16 frequencies from 400 to 1900 Hz for the byte's low nibble
and one of 16 from 2100 to 3300 Hz for the high nibble, followed by a short silent gap. Everything
lies inside the telephone band, so the text survives G.711 at 8 kHz (mu-law or A-law, with any
decent resampler on either side) as well as audio that arrives unchanged. The decoder finds the
bursts by their gaps and reads each from the strongest tone of each group, so it is indifferent
to timing offsets and small level changes. Audio that carries no such signal (a real recording,
:func:`tone`) still triggers VAD and gets a placeholder transcript.
"""

from __future__ import annotations

import array
import functools
import math
import operator
import sys
from collections.abc import Callable, Sequence

from ..protocol import PCM16_SAMPLE_RATE

__all__ = [
    "decode_speech",
    "silence",
    "speech_duration_ms",
    "synthesize_speech",
    "tone",
    "unintelligible_transcript",
]

_START = 0x02
_SYNC = 0xA5
_HEADER = 4
_SWAP = sys.byteorder == "big"
_LOW_HZ = tuple(400.0 + 100.0 * i for i in range(16))
_HIGH_HZ = tuple(2100.0 + 80.0 * i for i in range(16))
_LOW_AMP = 6000.0
_HIGH_AMP = 3000.0  # unequal, so the two tones never beat down to silence inside a burst
_MIN_MS_PER_CHAR = 12.0
_DECIMATE = 3  # the decoder reads every third sample: 8 kHz, the telephone rate
_RATE = PCM16_SAMPLE_RATE // _DECIMATE
_ENVELOPE = 4  # samples (at 8 kHz) per envelope step: 0.5 ms
_LOUD = 1200  # envelope peak that counts as a burst (the quietest burst sample is near 3000)
_MIN_BURST = 3  # envelope steps


def _samples(pcm: bytes | bytearray | memoryview) -> array.array[int]:
    samples = array.array("h")
    samples.frombytes(bytes(pcm[: len(pcm) - len(pcm) % 2]))
    if _SWAP:
        samples.byteswap()
    return samples


def _to_bytes(samples: array.array[int]) -> bytes:
    if _SWAP:
        samples = array.array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def silence(ms: float) -> bytes:
    """``ms`` milliseconds of digital silence (PCM16, 24 kHz)."""
    return bytes(2 * int(PCM16_SAMPLE_RATE * ms / 1000))


def tone(ms: float, amplitude: int = 8000, hz: float = 440.0) -> bytes:
    """A square-wave tone: loud audio that carries no text (VAD hears it, the transcriber not)."""
    period = max(2, int(PCM16_SAMPLE_RATE / hz))
    n = int(PCM16_SAMPLE_RATE * ms / 1000)
    samples = array.array(
        "h", (amplitude if (i % period) < period // 2 else -amplitude for i in range(n))
    )
    return _to_bytes(samples)


def _block_samples(ms_per_char: float) -> int:
    if ms_per_char < _MIN_MS_PER_CHAR:
        raise ValueError(f"ms_per_char must be at least {_MIN_MS_PER_CHAR:g}")
    return int(PCM16_SAMPLE_RATE * ms_per_char / 1000) // 4 * 4


def synthesize_speech(
    text: str,
    *,
    ms_per_char: float = 60.0,
    lead_silence_ms: float = 200.0,
    trail_silence_ms: float = 800.0,
) -> bytes:
    """PCM16 (24 kHz mono) "speech" carrying ``text``, with silence around it.

    The trailing silence is long enough for server VAD (default ``silence_duration_ms``) to end
    the turn. The duration is about ``ms_per_char`` per byte of UTF-8 (at least 12 ms).

    >>> from realtime_bus.testing import decode_speech
    >>> decode_speech(synthesize_speech("what's the weather in Paris"))
    "what's the weather in Paris"
    """
    payload = text.encode()
    if len(payload) > 0xFFFF:
        raise ValueError("text too long to synthesize (more than 65535 bytes)")
    data = bytes([_START, _SYNC, len(payload) >> 8, len(payload) & 0xFF]) + payload
    block = _block_samples(ms_per_char)
    return b"".join(
        (
            silence(lead_silence_ms),
            *(_burst(block, byte) for byte in data),
            silence(trail_silence_ms),
        )
    )


@functools.lru_cache(maxsize=1024)
def _burst(block: int, byte: int) -> bytes:
    """The PCM of one byte: two tones with raised-cosine edges, then a silent gap."""
    rate = PCM16_SAMPLE_RATE
    gap = max(rate // 500, min(block // 8, rate // 200))  # 2 to 5 ms
    length = block - gap
    ramp = min(rate // 500, length // 4)  # 2 ms
    w_low = 2 * math.pi * _LOW_HZ[byte & 0x0F] / rate
    w_high = 2 * math.pi * _HIGH_HZ[byte >> 4] / rate
    out = array.array("h", bytes(2 * block))
    for i in range(length):
        edge = min(i, length - 1 - i)
        gain = 1.0 if edge >= ramp else 0.5 - 0.5 * math.cos(math.pi * edge / ramp)
        value = _LOW_AMP * math.sin(w_low * i) + _HIGH_AMP * math.sin(w_high * i)
        out[i] = round(gain * value)
    return _to_bytes(out)


def speech_duration_ms(text: str, *, ms_per_char: float = 60.0) -> float:
    """How long :func:`synthesize_speech` audio for ``text`` speaks (without the silences)."""
    block = _block_samples(ms_per_char)
    return (len(text.encode()) + _HEADER) * block * 1000 / PCM16_SAMPLE_RATE


# -- decoding -------------------------------------------------------------------------------


def _sum_of_products(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(map(operator.mul, a, b)))


_dot: Callable[[Sequence[float], Sequence[float]], float] = getattr(
    math, "sumprod", _sum_of_products
)


def _bursts(x: array.array[int]) -> list[tuple[int, int]]:
    """``(start, end)`` sample ranges of the loud runs between silent gaps."""
    step = _ENVELOPE
    loud = [max(x[i : i + step], key=abs, default=0) for i in range(0, len(x), step)]
    runs: list[tuple[int, int]] = []
    begin: int | None = None
    for index, peak in enumerate(loud):
        if abs(peak) >= _LOUD:
            if begin is None:
                begin = index
        elif begin is not None:
            if index - begin >= _MIN_BURST:
                runs.append((begin * step, index * step))
            begin = None
    if begin is not None and len(loud) - begin >= _MIN_BURST:
        runs.append((begin * step, min(len(loud) * step, len(x))))
    return runs


@functools.lru_cache(maxsize=128)
def _references(n: int) -> tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]:
    """Cosine and sine of every tone over ``n`` samples at 8 kHz."""
    refs = []
    for hz in (*_LOW_HZ, *_HIGH_HZ):
        w = 2 * math.pi * hz / _RATE
        refs.append(
            (tuple(math.cos(w * i) for i in range(n)), tuple(math.sin(w * i) for i in range(n)))
        )
    return tuple(refs)


def _symbol(x: array.array[int], burst: tuple[int, int]) -> int | None:
    """The byte one burst carries, or ``None`` when it is not two clean tones."""
    start, end = burst
    trim = (end - start) // 5  # skip the edges (ramps, a resampler's ringing)
    segment = x[start + trim : end - trim].tolist()
    n = len(segment)
    if n < 16:
        return None
    total = _dot(segment, segment)
    if total <= 0:
        return None
    powers = []
    for cos, sin in _references(n):
        re, im = _dot(segment, cos), _dot(segment, sin)
        powers.append(2 * (re * re + im * im) / n)
    low = max(range(16), key=powers.__getitem__)
    high = max(range(16), key=lambda i: powers[16 + i])
    # A clean burst has about 80 % of its energy in the low tone and 20 % in the high one.
    if powers[low] < 0.4 * total or powers[16 + high] < 0.08 * total:
        return None
    return (high << 4) | low


def decode_speech(pcm: bytes | bytearray | memoryview) -> str | None:
    """The text carried by :func:`synthesize_speech` audio in ``pcm`` (24 kHz), or ``None``.

    Several utterances in one buffer are joined with spaces.
    """
    x = _samples(pcm)[::_DECIMATE]
    bursts = _bursts(x)
    texts: list[str] = []
    i = 0
    while i + _HEADER <= len(bursts):
        text = _decode_at(x, bursts, i)
        if text is None:
            i += 1
            continue
        texts.append(text)
        i += _HEADER + len(text.encode())
    return " ".join(texts) if texts else None


def _decode_at(x: array.array[int], bursts: list[tuple[int, int]], i: int) -> str | None:
    if _symbol(x, bursts[i]) != _START or _symbol(x, bursts[i + 1]) != _SYNC:
        return None
    high, low = _symbol(x, bursts[i + 2]), _symbol(x, bursts[i + 3])
    if high is None or low is None:
        return None
    length = (high << 8) | low
    first = i + _HEADER
    if first + length > len(bursts):
        return None
    out = bytearray()
    for burst in bursts[first : first + length]:
        value = _symbol(x, burst)
        if value is None:
            return None
        out.append(value)
    try:
        return out.decode()
    except UnicodeDecodeError:
        return None


def unintelligible_transcript(pcm_bytes: int) -> str:
    """The placeholder transcript of audio that carries no synthesized text."""
    seconds = pcm_bytes / (2 * PCM16_SAMPLE_RATE)
    return f"(unintelligible speech, {seconds:.1f} s)"
