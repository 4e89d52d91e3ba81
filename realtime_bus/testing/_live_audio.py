"""Audio at the edges of a simulated Live session: the session's format to PCM16 24 kHz and back.

The simulator works in PCM16 at 24 kHz inside (VAD, transcription, synthesis, the timeline);
a session may speak PCM16 at 16 kHz, or G.711 (mu-law, A-law) at 8 kHz, converted here with
:mod:`audioop` as the Realtime simulator does.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from ..protocol.live import AudioFormat, AudioPCM, AudioPCMA, AudioPCMU
from ._g711 import from_pcm24k, to_pcm24k

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

__all__ = ["Converter", "converters"]

Converter = Callable[[bytes], bytes]
_WIDTH = 2


def _same(data: bytes) -> bytes:
    return data


def _from_16k(data: bytes) -> bytes:
    return audioop.ratecv(data[: len(data) - len(data) % 2], _WIDTH, 1, 16000, 24000, None)[0]


def _to_16k(pcm: bytes) -> bytes:
    return audioop.ratecv(pcm[: len(pcm) - len(pcm) % 2], _WIDTH, 1, 24000, 16000, None)[0]


def converters(fmt: AudioFormat | None) -> tuple[Converter, Converter]:
    """``(to_internal, from_internal)`` for a session's audio format (PCM 24 kHz when None)."""
    if isinstance(fmt, AudioPCMU):
        return (lambda d: to_pcm24k(d, "audio/pcmu")), (lambda p: from_pcm24k(p, "audio/pcmu"))
    if isinstance(fmt, AudioPCMA):
        return (lambda d: to_pcm24k(d, "audio/pcma")), (lambda p: from_pcm24k(p, "audio/pcma"))
    if isinstance(fmt, AudioPCM) and fmt.rate == 16000:
        return _from_16k, _to_16k
    return _same, _same
