"""WAV files in and out, checked, and converted to (or from) a session's audio format."""

from __future__ import annotations

import io
import os
import wave
from dataclasses import dataclass
from typing import BinaryIO

from ._audioop import audioop
from ._g711 import g711_decode, g711_encode
from ._pcm import SessionFormat, duration_ms, format_rate, to_mono
from ._resample import Backend, resample

__all__ = [
    "AudioFormatError",
    "WavAudio",
    "from_session_format",
    "read_wav",
    "to_session_format",
    "write_wav",
]


class AudioFormatError(ValueError):
    """Audio that cannot be used as it is: not a WAV file, an unsupported encoding, bad sizes."""


@dataclass(frozen=True, slots=True)
class WavAudio:
    """The PCM16 content of a WAV file (interleaved when ``channels > 1``)."""

    pcm: bytes
    rate: int
    channels: int = 1

    def __repr__(self) -> str:
        return (
            f"WavAudio(<{len(self.pcm)} bytes>, rate={self.rate}, channels={self.channels}, "
            f"{self.duration_ms:.0f} ms)"
        )

    @property
    def duration_ms(self) -> float:
        """How long the audio plays."""
        return duration_ms(len(self.pcm), self.rate, self.channels)

    def to_session(self, fmt: SessionFormat = "audio/pcm", *, backend: Backend = "auto") -> bytes:
        """The audio as a session sends it: mono, at ``fmt``'s rate, in ``fmt``'s encoding."""
        return to_session_format(
            self.pcm, fmt, rate=self.rate, channels=self.channels, backend=backend
        )


def to_session_format(
    pcm: bytes | bytearray | memoryview,
    fmt: SessionFormat = "audio/pcm",
    *,
    rate: int,
    channels: int = 1,
    backend: Backend = "auto",
) -> bytes:
    """PCM16 at ``rate`` with ``channels`` as ``fmt`` (``audio/pcm`` 24 kHz, G.711 8 kHz mono)."""
    mono = to_mono(pcm, channels)
    target = format_rate(fmt)
    if rate != target:
        mono = resample(mono, rate, target, backend=backend)
    if fmt == "audio/pcm":
        return mono
    return g711_encode(mono, fmt)


def from_session_format(
    data: bytes | bytearray | memoryview,
    fmt: SessionFormat = "audio/pcm",
    *,
    rate: int | None = None,
    backend: Backend = "auto",
) -> bytes:
    """Session audio (``fmt``) as PCM16 mono at ``rate`` (default: the format's own rate)."""
    source_rate = format_rate(fmt)
    pcm = bytes(data) if fmt == "audio/pcm" else g711_decode(data, fmt)
    if fmt == "audio/pcm" and len(pcm) % 2:
        raise AudioFormatError(f"PCM16 needs an even number of bytes, got {len(pcm)}")
    if rate is not None and rate != source_rate:
        pcm = resample(pcm, source_rate, rate, backend=backend)
    return pcm


def _open(source: str | os.PathLike[str] | BinaryIO | bytes) -> BinaryIO:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb")
    return source


def read_wav(source: str | os.PathLike[str] | BinaryIO | bytes) -> WavAudio:
    """Read an integer-PCM WAV file (8, 16, 24 or 32 bit) as PCM16.

    ``source`` is a path, an open binary file or the file's bytes. Anything else (a float or
    compressed WAV, a file that is not WAV, a truncated one) raises :class:`AudioFormatError`
    naming the problem.
    """
    name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "<wav data>"
    stream = _open(source)
    try:
        try:
            with wave.open(stream, "rb") as reader:
                width = reader.getsampwidth()
                rate = reader.getframerate()
                channels = reader.getnchannels()
                frames = reader.readframes(reader.getnframes())
        except wave.Error as exc:
            raise AudioFormatError(
                f"{name}: not a WAV file this reader supports ({exc}); integer PCM is "
                "(convert float or compressed audio first)"
            ) from None
        except EOFError:
            raise AudioFormatError(f"{name}: the WAV file is truncated") from None
    finally:
        if stream is not source:
            stream.close()
    if rate <= 0 or channels <= 0:
        raise AudioFormatError(f"{name}: invalid WAV header (rate {rate}, channels {channels})")
    if width not in (1, 2, 3, 4):
        raise AudioFormatError(f"{name}: unsupported sample width of {width} bytes")
    frames = frames[: len(frames) - len(frames) % (width * channels)]
    if width == 1:
        # 8-bit WAV is unsigned
        frames = audioop.lin2lin(audioop.bias(frames, 1, -128), 1, 2)
    elif width != 2:
        frames = audioop.lin2lin(frames, width, 2)
    return WavAudio(pcm=frames, rate=rate, channels=channels)


def write_wav(
    dest: str | os.PathLike[str] | BinaryIO,
    pcm: bytes | bytearray | memoryview,
    *,
    rate: int = 24_000,
    channels: int = 1,
) -> None:
    """Write PCM16 (interleaved when ``channels > 1``) as a WAV file."""
    if len(pcm) % (2 * channels):
        raise AudioFormatError(
            f"{len(pcm)} bytes is not a whole number of {channels}-channel PCM16 frames"
        )
    if rate <= 0:
        raise AudioFormatError("the sample rate must be positive")
    stream = open(dest, "wb") if isinstance(dest, (str, os.PathLike)) else dest  # noqa: SIM115
    try:
        with wave.open(stream, "wb") as writer:
            writer.setnchannels(channels)
            writer.setsampwidth(2)
            writer.setframerate(rate)
            writer.writeframes(bytes(pcm))
    finally:
        if stream is not dest:
            stream.close()
