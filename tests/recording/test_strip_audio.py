"""Recording without audio: the decoded audio events' fast cut gives what the general strip
gives, byte for byte, and hands back to it whenever the frame's bytes are not plain."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import msgspec
import pytest

from realtime_bus.protocol import Decoder, InputAudioBufferAppend
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
        assert fast == strip_audio(frame, AudioFormats(), server=True)
        assert fast[2] == size
        assert b'"delta":""' in fast[0]


def test_an_append_is_cut_with_the_input_format() -> None:
    formats = AudioFormats()
    formats.input = "audio/pcmu"
    pcm = bytes(range(256)) * 4
    event = InputAudioBufferAppend.from_pcm(pcm)
    frame = msgspec.json.encode(event)
    fast = strip_decoded(frame, event.audio, AUDIO, formats, output=False)
    assert fast == strip_audio(frame, formats, server=False)
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
