"""G.711 (``audio/pcmu``, ``audio/pcma``, 8 kHz) to and from the simulator's PCM16 at 24 kHz.

Telephony sessions send and receive G.711. The simulator works in 24 kHz PCM16 inside (VAD,
durations, synthesis), converting at the edges: input is expanded and upsampled by repetition,
output is downsampled by taking every third sample and compressed. Speech synthesized for
tests does not survive the lossy round trip, so its input transcript is a placeholder.
"""

from __future__ import annotations

import array
import bisect
import functools
import sys
from typing import Literal

__all__ = ["G711", "from_pcm24k", "to_pcm24k"]

G711 = Literal["audio/pcmu", "audio/pcma"]
_SWAP = sys.byteorder == "big"


def _ulaw(code: int) -> int:
    code = ~code & 0xFF
    magnitude = ((((code & 0x0F) << 3) + 0x84) << ((code >> 4) & 0x07)) - 0x84
    return -magnitude if code & 0x80 else magnitude


def _alaw(code: int) -> int:
    code ^= 0x55
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    segment_start = (mantissa << 4) + 0x108
    magnitude = segment_start << (exponent - 1) if exponent else (mantissa << 4) + 8
    return magnitude if code & 0x80 else -magnitude


@functools.cache
def _expand(kind: G711) -> tuple[int, ...]:
    decode = _ulaw if kind == "audio/pcmu" else _alaw
    return tuple(decode(code) for code in range(256))


@functools.cache
def _compress(kind: G711) -> bytes:
    """For every 16-bit sample (offset by 32768), the code whose value is nearest."""
    values = _expand(kind)
    ordered = sorted(range(256), key=lambda code: values[code])
    levels = [values[code] for code in ordered]
    table = bytearray(65536)
    for index in range(65536):
        sample = index - 32768
        at = bisect.bisect_left(levels, sample)
        if at == len(levels) or (at > 0 and sample - levels[at - 1] <= levels[at] - sample):
            at -= 1
        table[index] = ordered[at]
    return bytes(table)


def to_pcm24k(data: bytes, kind: G711) -> bytes:
    """G.711 bytes (8 kHz) as PCM16 at 24 kHz."""
    values = _expand(kind)
    samples = array.array("h", (values[code] for code in data for _ in range(3)))
    if _SWAP:
        samples.byteswap()
    return samples.tobytes()


def from_pcm24k(pcm: bytes, kind: G711) -> bytes:
    """PCM16 at 24 kHz as G.711 bytes (8 kHz)."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 6])
    if _SWAP:
        samples.byteswap()
    table = _compress(kind)
    return bytes(table[sample + 32768] for sample in samples[::3])
