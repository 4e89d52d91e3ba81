"""WAV files: read with format checks, write, and convert to and from session formats."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from realtime_bus.audio import (
    AudioFormatError,
    from_session_format,
    read_wav,
    resample,
    to_session_format,
    ulaw_decode,
    write_wav,
)
from realtime_bus.testing import decode_speech, synthesize_speech


def _wav(frames: bytes, *, width: int, rate: int = 16000, channels: int = 1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def test_write_then_read(tmp_path: Path) -> None:
    pcm = np.arange(-500, 500, dtype="<i2").tobytes()
    write_wav(tmp_path / "a.wav", pcm, rate=16000)
    audio = read_wav(tmp_path / "a.wav")
    assert (audio.pcm, audio.rate, audio.channels) == (pcm, 16000, 1)
    assert audio.duration_ms == 62.5
    assert "bytes" in repr(audio)
    assert "62 ms" in repr(audio)
    buffer = io.BytesIO()
    write_wav(buffer, pcm, rate=8000)
    assert read_wav(buffer.getvalue()).rate == 8000


@pytest.mark.parametrize(
    ("width", "frames", "expected"),
    [
        (1, bytes([0, 128, 255]), [-32768, 0, 32512]),  # 8-bit WAV is unsigned
        (3, b"\x00\x00\x80" + b"\x00\x01\x00", [-32768, 1]),
        (4, struct.pack("<ii", 2**31 - 1, -(2**16)), [32767, -1]),
    ],
)
def test_other_integer_widths_become_pcm16(width: int, frames: bytes, expected: list[int]) -> None:
    audio = read_wav(_wav(frames, width=width))
    assert np.frombuffer(audio.pcm, "<i2").tolist() == expected


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="not a WAV file"):
        read_wav(b"RIFF....WAVEnothing")
    with pytest.raises(AudioFormatError, match="not a WAV file"):
        read_wav(b"this is text")
    # IEEE float (format code 3) is refused with the reason
    header = _wav(bytes(8), width=4)
    float_wav = header[:20] + struct.pack("<H", 3) + header[22:]
    with pytest.raises(AudioFormatError, match="integer PCM"):
        read_wav(float_wav)
    path = tmp_path / "missing.wav"
    with pytest.raises(FileNotFoundError):
        read_wav(path)
    with pytest.raises(AudioFormatError, match="whole number"):
        write_wav(tmp_path / "odd.wav", b"\x00\x00\x00", channels=1)


def test_stereo_44k_file_to_each_session_format() -> None:
    speech = synthesize_speech("from a file")
    at_44k = np.frombuffer(resample(speech, 24000, 44100), "<i2")
    stereo = np.repeat(at_44k, 2).astype("<i2").tobytes()  # both channels the same
    audio = read_wav(_wav(stereo, width=2, rate=44100, channels=2))
    assert (audio.channels, audio.rate) == (2, 44100)
    pcm = audio.to_session("audio/pcm")
    assert decode_speech(pcm) == "from a file"
    mulaw = audio.to_session("audio/pcmu")
    assert len(mulaw) == len(pcm) // 6
    back = from_session_format(mulaw, "audio/pcmu", rate=24000)
    assert decode_speech(back) == "from a file"
    assert from_session_format(mulaw, "audio/pcmu") == ulaw_decode(mulaw)
    resampled = to_session_format(speech, "audio/pcm", rate=24000)
    assert resampled == speech
    with pytest.raises(AudioFormatError, match="even number"):
        from_session_format(b"\x00", "audio/pcm")
