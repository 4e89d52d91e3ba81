"""The microphone as an async iterator of chunks in the session's input format."""

from __future__ import annotations

import asyncio
from collections import deque

from ._device_streams import Devices, DeviceStream, DeviceUser
from ._g711 import g711_encode
from ._pacer import AudioSink, stream_audio
from ._pcm import SessionFormat, format_rate
from ._resample import Resampler

__all__ = ["Microphone"]


class Microphone(DeviceUser):
    """Captured audio, converted to ``fmt``, one device block (``block_ms``) at a time.

    ::

        async with Microphone() as mic:
            await stream_audio(bus, mic, speed=None)   # the microphone is real time already

    The device opens at ``device_rate`` (24 kHz by default) and the audio is resampled to the
    session's rate when they differ. If the application falls behind by more than
    ``max_buffer_ms``, the oldest audio is dropped (counted in :attr:`dropped_ms`) rather than
    delivered late. Iterating raises :class:`TimeoutError` when the device delivers nothing
    for ``timeout`` seconds. :meth:`stream_to` streams it until the conversation is over.
    """

    def __init__(
        self,
        devices: Devices | None = None,
        *,
        fmt: SessionFormat = "audio/pcm",
        device_rate: int = 24_000,
        block_ms: float = 20.0,
        max_buffer_ms: float = 2000.0,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(devices)
        self.fmt: SessionFormat = fmt
        self.device_rate = device_rate
        self.blocksize = max(1, int(device_rate * block_ms / 1000))
        self.timeout = timeout
        self._max_chunks = max(1, int(max_buffer_ms / block_ms))
        rate = format_rate(fmt)
        self._resampler = Resampler(device_rate, rate) if device_rate != rate else None
        self._chunks: deque[bytes] = deque()
        self._ready = asyncio.Event()
        self._closed = False
        self.dropped_ms = 0.0
        """Audio dropped because the application did not keep up."""

    def _open(self) -> DeviceStream:
        return self.devices.open_input(self.device_rate, self.blocksize, self._captured)

    async def close(self) -> None:
        """Stop capturing; iteration ends after what was captured."""
        self._stop_stream()
        self._closed = True
        self._ready.set()

    def _captured(self, pcm: bytes) -> None:
        if not self._closed:
            self._call_soon(self._add, pcm)

    def _add(self, pcm: bytes) -> None:
        if self._closed:
            return
        if self._resampler is not None:
            pcm = self._resampler.process(pcm)
        data = g711_encode(pcm, self.fmt) if self.fmt != "audio/pcm" else pcm
        if not data:
            return
        if len(self._chunks) >= self._max_chunks:
            old = self._chunks.popleft()
            self.dropped_ms += (
                len(old) / (2 if self.fmt == "audio/pcm" else 1) / format_rate(self.fmt) * 1000
            )
        self._chunks.append(data)
        self._ready.set()

    async def stream_to(self, sink: AudioSink, *, until: asyncio.Event) -> None:
        """Stream into ``sink`` (as ``stream_audio(sink, mic, speed=None)``) until ``until`` is
        set, then stop and return.

        ::

            async with Microphone() as mic:
                await mic.stream_to(bus, until=answered)   # an asyncio.Event a handler sets

        Raises :class:`RuntimeError` (``the microphone stopped: ...``) if the microphone stops
        first, closed or silent for ``timeout`` seconds: nothing more can be heard then, and
        waiting on would hang with no word of why.
        """
        sending = asyncio.ensure_future(stream_audio(sink, self, fmt=self.fmt, speed=None))
        finished = asyncio.ensure_future(until.wait())
        try:
            await asyncio.wait({finished, sending}, return_when=asyncio.FIRST_COMPLETED)
            if not finished.done():
                error = None if sending.cancelled() else sending.exception()
                why = str(error) if error is not None else "it delivered no more audio"
                raise RuntimeError(f"the microphone stopped: {why}") from error
        finally:
            finished.cancel()
            sending.cancel()
            await asyncio.gather(finished, sending, return_exceptions=True)

    def __aiter__(self) -> Microphone:
        return self

    async def __anext__(self) -> bytes:
        while not self._chunks:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can lose a cancellation
                # that arrives as the wait completes, and the caller's task would run on.
                async with asyncio.timeout(self.timeout):
                    await self._ready.wait()
            except TimeoutError:
                raise TimeoutError(
                    f"the microphone delivered nothing for {self.timeout:g} s"
                ) from None
        return self._chunks.popleft()
