"""Sample-rate conversion for PCM16 mono (8, 16, 24, 48 kHz and any other integer rates).

Two backends, one interface:

- ``"soxr"``: the SoX resampler (``pip install 'realtime-bus[audio]'``), a C library with
  band-limited filters and streaming state; used by default when it is installed.
- ``"python"``: a polyphase windowed-sinc filter written here on the standard library. The
  Kaiser-window filter passes up to 85 % of the lower rate's Nyquist frequency and stops
  (about -70 dB) from the Nyquist frequency up, so downsampling does not fold the upper band
  into speech, as linear interpolation (:func:`audioop.ratecv`) does. Slower (tens of
  milliseconds of CPU per second of audio), so it suits files and tests more than many calls.

Both keep the timing: the output is delay-compensated and ``len(out) == len(in) * dst // src``
samples once flushed.
"""

from __future__ import annotations

import array
import importlib
import math
import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal, TypeAlias

from ._pcm import pcm16_array, pcm16_from_array

__all__ = ["Backend", "Resampler", "available_backends", "resample"]

Backend: TypeAlias = Literal["auto", "soxr", "python"]
"""Which implementation to use; ``"auto"`` picks soxr when installed."""

_ATTENUATION_DB = 70.0
_PASSBAND = 0.85  # of the lower rate's Nyquist frequency


def _soxr() -> Any | None:
    try:
        return importlib.import_module("soxr")
    except ImportError:
        return None


def available_backends() -> tuple[str, ...]:
    """The backends this interpreter can use, the default first."""
    return ("soxr", "python") if _soxr() is not None else ("python",)


def _pack(values: list[float]) -> bytes:
    return pcm16_from_array(array.array("h", [max(-32768, min(32767, round(v))) for v in values]))


def _sum_of_products(a: tuple[float, ...], b: list[int]) -> float:
    return float(sum(map(operator.mul, a, b)))


_dot: Callable[[tuple[float, ...], list[int]], float] = getattr(math, "sumprod", _sum_of_products)


def _bessel_i0(x: float) -> float:
    total, term, k = 1.0, 1.0, 1
    while term > 1e-12 * total:
        term *= (x / (2 * k)) ** 2
        total += term
        k += 1
    return total


