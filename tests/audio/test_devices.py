"""Microphone and speaker over the device interface, driven by a fake sound card in real threads."""

from __future__ import annotations

import array
import asyncio
import sys
import time
from collections.abc import AsyncIterator

import pytest

from realtime_bus import Bus, ConversationItemInputAudioTranscriptionCompleted, TranscriptionConfig
from realtime_bus.agent import Playback
from realtime_bus.audio import stream_audio, ulaw_encode
from realtime_bus.audio.devices import Microphone, SoundDevices, Speaker
from realtime_bus.protocol import ConversationItemTruncate
from realtime_bus.testing import Simulator, decode_speech, synthesize_speech

from ._fake_devices import FakeDevices


@pytest.fixture
async def paced_sim() -> AsyncIterator[Simulator]:
    async with Simulator(realtime_factor=1.0) as simulator:
        yield simulator


class Chunk:
    def __init__(self, data: bytes) -> None:
        self.data = data


class FakePlayback:
    """Just the part of Playback a speaker uses: callbacks in, played bytes out."""

    def __init__(self) -> None:
        self.audio: list[object] = []
        self.clears: list[object] = []
        self.reports: list[int] = []

    def on_audio(self, fn: object) -> object:
        self.audio.append(fn)
        return fn

    def on_clear(self, fn: object) -> object:
        self.clears.append(fn)
        return fn

    def played(self, nbytes: int) -> None:
        self.reports.append(nbytes)


