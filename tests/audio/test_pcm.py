"""PCM16 helpers: samples, numpy arrays, durations, silence, mixing to mono."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from realtime_bus import audio


def test_samples_round_trip_and_clip() -> None:
    pcm = audio.from_samples([0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0])
    assert pcm == np.array([0, 16384, -16384, 32767, -32768, 32767, -32768], "<i2").tobytes()
    assert audio.to_samples(pcm)[:3] == [0.0, 0.5, -0.5]
    with pytest.raises(ValueError, match="even number"):
        audio.to_samples(b"\x00")


def test_numpy_matches_the_plain_helpers() -> None:
    pcm = audio.from_samples([i / 100 for i in range(-100, 100)])
    array = audio.to_numpy(pcm)
    assert array.dtype == np.float32
    assert np.allclose(array, audio.to_samples(pcm))
    assert audio.from_numpy(array) == pcm


def test_numpy_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(ImportError, match=r"realtime-bus\[audio\]"):
        audio.to_numpy(b"\x00\x00")


def test_durations_and_sizes() -> None:
    assert audio.duration_ms(48_000) == 1000
    assert audio.duration_ms(32_000, rate=16_000) == 1000
    assert audio.duration_ms(4 * 48_000, rate=48_000, channels=2) == 1000
    assert audio.pcm_bytes(20) == 960
    assert audio.pcm_bytes(20, rate=8000) == 320
    assert audio.silence(10, rate=16_000) == bytes(320)
    assert audio.format_rate("audio/pcmu") == 8000
    assert audio.bytes_per_ms("audio/pcm") == 48
    assert audio.bytes_per_ms("audio/pcma") == 8
    assert audio.frame_bytes("audio/pcm", 20) == 960
    assert audio.frame_bytes("audio/pcmu", 20) == 160
    with pytest.raises(ValueError, match="unknown audio format"):
        audio.format_rate("audio/opus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        audio.duration_ms(10, rate=0)


def test_mix_to_mono_averages_channels() -> None:
    stereo = np.array([1000, 3000, -2000, -4000, 32767, 32767], "<i2").tobytes()
    assert audio.to_mono(stereo, 2) == np.array([2000, -3000, 32767], "<i2").tobytes()
    assert audio.to_mono(b"\x01\x00", 1) == b"\x01\x00"
    with pytest.raises(ValueError, match="whole number"):
        audio.to_mono(bytes(6), 2)