@lru_cache(maxsize=16)
def _design(
    up: int, down: int, low_rate: int, fs_up: int
) -> tuple[tuple[tuple[float, ...], ...], int]:
    """Polyphase taps (each phase reversed for a forward dot product) and the filter's delay."""
    nyquist = low_rate / 2
    width = (1 - _PASSBAND) * nyquist  # transition band, Hz
    cutoff = nyquist - width / 2
    d_omega = 2 * math.pi * width / fs_up
    taps = math.ceil((_ATTENUATION_DB - 8) / (2.285 * d_omega)) + 1
    taps += 1 - taps % 2  # odd: the delay is a whole number of upsampled samples
    beta = 0.1102 * (_ATTENUATION_DB - 8.7)
    centre = (taps - 1) / 2
    norm = _bessel_i0(beta)
    fc = cutoff / fs_up
    h: list[float] = []
    for n in range(taps):
        t = n - centre
        ideal = 2 * fc if t == 0 else math.sin(2 * math.pi * fc * t) / (math.pi * t)
        ratio = t / centre
        window = _bessel_i0(beta * math.sqrt(max(0.0, 1 - ratio * ratio))) / norm
        h.append(ideal * window * up)
    per_phase = -(-taps // up)
    h.extend([0.0] * (per_phase * up - taps))
    phases = tuple(tuple(reversed(h[p::up])) for p in range(up))
    return phases, int(centre)


class _PythonResampler:
    def __init__(self, src: int, dst: int) -> None:
        g = math.gcd(src, dst)
        self.up, self.down = dst // g, src // g
        self.phases, self.delay = _design(self.up, self.down, min(src, dst), src * self.up)
        self.width = len(self.phases[0])
        # history[0] is input sample number self.offset; samples before 0 are silence
        self.offset = -self.width
        self.history: list[int] = [0] * self.width
        self.taken = 0  # input samples received
        self.made = 0  # output samples produced

    def _run(self, limit: int | None) -> list[float]:
        up, down, delay, width = self.up, self.down, self.delay, self.width
        phases, history, offset = self.phases, self.history, self.offset
        end = offset + len(history)  # one past the last input sample held
        out: list[float] = []
        n = self.made
        while limit is None or n < limit:
            u = n * down + delay
            newest = u // up
            if newest >= end:
                break
            start = newest - offset - width + 1
            out.append(_dot(phases[u % up], history[start : start + width]))
            n += 1
        self.made = n
        keep = (n * down + delay) // up - width + 1  # oldest input the next output needs
        if keep > offset:
            del history[: keep - offset]
            self.offset = keep
        return out

    def process(self, samples: array.array[int]) -> list[float]:
        self.history.extend(samples)
        self.taken += len(samples)
        return self._run(None)

    def flush(self) -> list[float]:
        total = self.taken * self.up // self.down
        self.history.extend([0] * (self.delay // self.up + self.width + 1))
        return self._run(total)


class Resampler:
    """Streaming rate conversion of PCM16 mono: feed chunks in order, then :meth:`flush`.

    >>> r = Resampler(8000, 24000, backend="python")
    >>> out = r.process(bytes(320)) + r.flush()
    >>> len(out)
    960
    """

    def __init__(self, src_rate: int, dst_rate: int, *, backend: Backend = "auto") -> None:
        if src_rate <= 0 or dst_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.src_rate = src_rate
        self.dst_rate = dst_rate
        soxr = _soxr() if backend in ("auto", "soxr") else None
        if backend == "soxr" and soxr is None:
            raise ImportError("soxr is not installed: pip install 'realtime-bus[audio]'")
        if backend not in ("auto", "soxr", "python"):
            raise ValueError(f"unknown resampling backend {backend!r}")
        self.backend: str = "soxr" if soxr is not None else "python"
        self._same = src_rate == dst_rate
        self._soxr: Any = None
        self._python: _PythonResampler | None = None
        if self._same:
            pass
        elif soxr is not None:
            self._soxr = soxr.ResampleStream(src_rate, dst_rate, 1, dtype="int16", quality="HQ")
        else:
            self._python = _PythonResampler(src_rate, dst_rate)
        self._done = False

    def __repr__(self) -> str:
        return f"Resampler({self.src_rate}, {self.dst_rate}, backend={self.backend!r})"

    def process(self, pcm: bytes | bytearray | memoryview) -> bytes:
        """Convert the next chunk; returns what is ready (the filter holds a few ms back)."""
        if self._done:
            raise RuntimeError("this Resampler was flushed; make a new one")
        samples = pcm16_array(pcm)
        if self._same:
            return bytes(pcm)
        if self._python is not None:
            return _pack(self._python.process(samples))
        return self._soxr_chunk(samples, last=False)

    def flush(self) -> bytes:
        """The audio still held in the filter; the stream ends here."""
        if self._done:
            return b""
        self._done = True
        if self._same:
            return b""
        if self._python is not None:
            return _pack(self._python.flush())
        return self._soxr_chunk(array.array("h"), last=True)

    def _soxr_chunk(self, samples: array.array[int], *, last: bool) -> bytes:
        import numpy

        data = numpy.frombuffer(samples.tobytes(), dtype=numpy.int16)
        out = self._soxr.resample_chunk(data, last=last)
        return bytes(out.astype("<i2").tobytes())


def resample(
    pcm: bytes | bytearray | memoryview,
    src_rate: int,
    dst_rate: int,
    *,
    backend: Backend = "auto",
) -> bytes:
    """Convert a whole PCM16 mono buffer from ``src_rate`` to ``dst_rate`` (Hz)."""
    resampler = Resampler(src_rate, dst_rate, backend=backend)
    return resampler.process(pcm) + resampler.flush()
