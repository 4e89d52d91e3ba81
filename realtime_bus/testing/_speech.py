"""Deterministic "speech": PCM16 audio that carries its own text.

:func:`synthesize_speech` turns text into 24 kHz mono PCM16 that the simulator's energy VAD hears
as speech and its transcriber (:func:`decode_speech`) turns back into the same text. The
assistant's output audio is made the same way, so a test can also read what the assistant "said".

The signal: two start bytes, a two-byte length and the UTF-8 text, one byte per block of samples.
Each block is a 6 kHz square wave whose amplitude is ``4096 + 64 * byte`` (loud enough for any
VAD threshold), so decoding is exact for audio that arrives unchanged. Audio that carries no
such signal (a real recording) still triggers VAD and gets a placeholder transcript.
"""

from __future__ import annotations

import array
import functools
import sys

from ..protocol import PCM16_SAMPLE_RATE

__all__ = [
    "decode_speech",
    "silence",
    "speech_duration_ms",
    "synthesize_speech",
    "tone",
    "unintelligible_transcript",
]

_BASE = 4096
_STEP = 64
_START = 0x02
_SYNC = 0xA5
_HEADER = 4
_SWAP = sys.byteorder == "big"


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
    block = int(PCM16_SAMPLE_RATE * ms_per_char / 1000) // 4 * 4
    return max(block, 8)


def synthesize_speech(
    text: str,
    *,
    ms_per_char: float = 60.0,
    lead_silence_ms: float = 200.0,
    trail_silence_ms: float = 800.0,
) -> bytes:
    """PCM16 (24 kHz mono) "speech" carrying ``text``, with silence around it.

    The trailing silence is long enough for server VAD (default ``silence_duration_ms``) to end
    the turn. The duration is about ``ms_per_char`` per character.

    >>> from realtime_bus.testing import decode_speech
    >>> decode_speech(synthesize_speech("what's the weather in Paris"))
    "what's the weather in Paris"
    """
    payload = text.encode()
    if len(payload) > 0xFFFF:
        raise ValueError("text too long to synthesize (more than 65535 bytes)")
    data = bytes([_START, _SYNC, len(payload) >> 8, len(payload) & 0xFF]) + payload
    blocks = _blocks(_block_samples(ms_per_char))
    return b"".join(
        (silence(lead_silence_ms), *(blocks[byte] for byte in data), silence(trail_silence_ms))
    )


@functools.lru_cache(maxsize=8)
def _blocks(block: int) -> tuple[bytes, ...]:
    """The PCM of one block for each byte value, built once per block length."""
    out = []
    for byte in range(256):
        amp = _BASE + _STEP * byte
        out.append(_to_bytes(array.array("h", (amp, amp, -amp, -amp))) * (block // 4))
    return tuple(out)


def speech_duration_ms(text: str, *, ms_per_char: float = 60.0) -> float:
    """How long :func:`synthesize_speech` audio for ``text`` speaks (without the silences)."""
    block = _block_samples(ms_per_char)
    return (len(text.encode()) + _HEADER) * block * 1000 / PCM16_SAMPLE_RATE


def _byte_at(samples: array.array[int], index: int) -> int | None:
    if index >= len(samples):
        return None
    value = abs(samples[index]) - _BASE
    if value < 0 or value % _STEP or value // _STEP > 0xFF:
        return None
    return value // _STEP


def decode_speech(pcm: bytes | bytearray | memoryview) -> str | None:
    """The text carried by :func:`synthesize_speech` audio in ``pcm``, or ``None``.

    Several utterances in one buffer are joined with spaces.
    """
    raw = bytes(pcm[: len(pcm) - len(pcm) % 2])
    samples = _samples(raw)
    amp = _BASE + _STEP * _START
    marker = _to_bytes(array.array("h", (amp, amp, -amp, -amp)))
    texts: list[str] = []
    pos = 0
    while True:
        found = raw.find(marker, pos)
        if found < 0:
            break
        if found % 2:
            pos = found + 1
            continue
        start = found // 2
        end = start
        while end < len(samples) and abs(samples[end]) == amp:
            end += 1
        block = end - start
        text = _decode_at(samples, start, block) if block >= 8 else None
        if text is None:
            pos = found + 2
            continue
        texts.append(text)
        pos = (start + block * (_HEADER + len(text.encode()))) * 2
    return " ".join(texts) if texts else None


def _decode_at(samples: array.array[int], start: int, block: int) -> str | None:
    # Read each block mid-way, on a positive sample of the square wave.
    def byte(i: int) -> int | None:
        return _byte_at(samples, start + i * block + 1)

    if byte(1) != _SYNC:
        return None
    high, low = byte(2), byte(3)
    if high is None or low is None:
        return None
    length = (high << 8) | low
    out = bytearray()
    for i in range(length):
        value = byte(_HEADER + i)
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
