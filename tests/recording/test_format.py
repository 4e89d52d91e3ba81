"""The recording format: every line validates against the checked-in JSON Schema; the reader
refuses what it cannot read with a clear error."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest

from realtime_bus.recording import (
    SCHEMA_PATH,
    FrameLine,
    Header,
    Marker,
    Recorder,
    Recording,
    RecordingError,
    load_recording,
    parse_recording,
)

from .test_record_replay import record_session

pytestmark = pytest.mark.anyio


def validate_lines(path: Path) -> list[dict[str, Any]]:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for number, line in enumerate(lines, start=1):
        errors = sorted(validator.iter_errors(line), key=str)
        assert not errors, f"line {number}: {errors[0].message}"
    assert lines[0]["kind"] == "header"
    return lines


async def test_a_bus_recording_validates_against_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    await record_session(path)
    lines = validate_lines(path)
    kinds = {line["kind"] for line in lines}
    assert {"header", "frame", "connect", "close"} <= kinds
    types = {line["frame"]["type"] for line in lines if "frame" in line}
    assert {"session.created", "response.output_audio.delta", "input_audio_buffer.append"} <= types


async def test_without_audio_frames_keep_its_size_and_duration(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    await record_session(path, record_audio=False)
    lines = validate_lines(path)
    assert lines[0]["audio"] is False
    appends = [x for x in lines if x.get("frame", {}).get("type") == "input_audio_buffer.append"]
    deltas = [x for x in lines if x.get("frame", {}).get("type") == "response.output_audio.delta"]
    assert appends
    assert deltas
    for line in appends + deltas:
        assert line["audio"]["bytes"] > 0
        assert line["audio"]["ms"] == pytest.approx(line["audio"]["bytes"] / 48, abs=0.01)
    assert all(x["frame"]["audio"] == "" for x in appends)
    assert all(x["frame"]["delta"] == "" for x in deltas)
    assert {x["dir"] for x in appends} == {"out"}
    assert {x["dir"] for x in deltas} == {"in"}
    # the same session recorded with its audio: the same frames but for the audio strings
    full = tmp_path / "full.jsonl"
    await record_session(full, record_audio=True)
    kept = [x for x in validate_lines(full) if "frame" in x]
    left = [x for x in lines if "frame" in x]
    assert [(x["dir"], x["frame"]["type"]) for x in kept] == [
        (x["dir"], x["frame"]["type"]) for x in left
    ]
    assert path.stat().st_size < 60_000  # a few seconds of audio would be far more


def test_frames_that_are_not_json_keep_their_exact_bytes(tmp_path: Path) -> None:
    buffer = io.StringIO()
    recorder = Recorder(buffer, url="ws://127.0.0.1:1/v1/realtime")
    frames = [b'{"type":"a"}', b'{\n "type": "pretty"\n}', b"not json", b"\xff\xfe binary"]
    for frame in frames:
        recorder.frame("in", frame)
    recorder.close()
    path = tmp_path / "r.jsonl"
    path.write_text(buffer.getvalue())
    validate_lines(path)
    recording = load_recording(path)
    assert [f.data() for f in recording.frames] == frames
    assert isinstance(recording.entries[0], FrameLine)


def test_gathered_frames_keep_their_bytes_order_and_clock(tmp_path: Path) -> None:
    # What the bus's taps write (decoded frames, gathered for a batch) around the lines written
    # at once: the order of the wire, each frame byte for byte, ``t`` and ``wall`` from one clock.
    path = tmp_path / "r.jsonl"
    recorder = Recorder(path, url="ws://127.0.0.1:1/v1/realtime")
    event = object()
    sent = [b'{"type":"in1"}', b'{"type":"out1"}', b'{\n"type":"in2"}', b'{"type": "in3"}']
    recorder.received(sent[0], event)
    recorder.sent(sent[1], event)
    recorder.received(sent[2], event)  # not one line: written as text, at once
    recorder.marker("connect", attempt=2)
    recorder.received(sent[3], event)
    assert recorder.frames == 4
    recorder.close()
    lines = validate_lines(path)
    kinds = [line["kind"] for line in lines]
    assert kinds == ["header", "frame", "frame", "frame", "connect", "frame", "close"]
    recording = load_recording(path)
    assert [f.data() for f in recording.frames] == sent
    assert [f.dir for f in recording.frames] == ["in", "out", "in", "in"]
    times = [line["t"] for line in lines[1:]]
    assert times == sorted(times)
    start = lines[0]["started_unix"]
    for line in lines[1:]:
        if line["kind"] != "frame":  # a marker's times are to the microsecond
            assert line["t"] == round(line["t"], 6)
        assert line["wall"] == pytest.approx(start + line["t"], abs=2e-6)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"no such recording: .*nope\.jsonl"):
        load_recording(tmp_path / "nope.jsonl")


def test_another_format_version_is_refused(tmp_path: Path) -> None:
    header = {"kind": "header", "format": "realtime-bus-recording", "version": 2}
    path = tmp_path / "v2.jsonl"
    path.write_text(json.dumps(header) + "\n")
    with pytest.raises(RecordingError, match="format version 2; this library reads version 1"):
        load_recording(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"hello\n", "line 1 is not JSON"),
        (b'{"type":"session.created"}\n', "not a realtime-bus recording header"),
    ],
)
def test_a_file_that_is_not_a_recording_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(RecordingError, match=message):
        parse_recording(data)


def test_a_bad_line_is_named_by_its_number() -> None:
    buffer = io.BytesIO()
    Recorder(buffer, url="ws://h/v1/realtime").frame("in", b"{}")
    data = buffer.getvalue() + b'{"kind":"frame","dir":"sideways","t":0,"wall":0,"frame":{}}\n'
    with pytest.raises(RecordingError, match="line 3"):
        parse_recording(data)
    with pytest.raises(RecordingError, match="line 2: unknown kind 'mystery'"):
        parse_recording(buffer.getvalue().split(b"\n")[0] + b'\n{"kind":"mystery"}\n')


def test_connections_split_at_connect_markers_and_end_at_the_first_disconnect_or_close() -> None:
    def frame(t: float) -> FrameLine:
        return FrameLine(dir="in", t=t, wall=t, frame=msgspec.Raw(b'{"type":"x"}'))

    def marker(kind: Any, t: float, **fields: Any) -> Marker:
        return Marker(kind=kind, t=t, wall=t, **fields)

    header = Header(library="x", dialect="ga", url="ws://h/", started_at="", started_unix=0.0)
    entries: list[FrameLine | Marker] = [
        frame(0.1),  # before any connect marker: a first connection of its own
        marker("connect", 0.2, attempt=2),
        frame(0.3),
        marker("disconnect", 0.4, code=1006),
        frame(0.5),  # after the disconnect, before the next connect: still the same connection
        marker("connect", 0.6),  # no attempt: its place in the recording
        frame(0.7),
        marker("close", 0.8),
        marker("disconnect", 0.9),  # the connection has ended already
    ]
    got = Recording(header=header, entries=entries).connections()
    assert [c.attempt for c in got] == [1, 2, 3]
    assert [[f.t for f in c.frames] for c in got] == [[0.1], [0.3, 0.5], [0.7]]
    assert [c.end.t if c.end is not None else None for c in got] == [None, 0.4, 0.8]


def test_a_frame_is_embedded_as_json_else_kept_as_text_else_as_base64(tmp_path: Path) -> None:
    path = tmp_path / "placed.jsonl"
    recorder = Recorder(path, url="ws://127.0.0.1:1/v1/realtime")
    recorder.opened(1)
    frames = [
        (b'{"type":"a"}', True, "frame"),  # decoded: gathered, written with its batch
        (b'{"type":"b",\n"n":1}', True, "text"),  # decoded, but not one line
        (b'{"type":"c"}', None, "frame"),  # not decoded, but JSON
        (b"not json", None, "text"),
        (b"\xff\xfe\x00", None, "base64"),  # not UTF-8
    ]
    for data, event, _ in frames:
        recorder.received(data, event)
    recorder.sent(b'{"type":"d",\n"n":2}', True)
    recorder.close(code=1000)
    lines = load_recording(path).frames
    assert [f.data() for f in lines] == [data for data, _, _ in frames] + [b'{"type":"d",\n"n":2}']
    placed = [
        "frame" if len(f.frame) else "text" if f.text is not None else "base64" for f in lines
    ]
    assert placed == [where for _, _, where in frames] + ["text"]
    assert [f.dir for f in lines] == ["in"] * len(frames) + ["out"]


def test_a_gathered_batch_keeps_each_frame_its_direction_and_times(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    recorder = Recorder(path, url="ws://127.0.0.1:1/v1/realtime")
    recorder.opened(1)
    sent = {0, 3, 4, 9}
    frames = [b'{"type":"e%d","n":[1,2]}' % i for i in range(10)]
    for index, frame in enumerate(frames):
        if index in sent:
            recorder.sent(frame, True)
        else:
            recorder.received(frame, True)
    recorder.close(code=1000)
    lines = load_recording(path).frames
    assert [f.data() for f in lines] == frames
    assert [f.dir for f in lines] == ["out" if i in sent else "in" for i in range(10)]
    times = [f.t for f in lines]
    assert times == sorted(times)
    assert all(f.wall == pytest.approx(recorder._wall0 + f.t, abs=1e-6) for f in lines)