async def _until(predicate: object, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # type: ignore[operator]  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_microphone_streams_into_a_session(sim: Simulator) -> None:
    devices = FakeDevices(speed=4.0)  # a fast microphone: the simulator counts samples
    async with Bus(sim.url, api_key="sk-test") as bus:
        await bus.session.update(transcription=TranscriptionConfig(model="whisper-1"), wait=True)
        heard = bus.expect(ConversationItemInputAudioTranscriptionCompleted)
        async with Microphone(devices) as mic:
            sending = asyncio.create_task(stream_audio(bus, mic, speed=None))
            devices.inputs[0].speak(synthesize_speech("hello microphone"))
            assert (await heard.wait(timeout=15)).transcript == "hello microphone"
        sent_ms = await asyncio.wait_for(sending, 10)
    assert sent_ms > 1000
    assert devices.inputs[0].closed


async def test_microphone_resamples_drops_when_behind_and_times_out() -> None:
    devices = FakeDevices(speed=10.0)
    async with Microphone(devices, device_rate=48000, max_buffer_ms=100, timeout=0.5) as mic:
        await asyncio.sleep(0.3)  # nobody reads: 3 s of audio arrive (10x), 100 ms are kept
        chunks = [await mic.__anext__() for _ in range(5)]
        assert mic.dropped_ms > 0
        # 48 kHz blocks arrive as 24 kHz audio (soxr hands it over in bursts of two blocks)
        assert all(len(c) % 2 == 0 and 0 < len(c) <= 2 * 960 for c in chunks)
        assert sum(map(len, chunks)) >= 4 * 960
        assert mic.dropped_ms > 2000
        devices.inputs[0].running.clear()  # the device stalls
        with pytest.raises(TimeoutError, match="delivered nothing"):
            await _drain(mic)
    mulaw = FakeDevices(speed=10.0)
    async with Microphone(mulaw, fmt="audio/pcmu", device_rate=8000) as mic:
        mulaw.inputs[0].speak(b"\x00\x00" * 160)
        assert await mic.__anext__() == ulaw_encode(b"\x00\x00" * 160)


async def test_speaker_reports_what_the_device_took_after_its_latency() -> None:
    playback = FakePlayback()
    devices = FakeDevices(latency=0.05)
    async with Speaker(playback, devices):  # type: ignore[arg-type]
        (on_audio,) = playback.audio
        on_audio(Chunk(bytes(range(256)) * 15))  # 3840 bytes: 80 ms
        await _until(lambda: sum(playback.reports) == 3840)
        output = devices.outputs[0]
        assert bytes(range(256)) * 15 in bytes(output.played)
        (on_clear,) = playback.clears
        start = time.monotonic()
        on_audio(Chunk(b"\x01\x00" * 24000))  # a second of audio...
        await asyncio.sleep(0.1)
        on_clear()  # ...cleared after about 100 ms (measured: more on a loaded machine)
        cleared_ms = (time.monotonic() - start) * 1000
        await asyncio.sleep(0.15)
        reported = sum(playback.reports) - 3840
        assert 0 < reported < 48 * (cleared_ms + 400)  # 48 bytes a millisecond
    assert output.closed


async def test_a_late_event_loop_does_not_delay_the_reports() -> None:
    # The latency counts from when the device took a block, not from when the event loop got
    # round to the report: a loop held up (here for 300 ms) reports, once free, every block
    # whose latency has passed since the device took it.
    playback = FakePlayback()
    devices = FakeDevices(latency=0.05)
    async with Speaker(playback, devices):  # type: ignore[arg-type]
        (on_audio,) = playback.audio
        on_audio(Chunk(b"\x01\x00" * 48000))  # two seconds of audio
        output = devices.outputs[0]
        await _until(lambda: len(output.taken_at) >= 2)
        time.sleep(0.3)  # noqa: ASYNC251  # the loop is busy; the device plays on
        taken = list(output.taken_at)  # each of these blocks has handed its report over
        heard_by = time.monotonic() - devices.latency
        for _ in range(3):  # the hand-overs queued meanwhile run first
            await asyncio.sleep(0)
        heard = sum(1 for t in taken if t <= heard_by)
        # PCM at the session's rate: a block is 960 bytes of the session's audio
        assert heard >= 5
        assert sum(playback.reports) >= heard * 960
    assert output.closed


async def test_speaker_resamples_and_counts_in_session_bytes() -> None:
    playback = FakePlayback()
    devices = FakeDevices()
    async with Speaker(playback, devices, fmt="audio/pcmu", device_rate=48000) as speaker:  # type: ignore[arg-type]
        (on_audio,) = playback.audio
        tone = array.array("h", [8000, -8000] * 4000).tobytes()  # 8000 samples at 8 kHz
        on_audio(Chunk(ulaw_encode(tone)))
        await _until(lambda: sum(playback.reports) >= 7900)
        assert speaker.reported_bytes == sum(playback.reports) <= 8000  # mu-law bytes, not PCM


async def test_a_task_reading_the_microphone_can_always_be_cancelled() -> None:
    # A cancel that lands as a block arrives must not be lost (asyncio.wait_for on 3.11 can
    # drop it): the reader must end every time.
    devices = FakeDevices(speed=20.0)  # a block every millisecond
    async with Microphone(devices) as mic:
        for _ in range(40):
            reader = asyncio.create_task(_drain(mic))
            await asyncio.sleep(0.003)
            reader.cancel()
            done, _ = await asyncio.wait({reader}, timeout=2)
            assert done, "the cancelled reader kept running"


class _Appends:
    """A sink that counts the appends it is sent."""

    def __init__(self) -> None:
        self.count = 0

    async def send(self, event: object, /) -> object:
        self.count += 1
        return event


async def test_the_microphone_streams_until_told_and_says_when_it_stops_first() -> None:
    devices = FakeDevices(speed=10.0)
    sink, over = _Appends(), asyncio.Event()
    async with Microphone(devices, timeout=0.5) as mic:
        streaming = asyncio.create_task(mic.stream_to(sink, until=over))
        async with asyncio.timeout(5):
            while sink.count < 5:  # noqa: ASYNC110 - the appends are what is checked
                await asyncio.sleep(0.01)
        over.set()
        await asyncio.wait_for(streaming, 5)  # returns: the conversation is over
        sent = sink.count
        await asyncio.sleep(0.1)
        assert sink.count == sent  # and nothing more is sent
        devices.inputs[0].running.clear()  # the device stalls before the next one is over
        with pytest.raises(RuntimeError, match=r"the microphone stopped: .*delivered nothing"):
            await asyncio.wait_for(mic.stream_to(sink, until=asyncio.Event()), 5)
    async with Microphone(FakeDevices(speed=10.0)) as closed:
        await closed.close()
        with pytest.raises(RuntimeError, match="it delivered no more audio"):
            await asyncio.wait_for(closed.stream_to(sink, until=asyncio.Event()), 5)


async def _drain(mic: Microphone) -> None:
    async for _ in mic:
        pass


def test_sound_devices_say_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    with pytest.raises(ImportError, match=r"realtime-bus\[devices\]"):
        SoundDevices().open_input(24000, 480, lambda pcm: None)


async def test_a_voice_conversation_with_barge_in(paced_sim: Simulator) -> None:
    sim = paced_sim
    devices = FakeDevices(speed=2.0, latency=0.04)
    async with Bus(sim.url, api_key="sk-test") as bus:
        await bus.session.update(transcription=TranscriptionConfig(model="whisper-1"), wait=True)
        heard = bus.expect(ConversationItemInputAudioTranscriptionCompleted)
        playback = Playback(bus)
        given: dict[str, bytearray] = {}  # the audio handed to the speaker, by item
        playback.on_audio(
            lambda chunk: given.setdefault(chunk.item_id, bytearray()).extend(chunk.data)
        )
        cleared: list[int] = []  # how much the device had taken when the speaker was cleared
        async with Speaker(playback, devices) as speaker, Microphone(devices) as mic:
            playback.on_clear(lambda: cleared.append(len(devices.outputs[0].played)))
            sending = asyncio.create_task(stream_audio(bus, mic, speed=None))
            devices.inputs[0].speak(synthesize_speech("tell me a long story please"))
            await heard.wait(timeout=15)
            await _until(lambda: speaker.reported_bytes >= 48 * 600, timeout=15)
            second = bus.expect(ConversationItemInputAudioTranscriptionCompleted)
            devices.inputs[0].speak(synthesize_speech("stop", lead_silence_ms=0))
            assert (await second.wait(timeout=15)).transcript == "stop"
            await _until(lambda: not playback.is_playing, timeout=15)
        await asyncio.wait_for(sending, 10)
        await playback.close()
    truncates = [e for e in sim.history[0].received if isinstance(e, ConversationItemTruncate)]
    assert len(truncates) == 1
    # What the fake speaker actually played of the first reply, up to the clear (and the block
    # it may have been taking meanwhile): the reply's samples found in order in what it played.
    # Not the time from its first sound to its last: the simulator sends audio in real time, so
    # under load the speaker can run dry between deltas and fill blocks with silence.
    samples = array.array("h", bytes(devices.outputs[0].played)[: cleared[0] + 2 * 960])
    last = max(i for i, s in enumerate(samples) if s) + 1
    first_reply = array.array("h", bytes(given[truncates[0].item_id]))
    played_ms = _played_of(first_reply, samples[:last]) / 24
    end_ms = truncates[0].audio_end_ms
    assert end_ms >= 500
    # reported 40 ms after the device took it: the truncate lags at most a latency and a block
    # (and a block of the event loop's lateness)
    assert played_ms - 40 - 40 - 20 <= end_ms <= played_ms + 20
    reply = bytes(devices.outputs[0].played)
    assert decode_speech(reply) is not None  # the second reply was played in full


def _played_of(reply: array.array[int], played: array.array[int]) -> int:
    """How many samples of ``reply`` ``played`` holds in order (with silence put in between)."""
    n = 0
    for sample in played:
        if n < len(reply) and sample == reply[n]:
            n += 1
    return n
