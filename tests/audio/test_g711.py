"""G.711 mu-law and A-law: what the standard fixes, and the round trip's error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from realtime_bus import audio


def _sine(n: int = 8000, amplitude: float = 12000.0) -> bytes:
    t = np.arange(n)
    return (amplitude * np.sin(2 * math.pi * 440 * t / 8000)).astype("<i2").tobytes()


def test_known_codes() -> None:
    # G.711: silence is 0xFF in mu-law and 0xD5 in A-law; the largest magnitudes are 0x80/0x00
    # (mu-law) and 0xAA/0x2A (A-law).
    assert audio.ulaw_encode(bytes(2)) == b"\xff"
    assert audio.alaw_encode(bytes(2)) == b"\xd5"
    assert audio.ulaw_decode(b"\xff") == bytes(2)
    loud = np.array([32767, -32768], "<i2").tobytes()
    assert audio.ulaw_encode(loud) == b"\x80\x00"
    assert audio.alaw_encode(loud) == b"\xaa\x2a"
    assert len(audio.ulaw_decode(bytes(range(256)))) == 512


@pytest.mark.parametrize(
    ("encode", "decode"),
    [(audio.ulaw_encode, audio.ulaw_decode), (audio.alaw_encode, audio.alaw_decode)],
)
def test_round_trip_keeps_speech_quality(encode, decode) -> None:  # type: ignore[no-untyped-def]
    pcm = _sine()
    back = decode(encode(pcm))
    x = np.frombuffer(pcm, "<i2").astype(float)
    y = np.frombuffer(back, "<i2").astype(float)
    snr = 10 * math.log10(float((x**2).sum() / ((x - y) ** 2).sum()))
    assert snr > 30  # logarithmic companding: about 37 dB over most of the range
    assert encode(back) == encode(pcm)  # decode then encode is stable


def test_by_format_name_and_bad_input() -> None:
    pcm = _sine(160)
    assert audio.g711_encode(pcm, "audio/pcmu") == audio.ulaw_encode(pcm)
    back = audio.g711_decode(audio.g711_encode(pcm, "audio/pcma"), "audio/pcma")
    assert back == audio.alaw_decode(audio.alaw_encode(pcm))
    with pytest.raises(ValueError, match=r"not a G\.711 format"):
        audio.g711_encode(pcm, "audio/pcm")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="even number"):
        audio.ulaw_encode(b"\x00\x01\x02")
