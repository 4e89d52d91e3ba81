"""Recording without audio: the decoded audio events' fast cut gives what the general strip
gives, byte for byte, and hands back to it whenever the frame's bytes are not plain."""

from __future__ import annotations

import base64
import random
from pathlib import Path
from typing import Any

import msgspec
import pytest

from realtime_bus.protocol import Decoder, InputAudioBufferAppend, TranslationOutputAudioDelta
from realtime_bus.protocol.live import InputAudioAppend, LiveDecoder
from realtime_bus.recording import Recorder, load_recording
from realtime_bus.recording._audio import AudioFormats, strip_audio, strip_decoded

DELTA = b'"delta":"'
AUDIO = b'"audio":"'


def delta_frame(pcm: bytes, *, event_id: str = "event_1") -> bytes:
    return msgspec.json.encode(
        {
            "type": "response.output_audio.delta",
            "event_id": event_id,
            "response_id": "resp_1",
            "item_id": "item_1",
            "output_index": 0,
            "content_index": 0,
            "delta": base64.b64encode(pcm).decode(),
        }
    )


def test_the_fast_cut_equals_the_general_strip_for_every_padding() -> None:
    rng = random.Random(7)
    decode = Decoder().decode
    for size in [*range(1, 40), 2400, 4800, 4801, 4802]:
        frame = delta_frame(rng.randbytes(size))
        event = decode(frame)
        fast = strip_decoded(frame, event.delta, DELTA, AudioFormats(), output=True)
        assert fast is not None
        assert fast == strip_audio(frame, AudioFormats())
        assert fast[2] == size
        assert b'"delta":""' in fast[0]


def test_an_append_is_cut_with_the_input_format() -> None:
    formats = AudioFormats()
    formats.follow({"session": {"audio": {"input": {"format": {"type": "audio/pcmu"}}}}})
    pcm = bytes(range(256)) * 4
    event = InputAudioBufferAppend.from_pcm(pcm)
    frame = msgspec.json.encode(event)
    fast = strip_decoded(frame, event.audio, AUDIO, formats, output=False)
    assert fast == strip_audio(frame, formats)
    assert fast is not None
    assert fast[1:] == (128.0, 1024)


@pytest.mark.parametrize(
    "frame",
    [
        # JSON may escape "/" (a base64 character): the bytes are not the string
        b'{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i",'
        b'"output_index":0,"content_index":0,"delta":"AAA\\/AAAA"}',
        # a space after the colon: the key is not found as written
        b'{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i",'
        b'"output_index":0,"content_index":0,"delta": "AAAA"}',
        # not base64 as sent
        b'{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i",'
        b'"output_index":0,"content_index":0,"delta":"AAA"}',
        # not ASCII
        b'{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i",'
        b'"output_index":0,"content_index":0,"delta":"\xc3\xa9\xc3\xa9"}',
    ],
)
def test_frames_that_are_not_plain_go_to_the_general_strip(frame: bytes) -> None:
    event = Decoder().decode(frame)
    assert strip_decoded(frame, event.delta, DELTA, AudioFormats(), output=True) is None


def test_a_recorder_without_audio_writes_the_same_lines_either_way(tmp_path: Path) -> None:
    # The recorder given the decoded event (the bus's tap) and given none (a proxy's frames)
    # write the same frames and the same summaries.
    folder = tmp_path
    rng = random.Random(3)
    frames = [delta_frame(rng.randbytes(n), event_id=f"e{n}") for n in (1, 2, 3, 480, 4800)]
    frames.append(
        b'{"type":"response.output_audio.delta","event_id":"e","response_id":"r",'
        b'"item_id":"i","output_index":0,"content_index":0,"delta":"AAA\\/AAAA"}'
    )
    decode = Decoder().decode
    results = []
    for name, with_event in (("tap", True), ("plain", False)):
        path = folder / f"{name}.jsonl"
        recorder = Recorder(path, url="ws://127.0.0.1:1/v1/realtime", audio=False)
        for frame in frames:
            recorder.received(frame, decode(frame) if with_event else None)
        recorder.close()
        recording = load_recording(path)
        results.append(
            [
                (f.data(), f.audio.bytes if f.audio else 0, f.audio.ms if f.audio else 0.0)
                for f in recording.frames
            ]
        )
    assert results[0] == results[1]
    assert [nbytes for _, nbytes, _ in results[0]] == [1, 2, 3, 480, 4800, 6]
    assert all(b'"delta":""' in data for data, _, _ in results[0])


