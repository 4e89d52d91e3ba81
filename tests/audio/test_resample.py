"""Resampling: lengths, timing, and quality measured on sweeps (aliasing, SNR) for each backend.

The figures: a sweep above the target's Nyquist frequency must vanish (aliasing), a sweep inside
the telephone band must come through unchanged and on time (SNR against the ideal signal).
Linear interpolation (``audioop.ratecv``) is measured alongside as the baseline it replaces.
"""

from __future__ import annotations

import functools
import math
import sys
import warnings

import numpy as np
import pytest

from realtime_bus.audio import Resampler, available_backends, resample

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

BACKENDS = ["python", "soxr"]
RATES = [8000, 16000, 24000, 48000]


def _sweep(rate: int, f0: float, f1: float, seconds: float = 1.0) -> np.ndarray:
    """A linear chirp with 50 ms raised-cosine fades (so its edges carry no broadband click)."""
    t = np.arange(int(rate * seconds)) / rate
    k = (f1 - f0) / seconds
    signal = np.sin(2 * math.pi * (f0 * t + k * t * t / 2))
    fade = int(rate * 0.05)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
    signal[:fade] *= ramp
    signal[-fade:] *= ramp[::-1]
    return signal


def _pcm(signal: np.ndarray, amplitude: float = 16000.0) -> bytes:
    return (signal * amplitude).astype("<i2").tobytes()


def _floats(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, "<i2").astype(float)


def _db(num: float, den: float) -> float:
    return 10 * math.log10(max(num, 1e-12) / den)


def aliasing_db(convert, src: int, dst: int) -> float:  # type: ignore[no-untyped-def]
    """Energy left (dB) after downsampling a sweep that lies wholly above dst's Nyquist."""
    x = _pcm(_sweep(src, dst / 2 * 1.05, src / 2 * 0.98))
    y = _floats(convert(x, src, dst))
    return _db(float((y**2).mean()), float((_floats(x) ** 2).mean()))


def band_snr_db(convert, src: int, dst: int) -> float:  # type: ignore[no-untyped-def]
    """SNR (dB) of a 100 Hz - 3.4 kHz sweep against the same sweep made at dst directly."""
    top = min(src, dst) / 2 * 0.85
    y = _floats(convert(_pcm(_sweep(src, 100, top)), src, dst))
    ideal = _sweep(dst, 100, top) * 16000
    n = min(len(y), len(ideal))
    error = ((y[:n] - ideal[:n]) ** 2).sum()
    return _db(float((ideal[:n] ** 2).sum()), float(error))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("src", "dst"), [(24000, 8000), (48000, 8000), (24000, 16000), (48000, 24000)]
)
def test_downsampling_does_not_alias(backend: str, src: int, dst: int) -> None:
    convert = functools.partial(resample, backend=backend)
    assert aliasing_db(convert, src, dst) < -60


def test_linear_interpolation_aliases() -> None:
    # The baseline: audioop.ratecv folds the whole upper band into the telephone band.
    def ratecv(x: bytes, a: int, b: int) -> bytes:
        return audioop.ratecv(x, 2, 1, a, b, None)[0]

    assert aliasing_db(ratecv, 24000, 8000) > -10


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("src", "dst"), [(8000, 24000), (24000, 8000), (16000, 24000), (8000, 48000)]
)
def test_speech_band_passes_on_time(backend: str, src: int, dst: int) -> None:
    convert = functools.partial(resample, backend=backend)
    # Any delay or gain error would show here: the comparison is sample by sample.
    assert band_snr_db(convert, src, dst) > 35


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("src", RATES)
@pytest.mark.parametrize("dst", RATES)
def test_lengths(backend: str, src: int, dst: int) -> None:
    out = resample(bytes(2 * src // 10), src, dst, backend=backend)  # type: ignore[arg-type]
    assert abs(len(out) // 2 - dst // 10) <= 1


def test_streaming_equals_one_shot() -> None:
    x = _pcm(_sweep(8000, 100, 3400, 0.5))
    whole = resample(x, 8000, 24000, backend="python")
    r = Resampler(8000, 24000, backend="python")
    pieces = [r.process(x[i : i + 320]) for i in range(0, len(x), 320)]  # 20 ms chunks
    assert b"".join(pieces) + r.flush() == whole
    assert sum(map(len, pieces)) > len(whole) * 0.9  # held back: only the filter's delay
    with pytest.raises(RuntimeError, match="flushed"):
        r.process(x)


def test_soxr_streaming_keeps_state() -> None:
    x = _pcm(_sweep(8000, 100, 3400, 0.5))
    r = Resampler(8000, 24000, backend="soxr")
    y = b"".join(r.process(x[i : i + 320]) for i in range(0, len(x), 320)) + r.flush()
    ideal = _sweep(24000, 100, 3400, 0.5) * 16000
    got = _floats(y)
    n = min(len(got), len(ideal))
    assert _db(float((ideal[:n] ** 2).sum()), float(((got[:n] - ideal[:n]) ** 2).sum())) > 35


def test_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    assert available_backends() == ("soxr", "python")
    assert Resampler(8000, 16000).backend == "soxr"
    assert resample(b"\x01\x00\x02\x00", 8000, 8000) == b"\x01\x00\x02\x00"
    monkeypatch.setitem(sys.modules, "soxr", None)
    assert available_backends() == ("python",)
    assert Resampler(8000, 16000).backend == "python"
    with pytest.raises(ImportError, match=r"realtime-bus\[audio\]"):
        Resampler(8000, 16000, backend="soxr")
    with pytest.raises(ValueError, match="unknown resampling backend"):
        Resampler(8000, 16000, backend="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        Resampler(0, 16000)
    with pytest.raises(ValueError, match="even number"):
        resample(b"\x00", 8000, 16000)
