"""Audio tools for realtime sessions: PCM16, G.711, resampling, WAV, chunking and pacing.

Nothing here needs numpy or a sound device. ``pip install 'realtime-bus[audio]'`` adds the
soxr resampler (and numpy, for :func:`to_numpy` / :func:`from_numpy`).

::

    from realtime_bus.audio import read_wav, stream_audio

    async with bus:
        await stream_audio(bus, read_wav("question.wav").to_session(), trail_silence_ms=800)
"""

from ._g711 import (
    G711,
    alaw_decode,
    alaw_encode,
    g711_decode,
    g711_encode,
    ulaw_decode,
    ulaw_encode,
)
from ._pacer import AudioSink, AudioSource, Pacer, chunk_audio, silence_for, stream_audio
from ._pcm import (
    SessionFormat,
    bytes_per_ms,
    duration_ms,
    format_rate,
    frame_bytes,
    from_numpy,
    from_samples,
    pcm_bytes,
    silence,
    to_mono,
    to_numpy,
    to_samples,
)
from ._resample import Backend, Resampler, available_backends, resample
from ._wav import (
    AudioFormatError,
    WavAudio,
    from_session_format,
    read_wav,
    to_session_format,
    write_wav,
)

__all__ = [
    "G711",
    "AudioFormatError",
    "AudioSink",
    "AudioSource",
    "Backend",
    "Pacer",
    "Resampler",
    "SessionFormat",
    "WavAudio",
    "alaw_decode",
    "alaw_encode",
    "available_backends",
    "bytes_per_ms",
    "chunk_audio",
    "duration_ms",
    "format_rate",
    "frame_bytes",
    "from_numpy",
    "from_samples",
    "from_session_format",
    "g711_decode",
    "g711_encode",
    "pcm_bytes",
    "read_wav",
    "resample",
    "silence",
    "silence_for",
    "stream_audio",
    "to_mono",
    "to_numpy",
    "to_samples",
    "to_session_format",
    "ulaw_decode",
    "ulaw_encode",
    "write_wav",
]