def test_gpt_live_and_translation_audio_is_left_out_too(tmp_path: Path) -> None:
    # Every dialect's audio events lose their audio in a recording without it: GPT-Live's
    # output deltas and input appends (in the session's one format), translation's deltas.
    pcm = bytes(range(200)) * 8  # 1,600 bytes
    b64 = base64.b64encode(pcm).decode()
    live_server = LiveDecoder().decode
    started = msgspec.json.encode(
        {
            "type": "session.started",
            "session": {"id": "s1", "audio": {"format": {"type": "audio/pcm", "rate": 16000}}},
        }
    )
    append = InputAudioAppend(audio=b64)
    translated = TranslationOutputAudioDelta(delta=b64, event_id="e1")
    frames: list[tuple[bytes, Any, str]] = [
        (started, None, "in"),  # (a partial session: the recorder reads it as JSON)
        (
            delta := msgspec.json.encode({"type": "session.output_audio.delta", "delta": b64}),
            live_server(delta),
            "in",
        ),
        (msgspec.json.encode(append), append, "out"),  # the bus's tap: the event it sent
        (msgspec.json.encode(translated), translated, "in"),
    ]
    path = tmp_path / "live.jsonl"
    recorder = Recorder(path, url="ws://127.0.0.1:1/v1/live/sessions", dialect="live", audio=False)
    for frame, event, direction in frames:
        (recorder.received if direction == "in" else recorder.sent)(frame, event)
    recorder.close()
    entries = load_recording(path).frames
    assert [f.audio.bytes if f.audio else 0 for f in entries] == [0, 1600, 1600, 1600]
    assert all(b64.encode() not in f.data() for f in entries)
    # PCM16 at 16 kHz: 32 bytes a millisecond, both ways
    assert [f.audio.ms for f in entries if f.audio] == [50.0, 50.0, 50.0]


def _mixed_frames() -> list[bytes]:
    rng = random.Random(11)

    def b64(n: int) -> str:
        return base64.b64encode(rng.randbytes(n)).decode()

    frames = [
        msgspec.json.encode(
            {
                "type": "session.updated",
                "event_id": "e0",
                "session": {
                    "type": "realtime",
                    "audio": {"output": {"format": {"type": "audio/pcmu"}}},
                },
            }
        )
    ]
    for n in range(400):
        kind = n % 8
        if kind in (0, 1, 2):
            frames.append(
                delta_frame(rng.randbytes(rng.choice([2400, 2401, 2402, 4800])), event_id=f"a{n}")
            )
        elif kind == 3:
            frames.append(
                msgspec.json.encode(
                    {
                        "type": "response.output_audio_transcript.delta",
                        "event_id": f"t{n}",
                        "response_id": "resp_1",
                        "item_id": "item_1",
                        "output_index": 0,
                        "content_index": 0,
                        "delta": f"word {n} ",
                    }
                )
            )
        elif kind == 4:  # the type not first: found by the general strip
            frames.append(
                b'{"event_id":"x%d","type":"response.output_audio.delta","response_id":"r",'
                b'"item_id":"i","output_index":0,"content_index":0,"delta":"%s"}'
                % (n, b64(300).encode())
            )
        elif kind == 5:  # an escape in the audio: the general strip
            frames.append(
                b'{"type":"response.output_audio.delta","event_id":"y%d","response_id":"r",'
                b'"item_id":"i","output_index":0,"content_index":0,"delta":"AAA\\/AAAA"}' % n
            )
        elif kind == 6:  # an item with input audio in it
            frames.append(
                msgspec.json.encode(
                    {
                        "type": "conversation.item.added",
                        "event_id": f"c{n}",
                        "item": {
                            "id": f"item_{n}",
                            "type": "message",
                            "role": "user",
                            "content": [{"type": "input_audio", "audio": b64(96)}],
                        },
                    }
                )
            )
        else:  # GPT-Live's output audio
            frames.append(
                msgspec.json.encode({"type": "session.output_audio.delta", "delta": b64(480)})
            )
    return frames


def test_without_audio_the_reader_s_batch_writes_what_the_calls_write(tmp_path: Path) -> None:
    # Frames gathered by the reader (no event, cut in the batch) and frames handed over one
    # call at a time, with their event or with none, make the same recording.
    from realtime_bus.protocol.live import LiveDecoder as Live

    frames = _mixed_frames()
    decode, live = Decoder().decode, Live().decode
    results = []
    for way in ("batch", "event", "plain"):
        path = tmp_path / f"{way}.jsonl"
        recorder = Recorder(path, url="ws://127.0.0.1:1/v1/realtime", audio=False)
        gather = recorder.gathering()
        assert gather is not None
        assert not gather.quick  # without audio, every frame is looked at
        for n, frame in enumerate(frames):
            if way == "batch":
                gather.scan.append(len(gather.frames))
                gather.frames.append(frame)
                gather.frames.append(float(n))
                if len(gather.frames) >= gather.full:
                    gather.flush()
            else:
                event = None
                if way == "event":
                    event = live(frame) if b"session.output_audio" in frame else decode(frame)
                recorder.received(frame, event)
        recorder.close()
        results.append(
            [
                (f.data(), (f.audio.bytes, f.audio.ms) if f.audio else None)
                for f in load_recording(path).frames
            ]
        )
    assert results[0] == results[1] == results[2]
    summaries = [audio for _, audio in results[0] if audio]
    # PCM-U output (8 bytes a ms) once the session said so; the item's input audio at 24 kHz
    assert (2400, 300.0) in summaries
    assert (96, 2.0) in summaries
    assert all(b'"delta":""' in data for data, audio in results[0] if audio and b"delta" in data)
    assert sum(1 for _, audio in results[0] if audio) == 400 - 400 // 8  # all but transcripts
