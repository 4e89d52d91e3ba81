"""G.711 companding: mu-law (``audio/pcmu``) and A-law (``audio/pcma``) to and from PCM16.

G.711 stores one 8-bit code per sample; telephony runs it at 8 kHz. The codecs here change only
the sample encoding, not the rate (:func:`realtime_bus.audio.resample` does that). They use
:mod:`audioop`, in the standard library up to Python 3.12 and maintained as the ``audioop-lts``
package from 3.13 (a dependency there), so encoding runs in C.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeAlias

from ._audioop import audioop
from ._pcm import require_pcm16

__all__ = [
    "G711",
    "alaw_decode",
    "alaw_encode",
    "g711_decode",
    "g711_encode",
    "ulaw_decode",
    "ulaw_encode",
]

G711: TypeAlias = Literal["audio/pcmu", "audio/pcma"]
"""The two G.711 session formats."""

_WIDTH = 2


def _even(pcm: bytes | bytearray | memoryview) -> bytes:
    require_pcm16(pcm)
    return bytes(pcm)


def ulaw_encode(pcm: bytes | bytearray | memoryview) -> bytes:
    """PCM16 as G.711 mu-law, one byte per sample."""
    return audioop.lin2ulaw(_even(pcm), _WIDTH)


def ulaw_decode(data: bytes | bytearray | memoryview) -> bytes:
    """G.711 mu-law as PCM16 (two bytes per code)."""
    return audioop.ulaw2lin(bytes(data), _WIDTH)


def alaw_encode(pcm: bytes | bytearray | memoryview) -> bytes:
    """PCM16 as G.711 A-law, one byte per sample."""
    return audioop.lin2alaw(_even(pcm), _WIDTH)


def alaw_decode(data: bytes | bytearray | memoryview) -> bytes:
    """G.711 A-law as PCM16 (two bytes per code)."""
    return audioop.alaw2lin(bytes(data), _WIDTH)


_ENCODERS: dict[str, Callable[[bytes | bytearray | memoryview], bytes]] = {
    "audio/pcmu": ulaw_encode,
    "audio/pcma": alaw_encode,
}
_DECODERS: dict[str, Callable[[bytes | bytearray | memoryview], bytes]] = {
    "audio/pcmu": ulaw_decode,
    "audio/pcma": alaw_decode,
}


def _codec(
    table: dict[str, Callable[[bytes | bytearray | memoryview], bytes]], kind: str
) -> Callable[[bytes | bytearray | memoryview], bytes]:
    try:
        return table[kind]
    except KeyError:
        raise ValueError(f"not a G.711 format: {kind!r}") from None


def g711_encode(pcm: bytes | bytearray | memoryview, kind: G711) -> bytes:
    """PCM16 as ``kind`` (``"audio/pcmu"`` or ``"audio/pcma"``); the rate is unchanged."""
    return _codec(_ENCODERS, kind)(pcm)


def g711_decode(data: bytes | bytearray | memoryview, kind: G711) -> bytes:
    """``kind`` G.711 codes as PCM16; the rate is unchanged."""
    return _codec(_DECODERS, kind)(data)
