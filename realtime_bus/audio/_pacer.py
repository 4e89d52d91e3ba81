"""Chunking and real-time pacing of input audio into ``input_audio_buffer.append`` events.

A microphone delivers a 20 ms chunk once those 20 ms have been spoken; a file read in a loop
delivers them all at once, and a loop that sends and then sleeps runs ahead of the speaker by a
chunk and drifts by the time each send takes. :class:`Pacer` schedules chunk ``k`` at
``start + (k + 1) * chunk / speed`` on the event loop's clock, so sending time never
accumulates, and pads with silence where it is told to (server VAD ends a turn only after it
hears ``silence_duration_ms`` of silence).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator
from typing import Protocol

from ..protocol import InputAudioBufferAppend
from ._pcm import SessionFormat, bytes_per_ms, frame_bytes

__all__ = ["AudioSink", "AudioSource", "Pacer", "chunk_audio", "silence_for", "stream_audio"]

_SILENCE_BYTE = {"audio/pcm": 0x00, "audio/pcmu": 0xFF, "audio/pcma": 0xD5}
_QUEUE_CHUNKS = 8


class AudioSink(Protocol):
    """Where appends go: a :class:`realtime_bus.Bus` (anything with an async ``send``)."""

    async def send(self, event: InputAudioBufferAppend, /) -> object:
        """Send one client event."""
        ...


def silence_for(fmt: SessionFormat, ms: float) -> bytes:
    """``ms`` milliseconds of silence in ``fmt`` (zeros for PCM16, the G.711 zero codes)."""
    return bytes([_SILENCE_BYTE[fmt]]) * frame_bytes(fmt, ms)


def chunk_audio(
    audio: bytes | bytearray | memoryview,
    fmt: SessionFormat = "audio/pcm",
    chunk_ms: float = 20.0,
    *,
    pad: bool = True,
) -> Iterator[bytes]:
    """``audio`` in chunks of ``chunk_ms``; the last one padded with silence (unless ``pad``)."""
    size = _chunk_size(fmt, chunk_ms)
    data = bytes(audio)
    for start in range(0, len(data), size):
        piece = data[start : start + size]
        if pad and len(piece) < size:
            piece += bytes([_SILENCE_BYTE[fmt]]) * (size - len(piece))
        yield piece


def _chunk_size(fmt: SessionFormat, chunk_ms: float) -> int:
    size = frame_bytes(fmt, chunk_ms)
    if size <= 0:
        raise ValueError(f"a chunk of {chunk_ms} ms holds no sample")
    return size


class Pacer:
    """Sends audio to ``sink`` in chunks of ``chunk_ms``, paced at ``speed`` times real time.

    ``speed=None`` sends as fast as the sink takes it. :meth:`send` buffers what does not fill
    a chunk; :meth:`finish` sends the rest padded with silence. The clock starts at the first
    chunk; falling behind by more than a chunk (a slow source) restarts it rather than sending
    a burst to catch up.
    """

    def __init__(
        self,
        sink: AudioSink,
        *,
        fmt: SessionFormat = "audio/pcm",
        chunk_ms: float = 20.0,
        speed: float | None = 1.0,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if speed is not None and speed <= 0:
            raise ValueError("speed must be positive (or None for no pacing)")
        self.sink = sink
        self.fmt: SessionFormat = fmt
        self.chunk_ms = chunk_ms
        self.speed = speed
        self._size = _chunk_size(fmt, chunk_ms)
        self._seconds = self._size / bytes_per_ms(fmt) / 1000  # exact chunk duration
        self._clock = clock
        self._sleep = sleep
        self._pending = bytearray()
        self._start: float | None = None
        self._slot = 0
        self.sent_bytes = 0
        """Bytes of audio sent so far (silence included)."""

    @property
    def sent_ms(self) -> float:
        """Milliseconds of audio sent so far."""
        return self.sent_bytes / bytes_per_ms(self.fmt)

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        return asyncio.get_running_loop().time()

    async def _wait_slot(self, *, now_if_behind: bool = False) -> None:
        if self.speed is None:
            return
        now = self._now()
        step = self._seconds / self.speed
        if self._start is None or now - self._due(step) > step:
            # a restarted clock has its first chunk due one step from now, or now (a gap)
            self._start, self._slot = (now - step if now_if_behind else now), 0
        delay = self._due(step) - now
        if delay > 0:
            await self._sleep(delay)

    def _due(self, step: float) -> float:
        assert self._start is not None
        return self._start + (self._slot + 1) * step

    def next_due_in(self) -> float:
        """Seconds until the next chunk is due (one chunk's time before the clock starts)."""
        if self.speed is None:
            return 0.0
        step = self._seconds / self.speed
        if self._start is None:
            return step
        return max(0.0, self._due(step) - self._now())

    async def _emit(self, chunk: bytes, *, now_if_behind: bool = False) -> None:
        await self._wait_slot(now_if_behind=now_if_behind)
        await self.sink.send(InputAudioBufferAppend.from_pcm(chunk))
        self._slot += 1
        self.sent_bytes += len(chunk)

    async def send(self, audio: bytes | bytearray | memoryview) -> None:
        """Queue ``audio`` (in the pacer's format) and send every whole chunk at its time."""
        self._pending += audio
        size = self._size
        while len(self._pending) >= size:
            chunk = bytes(self._pending[:size])
            del self._pending[:size]
            await self._emit(chunk)

    async def silence(self, ms: float) -> None:
        """Send ``ms`` of silence (after what is buffered), paced like audio."""
        await self.send(silence_for(self.fmt, ms))

    async def finish(self) -> None:
        """Send what is buffered, padded with silence to a whole chunk."""
        if self._pending:
            rest = bytes(self._pending)
            self._pending.clear()
            pad = bytes([_SILENCE_BYTE[self.fmt]]) * (self._size - len(rest))
            await self._emit(rest + pad)

    async def gap(self) -> None:
        """Send one chunk of silence now (a source fell behind): keeps server VAD's clock."""
        await self._emit(silence_for(self.fmt, self.chunk_ms)[: self._size], now_if_behind=True)


AudioSource = (
    bytes | bytearray | memoryview | str | os.PathLike[str] | Iterable[bytes] | AsyncIterable[bytes]
)


async def stream_audio(
    sink: AudioSink,
    source: AudioSource,
    *,
    fmt: SessionFormat = "audio/pcm",
    chunk_ms: float = 20.0,
    speed: float | None = 1.0,
    lead_silence_ms: float = 0.0,
    trail_silence_ms: float = 0.0,
    fill_gaps: bool = False,
) -> float:
    """Stream ``source`` into ``sink`` as appends; returns the milliseconds sent.

    ``source`` is audio already in ``fmt``, a WAV file's path (converted to ``fmt``), or an
    iterator or async iterator of audio chunks of any size. With ``fill_gaps`` a source that
    falls behind real time is covered with silence chunk by chunk, so server VAD keeps hearing
    a continuous stream. ``trail_silence_ms`` lets server VAD close the last turn.
    """
    pacer = Pacer(sink, fmt=fmt, chunk_ms=chunk_ms, speed=speed)
    if lead_silence_ms:
        await pacer.silence(lead_silence_ms)
    if isinstance(source, (str, os.PathLike)):
        from ._wav import read_wav

        source = read_wav(source).to_session(fmt)
    if isinstance(source, (bytes, bytearray, memoryview)):
        await pacer.send(source)
    elif isinstance(source, AsyncIterable):
        await _stream_async(pacer, source, fill_gaps=fill_gaps and speed is not None)
    else:
        for piece in source:
            await pacer.send(piece)
    if trail_silence_ms:
        await pacer.silence(trail_silence_ms)
    await pacer.finish()
    return pacer.sent_ms


async def _stream_async(pacer: Pacer, source: AsyncIterable[bytes], *, fill_gaps: bool) -> None:
    if not fill_gaps:
        async for piece in source:
            await pacer.send(piece)
        return
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(_QUEUE_CHUNKS)

    async def pull() -> None:
        try:
            async for piece in source:
                await queue.put(piece)
        finally:
            await queue.put(None)

    puller = asyncio.create_task(pull())
    try:
        while True:
            try:  # a chunk of silence covers each slot the source leaves empty
                if queue.empty():
                    # not wait_for: it can lose a cancel on 3.11
                    async with asyncio.timeout(pacer.next_due_in()):
                        item = await queue.get()
                else:
                    item = queue.get_nowait()
            except TimeoutError:
                await pacer.gap()
                continue
            if item is None:
                break
            await pacer.send(item)
        await puller
    finally:
        if not puller.done():
            puller.cancel()
            await asyncio.gather(puller, return_exceptions=True)
