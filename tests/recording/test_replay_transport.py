"""The replay transport hands over what may play now without an await, and nothing else."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from realtime_bus import Bus, DecodeError, ErrorReport, ResponseOutputTextDelta, UnknownEvent
from realtime_bus.recording import Recorder, Replayer, load_recording
from realtime_bus.recording._replay import _YIELD_EVERY
from realtime_bus.transport import ConnectOptions, Endpoint, TransportClosed

pytestmark = pytest.mark.anyio


def _recording(path: Path, burst: int) -> list[bytes]:
    recorder = Recorder(path, url="ws://127.0.0.1:1/v1/realtime")
    recorder.opened(1)
    first = b'{"type":"session.created","event_id":"e0"}'
    recorder.received(first, True)
    recorder.sent(b'{"type":"response.create"}', True)
    rest = [b'{"type":"response.output_text.delta","event_id":"e%d"}' % i for i in range(burst)]
    for frame in rest:
        recorder.received(frame, True)
    recorder.close(code=1000)
    return [first, *rest]


async def test_recv_nowait_plays_a_released_burst_and_stops_at_gates_and_turns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.jsonl"
    recorded = _recording(path, 2 * _YIELD_EVERY + 20)
    replayer = Replayer(load_recording(path), gate_timeout=5)
    transport = await replayer(Endpoint(url="memory:"), ConnectOptions())
    assert transport.recv_nowait() is None  # nothing released yet
    played = [await transport.recv()]
    assert transport.recv_nowait() is None  # the burst waits for the client's response.create
    await transport.send(b'{"type":"response.create"}')
    awaited = 0
    while len(played) < len(recorded):
        frame = transport.recv_nowait()
        if frame is None:
            awaited += 1
            frame = await transport.recv()
        played.append(bytes(frame))
    assert played == recorded
    # One await opens the burst; after that, one at each turn given to the event loop.
    assert awaited == 1 + (len(recorded) - 1) // _YIELD_EVERY
    assert not replayer.stalls


async def test_recv_nowait_holds_nothing_once_closed(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    _recording(path, 10)
    replayer = Replayer(load_recording(path), gated=False)
    transport = await replayer(Endpoint(url="memory:"), ConnectOptions())
    await transport.recv()
    assert transport.recv_nowait() is not None
    assert transport.played == 2  # what the burst still holds is not played
    await transport.close()
    assert transport.recv_nowait() is None
    assert transport.played == 2
    assert not transport.finished
    with pytest.raises(TransportClosed):
        await transport.recv()


async def test_a_paced_replay_hands_nothing_over_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    _recording(path, 5)
    replayer = Replayer(load_recording(path), gated=False, pace=0.001)
    transport = await replayer(Endpoint(url="memory:"), ConnectOptions())
    for _ in range(6):
        assert transport.recv_nowait() is None
        await transport.recv()


async def test_frames_handed_over_in_place_reach_reports_events_and_taps_as_bytes(
    tmp_path: Path,
) -> None:
    path, again = tmp_path / "r.jsonl", tmp_path / "again.jsonl"
    delta = b'"type":"response.output_text.delta","response_id":"r","item_id":"i","output_index":0'
    played = [
        b'{"type":"session.created","session":{"type":"realtime","model":"gpt-realtime"}}',
        b'{"type":"brand.new.event","event_id":"e1","n":1}',
        b'{%s,"content_index":0,"delta":5}' % delta,  # does not fit the schema
        b'{%s,"content_index":0,"delta":"ok"}' % delta,
    ]
    recorder = Recorder(path, url="ws://127.0.0.1:1/v1/realtime")
    recorder.opened(1)
    for frame in played:
        recorder.received(frame, True)
    recorder.close(code=1000)
    bus = Bus("ws://replay.invalid/", connector=Replayer(path), reconnect=False, record=again)
    reports: list[ErrorReport] = []
    unknown: list[UnknownEvent] = []
    bus.on_error(reports.append)
    bus.add_handler(UnknownEvent, unknown.append)
    deltas: list[str] = []
    done = asyncio.Event()

    @bus.on(ResponseOutputTextDelta)
    def on_delta(event: ResponseOutputTextDelta) -> None:
        deltas.append(event.delta)
        done.set()

    async with bus:
        await asyncio.wait_for(done.wait(), 10)
    assert deltas == ["ok"]
    assert [r.kind for r in reports] == ["unknown_event", "decode"]
    assert type(reports[1].frame) is bytes
    assert reports[1].frame == played[2]
    error = reports[1].error
    assert isinstance(error, DecodeError)
    assert type(error.frame) is bytes
    assert error.frame == played[2]
    assert type(unknown[0].raw) is bytes
    assert unknown[0].raw == played[1]
    assert [f.data() for f in load_recording(again).server_frames()] == played
