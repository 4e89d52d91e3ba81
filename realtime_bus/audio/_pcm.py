"""PCM16 (16-bit signed little-endian) helpers: samples, durations, silence, channel mixing.

Everything here works on plain ``bytes`` with the standard library. Where numpy is installed,
:func:`to_numpy` and :func:`from_numpy` convert to and from ``float32`` arrays in ``[-1, 1)``.
"""

from __future__ import annotations

import array
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from ..protocol import PCM16_SAMPLE_RATE

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "SessionFormat",
    "bytes_per_ms",
    "duration_ms",
    "format_rate",
    "from_numpy",
    "from_samples",
    "frame_bytes",
    "pcm_bytes",
    "silence",
    "to_mono",
    "to_numpy",
    "to_samples",
]

SessionFormat: TypeAlias = Literal["audio/pcm", "audio/pcmu", "audio/pcma"]
"""A session's audio format: PCM16 at 24 kHz, or G.711 mu-law / A-law at 8 kHz."""

_SWAP = sys.byteorder == "big"
_FULL_SCALE = 32768.0
_FORMATS: dict[str, tuple[int, int]] = {
    # format -> (sample rate, bytes per sample)
    "audio/pcm": (PCM16_SAMPLE_RATE, 2),
    "audio/pcmu": (8000, 1),
    "audio/pcma": (8000, 1),
}


def _spec(fmt: str) -> tuple[int, int]:
    try:
        return _FORMATS[fmt]
    except KeyError:
        known = ", ".join(_FORMATS)
        raise ValueError(f"unknown audio format {fmt!r} (known: {known})") from None


def format_rate(fmt: SessionFormat) -> int:
    """The sample rate of a session format (24000 for ``audio/pcm``, 8000 for G.711)."""
    return _spec(fmt)[0]


def bytes_per_ms(fmt: SessionFormat) -> float:
    """How many bytes one millisecond of mono audio takes in ``fmt`` (48 or 8)."""
    rate, width = _spec(fmt)
    return rate * width / 1000


def frame_bytes(fmt: SessionFormat, ms: float) -> int:
    """Bytes in ``ms`` milliseconds of ``fmt``, rounded down to whole samples."""
    rate, width = _spec(fmt)
    return int(rate * ms / 1000) * width


def pcm_bytes(ms: float, rate: int = PCM16_SAMPLE_RATE, channels: int = 1) -> int:
    """Bytes of PCM16 in ``ms`` milliseconds at ``rate`` (rounded down to whole frames)."""
    return int(rate * ms / 1000) * 2 * channels


def duration_ms(nbytes: int, rate: int = PCM16_SAMPLE_RATE, channels: int = 1) -> float:
    """How long ``nbytes`` bytes of PCM16 at ``rate`` with ``channels`` play, in milliseconds."""
    if rate <= 0 or channels <= 0:
        raise ValueError("rate and channels must be positive")
    return nbytes * 1000 / (rate * 2 * channels)


def silence(ms: float, rate: int = PCM16_SAMPLE_RATE, channels: int = 1) -> bytes:
    """``ms`` milliseconds of digital silence as PCM16."""
    return bytes(pcm_bytes(ms, rate, channels))


def require_pcm16(pcm: bytes | bytearray | memoryview) -> None:
    """Raise ``ValueError`` unless ``pcm`` is whole PCM16 samples (an even number of bytes)."""
    if len(pcm) % 2:
        raise ValueError(f"PCM16 needs an even number of bytes, got {len(pcm)}")


def pcm16_array(pcm: bytes | bytearray | memoryview) -> array.array[int]:
    """PCM16 bytes as an array of native ints (the module's helpers and the resampler's)."""
    require_pcm16(pcm)
    samples = array.array("h")
    samples.frombytes(pcm)
    if _SWAP:
        samples.byteswap()
    return samples


def pcm16_from_array(samples: array.array[int]) -> bytes:
    """The PCM16 bytes of an array of native ints (byte-swapped in place on big-endian)."""
    if _SWAP:
        samples.byteswap()
    return samples.tobytes()


def to_samples(pcm: bytes | bytearray | memoryview) -> list[float]:
    """PCM16 bytes as float samples in ``[-1, 1)`` (interleaved, as stored)."""
    scale = 1 / _FULL_SCALE
    return [s * scale for s in pcm16_array(pcm)]


def from_samples(samples: Iterable[float]) -> bytes:
    """Float samples (nominally ``[-1, 1]``) as PCM16 bytes, rounded and clipped to range."""
    out = array.array("h", (max(-32768, min(32767, round(s * _FULL_SCALE))) for s in samples))
    return pcm16_from_array(out)


def to_mono(pcm: bytes | bytearray | memoryview, channels: int) -> bytes:
    """Interleaved PCM16 with ``channels`` channels mixed down to mono (their average)."""
    if channels < 1:
        raise ValueError("channels must be at least 1")
    if channels == 1:
        return bytes(pcm)
    if len(pcm) % (2 * channels):
        raise ValueError(f"{len(pcm)} bytes is not a whole number of {channels}-channel frames")
    samples = pcm16_array(pcm)
    mixed = array.array(
        "h",
        (sum(samples[i : i + channels]) // channels for i in range(0, len(samples), channels)),
    )
    return pcm16_from_array(mixed)


def to_numpy(pcm: bytes | bytearray | memoryview) -> npt.NDArray[np.float32]:
    """PCM16 bytes as a ``float32`` numpy array in ``[-1, 1)`` (needs numpy)."""
    np_ = _numpy()
    if len(pcm) % 2:
        raise ValueError(f"PCM16 needs an even number of bytes, got {len(pcm)}")
    ints = np_.frombuffer(bytes(pcm), dtype="<i2")
    result: npt.NDArray[np.float32] = ints.astype(np_.float32) / np_.float32(_FULL_SCALE)
    return result


def from_numpy(samples: npt.ArrayLike) -> bytes:
    """A float array (nominally ``[-1, 1]``) as PCM16 bytes, rounded and clipped (needs numpy)."""
    np_ = _numpy()
    data = np_.asarray(samples, dtype=np_.float64) * _FULL_SCALE
    ints = np_.clip(np_.rint(data), -32768, 32767).astype("<i2")
    return bytes(ints.tobytes())


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError(
            "numpy is not installed: pip install 'realtime-bus[audio]' (or use to_samples)"
        ) from None
    return numpy
