"""G.711 (``audio/pcmu``, ``audio/pcma``, 8 kHz) to and from the simulator's PCM16 at 24 kHz.

Telephony sessions send and receive G.711. The simulator works in 24 kHz PCM16 inside (VAD,
durations, synthesis), converting at the edges with :mod:`audioop` (the standard library up to
Python 3.12, the ``audioop-lts`` package from 3.13): companding, and rate conversion by linear
interpolation. Speech synthesized for tests does not survive the lossy round trip, so its input
transcript is a placeholder.
"""

from __future__ import annotations

import warnings
from typing import Literal

with warnings.catch_warnings():
    # Deprecated in the standard library (3.11, 3.12); maintained as a package from 3.13.
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

__all__ = ["G711", "from_pcm24k", "to_pcm24k"]

G711 = Literal["audio/pcmu", "audio/pcma"]
_WIDTH = 2  # bytes per PCM16 sample


def to_pcm24k(data: bytes, kind: G711) -> bytes:
    """G.711 bytes (8 kHz) as PCM16 at 24 kHz."""
    if kind == "audio/pcmu":
        pcm8k = audioop.ulaw2lin(data, _WIDTH)
    else:
        pcm8k = audioop.alaw2lin(data, _WIDTH)
    pcm24k, _state = audioop.ratecv(pcm8k, _WIDTH, 1, 8000, 24000, None)
    return pcm24k


def from_pcm24k(pcm: bytes, kind: G711) -> bytes:
    """PCM16 at 24 kHz as G.711 bytes (8 kHz)."""
    pcm = pcm[: len(pcm) - len(pcm) % _WIDTH]
    pcm8k, _state = audioop.ratecv(pcm, _WIDTH, 1, 24000, 8000, None)
    if kind == "audio/pcmu":
        return audioop.lin2ulaw(pcm8k, _WIDTH)
    return audioop.lin2alaw(pcm8k, _WIDTH)
