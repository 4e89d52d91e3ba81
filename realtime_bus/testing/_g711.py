"""G.711 (``audio/pcmu``, ``audio/pcma``, 8 kHz) to and from the simulator's PCM16 at 24 kHz.

Telephony sessions send and receive G.711. The simulator works in 24 kHz PCM16 inside (VAD,
durations, synthesis) and converts at the edges with the public tools of
:mod:`realtime_bus.audio`: companding, and band-limited rate conversion (soxr when installed).
Input keeps its resampler's state from one append to the next, so chunk boundaries add nothing.
Speech made by :func:`~realtime_bus.testing.synthesize_speech` survives the round trip.
"""

from __future__ import annotations

from ..audio import G711, Resampler, g711_decode, g711_encode, resample
from ..protocol import PCM16_SAMPLE_RATE

__all__ = ["G711", "G711Input", "from_pcm24k", "to_pcm24k"]

_PHONE_RATE = 8000


class G711Input:
    """One session's incoming G.711: decoded and resampled to 24 kHz, chunk after chunk."""

    def __init__(self) -> None:
        self._kind: G711 | None = None
        self._resampler: Resampler | None = None

    def convert(self, data: bytes, kind: G711) -> bytes:
        """The next appended G.711 bytes as PCM16 at 24 kHz."""
        if kind != self._kind or self._resampler is None:
            self._kind = kind
            self._resampler = Resampler(_PHONE_RATE, PCM16_SAMPLE_RATE)
        return self._resampler.process(g711_decode(data, kind))


def to_pcm24k(data: bytes, kind: G711) -> bytes:
    """G.711 bytes (8 kHz) as PCM16 at 24 kHz, as one piece."""
    return resample(g711_decode(data, kind), _PHONE_RATE, PCM16_SAMPLE_RATE)


def from_pcm24k(pcm: bytes, kind: G711) -> bytes:
    """PCM16 at 24 kHz as G.711 bytes (8 kHz), as one piece."""
    pcm = pcm[: len(pcm) - len(pcm) % 2]
    return g711_encode(resample(pcm, PCM16_SAMPLE_RATE, _PHONE_RATE), kind)
