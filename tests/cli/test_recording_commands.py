"""tail, record, replay, report, proxy and serve --replay from the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from websockets.sync.client import connect as sync_connect

from realtime_bus.cli import main
from realtime_bus.recording import load_recording
from realtime_bus.testing import Simulator

from ._process import cli_process


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "session.jsonl"
    assert main(["record", "--simulator", "--say", "Hello there", "-o", str(path)]) == 0
    return path


def test_record_writes_a_recording_of_the_turn(recording: Path) -> None:
    loaded = load_recording(recording)
    types = [e["type"] for e in loaded.events("in")]
    assert types[0] == "session.created"
    assert "response.done" in types
    assert [e["type"] for e in loaded.events("out")] == [
        "conversation.item.create",
        "response.create",
    ]


def test_tail_prints_one_line_per_matching_event(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tail", "--simulator", "--say", "Hi", "--filter", "response.output_audio*"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "<-" in line]
    assert lines
    assert all("response.output_audio" in line for line in lines)
    deltas = [line for line in lines if "response.output_audio.delta" in line]
    assert deltas
    assert all(" ms>" in line and "bytes" in line for line in deltas)  # audio summarised


def test_tail_json_prints_the_frames(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tail", "--simulator", "--say", "Hi", "--json", "--filter", "response.done"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["response"]["status"] == "completed"


def test_tail_says_a_handshake_was_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with Simulator(api_key="sk-right").run_in_thread() as sim:
        status = main(["tail", sim.url, "--api-key", "sk-wrong", "--duration", "1"])
    err = capsys.readouterr().err
    assert status == 1
    assert "handshake refused with HTTP 401" in err
    assert "sk-wrong" not in err


def test_replay_prints_what_the_bus_decodes(
    recording: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(recording), "--filter", "response.done"]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if "<-" in line]
    assert len(lines) == 1
    assert "status='completed'" in lines[0]
    assert "replaying:" in captured.err  # progress
    assert main(["replay", str(recording), "--json"]) == 0
    out = capsys.readouterr().out.splitlines()
    types = [json.loads(line)["type"] for line in out]
    assert types == [e["type"] for e in load_recording(recording).events("in")]


def test_replay_at_recorded_pace_takes_the_recorded_time(recording: Path) -> None:
    import time

    started = time.monotonic()
    assert main(["replay", str(recording), "--pace", "1", "--json", "--filter", "x"]) == 0
    frames = load_recording(recording).frames
    assert time.monotonic() - started >= (frames[-1].t - frames[0].t) * 0.9


@pytest.mark.parametrize("command", ["replay", "report"])
def test_clear_errors_for_missing_files_and_other_versions(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, str(tmp_path / "missing.jsonl")]) == 1
    assert "no such recording" in capsys.readouterr().err
    other = tmp_path / "v3.jsonl"
    other.write_text('{"kind":"header","format":"realtime-bus-recording","version":3}\n')
    assert main([command, str(other)]) == 1
    assert "format version 3; this library reads version 1" in capsys.readouterr().err


def test_report_writes_a_page(recording: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(recording), "-o", str(out)]) == 0
    page = out.read_text()
    assert 'id="timeline"' in page
    assert 'id="turns"' in page


def _first_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    return proc.stdout.readline()


def test_serve_replay_answers_with_the_recorded_frames(recording: Path) -> None:
    with cli_process("serve", "--replay", str(recording), "--port", "0") as proc:
        line = _first_line(proc)
        assert line.startswith("Replaying ")
        url = line.rsplit(": ", 1)[1].strip()
        recorded = [f.data().decode() for f in load_recording(recording).server_frames()]
        with sync_connect(url, additional_headers={"Authorization": "Bearer sk-x"}) as ws:
            first = ws.recv(timeout=5)
            assert first == recorded[0]
            for frame in load_recording(recording).client_frames():
                ws.send(frame.data().decode())
            got = [first] + [ws.recv(timeout=5) for _ in recorded[1:]]
        assert got == recorded


def test_proxy_relays_and_records(tmp_path: Path) -> None:
    with (
        Simulator().run_in_thread() as sim,
        cli_process(
            "proxy", "--port", "0", "--upstream", sim.ws_base_url, "--record", str(tmp_path)
        ) as proc,
    ):
        line = _first_line(proc)
        assert line.startswith("Recording proxy: ")
        url = line.split(": ", 1)[1].split(" -> ")[0].strip()
        with sync_connect(
            url + "?model=m", additional_headers={"Authorization": "Bearer sk-p"}
        ) as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "session.created"
    files = list(tmp_path.glob("proxy-*.jsonl"))
    assert len(files) == 1
    assert b"sk-p" not in files[0].read_bytes()


def test_proxy_refuses_a_bad_upstream(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["proxy", "--port", "0", "--upstream", "ftp://x", "--record", str(tmp_path)]) == 2
    assert "ws://, wss://" in capsys.readouterr().err
