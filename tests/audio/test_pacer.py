"""Chunking and pacing: chunk sizes, drift-free schedule, silence padding, sources, a real bus."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from realtime_bus import (
    Bus,
    ConversationItemInputAudioTranscriptionCompleted,
    InputAudioBufferAppend,
    TranscriptionConfig,
    pcm_from_base64,
)
from realtime_bus.audio import Pacer, chunk_audio, silence_for, stream_audio, write_wav
from realtime_bus.testing import Simulator, decode_speech, synthesize_speech


class FakeClock:
    """Time that advances only by sleeping and by the sink's simulated work."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class RecordingSink:
    def __init__(self, clock: FakeClock | None = None, work: float = 0.0) -> None:
        self.clock = clock
        self.work = work
        self.sent: list[tuple[float, bytes]] = []

    async def send(self, event: InputAudioBufferAppend, /) -> object:
        now = self.clock.now if self.clock else asyncio.get_running_loop().time()
        self.sent.append((now, pcm_from_base64(event.audio)))
        if self.clock:
            self.clock.now += self.work  # each send takes time
        return event


def test_chunks_are_whole_frames_of_the_format() -> None:
    pcm = bytes(range(256)) * 10  # 2560 bytes
    chunks = list(chunk_audio(pcm, "audio/pcm", 20))
    assert [len(c) for c in chunks] == [960, 960, 960]
    assert chunks[-1].endswith(bytes(320))  # padded with silence
    assert b"".join(chunk_audio(pcm, pad=False)) == pcm
    assert [len(c) for c in chunk_audio(bytes(400), "audio/pcmu", 20)] == [160, 160, 160]
    assert silence_for("audio/pcmu", 1) == b"\xff" * 8
    assert silence_for("audio/pcma", 1) == b"\xd5" * 8
    with pytest.raises(ValueError, match="holds no sample"):
        list(chunk_audio(pcm, "audio/pcm", 0.01))


async def test_schedule_is_drift_free() -> None:
    clock = FakeClock()
    sink = RecordingSink(clock, work=0.003)  # 3 ms per send must not add up
    pacer = Pacer(sink, chunk_ms=20, clock=clock.time, sleep=clock.sleep)
    await pacer.send(bytes(960 * 50))
    times = [t - 100.0 for t, _ in sink.sent]
    # chunk k leaves when its last sample would have been spoken: (k + 1) * 20 ms
    assert times == pytest.approx([(k + 1) * 0.020 for k in range(50)], abs=1e-9)
    assert pacer.sent_ms == 1000


async def test_faster_than_real_time_and_unpaced() -> None:
    clock = FakeClock()
    sink = RecordingSink(clock)
    pacer = Pacer(sink, fmt="audio/pcmu", chunk_ms=20, speed=4, clock=clock.time, sleep=clock.sleep)
    await pacer.send(bytes(160 * 8))
    assert [t - 100.0 for t, _ in sink.sent] == pytest.approx([0.005 * (k + 1) for k in range(8)])
    unpaced = RecordingSink(clock)
    before = len(clock.sleeps)
    await Pacer(unpaced, speed=None, clock=clock.time, sleep=clock.sleep).send(bytes(9600))
    assert len(unpaced.sent) == 10
    assert len(clock.sleeps) == before
    with pytest.raises(ValueError, match="speed"):
        Pacer(sink, speed=0)


async def test_a_stalled_source_restarts_the_clock_instead_of_bursting() -> None:
    clock = FakeClock()
    sink = RecordingSink(clock)
    pacer = Pacer(sink, chunk_ms=20, clock=clock.time, sleep=clock.sleep)
    await pacer.send(bytes(960 * 2))
    clock.now += 1.0  # the source stalls for a second
    await pacer.send(bytes(960 * 3))
    times = [round(t - 100.0, 6) for t, _ in sink.sent]
    assert times == [0.02, 0.04, 1.06, 1.08, 1.1]


async def test_finish_pads_and_trailing_silence() -> None:
    sink = RecordingSink()
    sent_ms = await stream_audio(
        sink, bytes(1000), speed=None, lead_silence_ms=20, trail_silence_ms=40
    )
    chunks = [c for _, c in sink.sent]
    # 20 ms of silence, 1000 bytes of audio, 40 ms of silence, and padding to a whole chunk
    assert [len(c) for c in chunks] == [960] * 5
    assert chunks[0] == bytes(960)
    assert chunks[1] == bytes(960)
    assert chunks[-1] == bytes(960)
    assert sent_ms == 100


async def test_sources_file_iterator_async_iterator(tmp_path: Path) -> None:
    speech = synthesize_speech("paced words", lead_silence_ms=0, trail_silence_ms=0)
    write_wav(tmp_path / "s.wav", speech, rate=24000)

    async def pieces() -> AsyncIterator[bytes]:
        for i in range(0, len(speech), 700):
            yield speech[i : i + 700]

    for source in (tmp_path / "s.wav", str(tmp_path / "s.wav"), iter([speech]), pieces()):
        sink = RecordingSink()
        await stream_audio(sink, source, speed=None)
        assert decode_speech(b"".join(c for _, c in sink.sent)) == "paced words"


async def test_fill_gaps_covers_a_slow_source_with_silence() -> None:
    late_s: list[float] = []

    async def slow() -> AsyncIterator[bytes]:
        yield b"\x01\x00" * 480  # one chunk
        start = time.monotonic()
        await asyncio.sleep(0.2)  # ten chunks late (more on a loaded machine: measured)
        late_s.append(time.monotonic() - start)
        yield b"\x02\x00" * 480

    sink = RecordingSink()
    await stream_audio(sink, slow(), chunk_ms=20, fill_gaps=True)
    chunks = [c for _, c in sink.sent]
    assert chunks[0] == b"\x01\x00" * 480
    assert chunks[-1] == b"\x02\x00" * 480
    gaps = chunks[1:-1]
    late_chunks = late_s[0] / 0.020
    assert 0.7 * late_chunks <= len(gaps) <= 1.2 * late_chunks
    assert all(c == bytes(960) for c in gaps)


async def test_real_time_into_the_simulator(sim: Simulator) -> None:
    speech = synthesize_speech("hello paced world")
    async with Bus(sim.url, api_key="sk-test", reconnect=False) as bus:
        await bus.session.update(
            transcription=TranscriptionConfig(model="gpt-4o-transcribe"), wait=True
        )
        heard = bus.expect(ConversationItemInputAudioTranscriptionCompleted)
        start = asyncio.get_running_loop().time()
        sent = await stream_audio(bus, speech, speed=8.0)
        elapsed = asyncio.get_running_loop().time() - start
        done = await heard.wait(timeout=10)
    assert done.transcript == "hello paced world"
    assert sent == pytest.approx(len(speech) / 48, abs=20)
    assert elapsed >= sent / 1000 / 8 * 0.9  # paced, not dumped
