"""The speaker: plays the assistant's audio and tells :class:`Playback` what was really played.

The device asks for blocks from its own thread. Each block is cut from what the speaker holds;
the assistant bytes in it are reported to ``playback.played`` once the device says the block
reaches the listener (its output latency later), so a barge-in truncates at what was heard, not
at what was received or handed to the driver. Silence fills a block when nothing is left.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from ._device_streams import Devices, DeviceStream, DeviceUser
from ._g711 import g711_decode
from ._pcm import SessionFormat, format_rate
from ._resample import Resampler

__all__ = ["PlaybackSink", "Speaker"]


class _Chunk(Protocol):
    @property
    def data(self) -> bytes: ...


class PlaybackSink(Protocol):
    """What the speaker needs of :class:`realtime_bus.agent.Playback`."""

    def on_audio(self, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Register the callback that receives each audio chunk."""
        ...

    def on_clear(self, fn: Any) -> Any:
        """Register the callback that flushes buffered audio."""
        ...

    def played(self, nbytes: int) -> None:
        """Report bytes of assistant audio played."""
        ...


class Speaker(DeviceUser):
    """Plays a :class:`Playback`'s audio on an output device and reports what was played.

    ::

        playback = Playback(bus)
        async with Speaker(playback):
            ...                                  # barge-in truncates at what was heard

    ``fmt`` is the session's output format. The device opens at ``device_rate`` (24 kHz by
    default), the audio is resampled when the rates differ, and blocks of ``block_ms`` are
    asked for. :attr:`underruns` counts blocks that ran short while audio was still coming.
    """

    def __init__(
        self,
        playback: PlaybackSink,
        devices: Devices | None = None,
        *,
        fmt: SessionFormat = "audio/pcm",
        device_rate: int = 24_000,
        block_ms: float = 20.0,
    ) -> None:
        super().__init__(devices)
        self.playback = playback
        self.fmt: SessionFormat = fmt
        self.device_rate = device_rate
        self.blocksize = max(1, int(device_rate * block_ms / 1000))
        rate = format_rate(fmt)
        self._resampler = Resampler(rate, device_rate) if device_rate != rate else None
        self._lock = threading.Lock()
        self._buffer = bytearray()
        self._spans: deque[list[int]] = deque()  # [device bytes left, session bytes left]
        self.reported_bytes = 0
        """Session bytes reported to the playback as played."""
        self.underruns = 0
        playback.on_audio(self._on_audio)
        playback.on_clear(self._on_clear)

    def _open(self) -> DeviceStream:
        return self.devices.open_output(self.device_rate, self.blocksize, self._fill)

    async def close(self) -> None:
        """Stop the device; what it has not played is dropped."""
        self._stop_stream()
        self._on_clear()

    @property
    def buffered_ms(self) -> float:
        """Audio waiting to be played."""
        with self._lock:
            return len(self._buffer) / 2 / self.device_rate * 1000

    # -- the playback's side (event loop) ----------------------------------------------------

    def _on_audio(self, chunk: _Chunk) -> None:
        data = chunk.data
        pcm = g711_decode(data, self.fmt) if self.fmt != "audio/pcm" else data
        if self._resampler is not None:
            pcm = self._resampler.process(pcm)
        with self._lock:
            self._buffer += pcm
            self._spans.append([len(pcm), len(data)])

    def _on_clear(self) -> None:
        with self._lock:
            self._buffer.clear()
            self._spans.clear()

    # -- the device's side (its thread) ------------------------------------------------------

    def _fill(self, nbytes: int, delay: float) -> bytes:
        with self._lock:
            take = min(nbytes, len(self._buffer))
            out = bytes(self._buffer[:take])
            del self._buffer[:take]
            session = self._consume(take)
            short = take < nbytes and bool(self._spans)
        if short:
            self.underruns += 1
        if session:
            self._report(session, delay)
        return out + bytes(nbytes - take)

    def _consume(self, device_bytes: int) -> int:
        session = 0
        spans = self._spans
        while device_bytes > 0 and spans:
            span = spans[0]
            if device_bytes >= span[0]:
                device_bytes -= span[0]
                session += span[1]
                spans.popleft()
            else:
                part = span[1] * device_bytes // span[0]
                span[0] -= device_bytes
                span[1] -= part
                session += part
                device_bytes = 0
        return session

    def _report(self, nbytes: int, delay: float) -> None:
        # The latency runs from now, when the device takes the block, not from whenever the
        # event loop gets round to the hand-over (a busy loop would report late by that much).
        self._call_soon(self._played_at, nbytes, time.monotonic() + delay)

    def _played_at(self, nbytes: int, heard_at: float) -> None:
        left = heard_at - time.monotonic()
        if left > 0:
            assert self._loop is not None
            self._loop.call_later(left, self._played, nbytes)
        else:
            self._played(nbytes)

    def _played(self, nbytes: int) -> None:
        self.reported_bytes += nbytes
        self.playback.played(nbytes)
