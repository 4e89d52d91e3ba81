"""No credential reaches a recording, whichever way it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtime_bus import Bus, ConnectOptions
from realtime_bus.recording import Recorder, load_recording, safe_url
from realtime_bus.recording._secrets import SecretSet
from realtime_bus.testing import Simulator
from realtime_bus.transport import Endpoint

pytestmark = pytest.mark.anyio

KEY = "sk-proj-SECRETKEY0123456789abcdef"


async def _record(sim: Simulator, path: Path, bus: Bus, echo: str | None = None) -> bytes:
    async with bus:
        if echo is not None:
            await bus.session.update(instructions=f"the key is {echo}", wait=True)
    assert bus.recorder is not None
    return _complete(path)


def _complete(path: Path) -> bytes:
    data = path.read_bytes()
    assert b'"kind":"close"' in data  # a complete recording
    load_recording(path)  # and a valid one
    return data


def _bus(form: str, sim: Simulator, path: Path, key: str) -> Bus:
    query = {"model": "gpt-realtime"}

    async def provider() -> str:
        return KEY

    forms = {
        "bearer api_key": lambda: Bus(sim.url, api_key=key, query=query, record=path),
        "azure api-key header": lambda: Bus(
            sim.url, headers={"api-key": key}, query=query, record=path
        ),
        "ephemeral key": lambda: Bus(sim.url, api_key=key, query=query, record=path),
        "key in the query": lambda: Bus(
            sim.url, api_key="sk-other-key-123", query={**query, "api_key": key}, record=path
        ),
        "token provider": lambda: Bus(
            endpoint=Endpoint(url=sim.url + "?model=gpt-realtime", token_provider=provider),
            record=path,
        ),
        "key subprotocol": lambda: Bus(
            sim.url,
            query=query,
            options=ConnectOptions(
                websocket_options={"subprotocols": ["realtime", f"openai-insecure-api-key.{key}"]}
            ),
            record=path,
        ),
    }
    return forms[form]()


@pytest.mark.parametrize(
    "form",
    [
        "bearer api_key",
        "azure api-key header",
        "ephemeral key",
        "key in the query",
        "token provider",
        "key subprotocol",
    ],
)
async def test_no_credential_form_reaches_the_recording(tmp_path: Path, form: str) -> None:
    path = tmp_path / "session.jsonl"
    async with Simulator() as sim:
        key = sim.client_secrets.issue().value if form == "ephemeral key" else KEY
        bus = _bus(form, sim, path, key)
        # The key also travels in a frame (the app put it in its instructions).
        data = await _record(sim, path, bus, echo=key)
        received = sim.history[-1].received
    assert key.encode() not in data
    assert key[-12:].encode() not in data
    assert b"[redacted]" in data  # the echoed key was replaced, not dropped
    assert any(key in str(e) for e in received)  # it did cross the wire
    assert key not in repr(bus.recorder)


def test_userinfo_and_query_credentials_never_reach_the_header(tmp_path: Path) -> None:
    path = tmp_path / "session.jsonl"
    url = f"ws://user:{KEY}@127.0.0.1:9/v1/realtime?model=m&key={KEY}"
    bus = Bus(url, api_key="sk-other-key-123", record=path)
    assert bus.recorder is not None
    bus.recorder.close()
    data = path.read_bytes()
    assert KEY.encode() not in data
    assert load_recording(path).header.url == "ws://127.0.0.1:9/v1/realtime?model=m"


def test_the_url_keeps_what_was_asked_for_and_nothing_else() -> None:
    url = f"wss://u:{KEY}@example.com:8443/v1/realtime?model=m&api_key={KEY}&call_id=c&sig=xyz"
    assert safe_url(url) == "wss://example.com:8443/v1/realtime?model=m&call_id=c"


def test_a_recorder_redacts_secrets_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    recorder = Recorder(path, url="ws://x/v1/realtime", headers={"Authorization": f"Bearer {KEY}"})
    recorder.frame("out", f'{{"type":"x","k":"{KEY}"}}')
    recorder.frame("in", f"not json {KEY}".encode())
    recorder.close()
    data = path.read_bytes()
    assert KEY.encode() not in data
    assert data.count(b"[redacted]") == 2


def test_gathered_frames_are_redacted_in_both_directions(tmp_path: Path) -> None:
    # The bus's taps gather decoded frames for a batch; the scan happens before they are kept.
    path = tmp_path / "r.jsonl"
    recorder = Recorder(path, url="ws://x/v1/realtime", headers={"Authorization": f"Bearer {KEY}"})
    event = object()  # any decoded event that is not audio-only
    recorder.received(f'{{"type":"a","text":"Bearer {KEY}"}}'.encode(), event)
    recorder.sent(f'{{"type":"b","text":"{KEY[:-1]}"}}'.encode(), event)
    recorder.received(f'{{"type":"c","text":"..{KEY}.."}}'.encode(), event)
    recorder.close()
    data = path.read_bytes()
    assert KEY.encode() not in data
    assert data.count(b"[redacted]") == 2  # the bearer form whole, then the bare key
    assert KEY[:-1].encode() in data  # a near miss is not a secret
    frames = load_recording(path).frames
    assert [(f.dir, f.data()[:13]) for f in frames] == [
        ("in", b'{"type":"a","'),
        ("out", b'{"type":"b","'),
        ("in", b'{"type":"c","'),
    ]


def test_the_scan_finds_every_secret_through_the_shortest_ones() -> None:
    secrets = SecretSet()
    secrets.add_all(["Bearer abcdefgh", "xyzxyzxyz", "abcdefgh-longer"])
    # "abcdefgh" (from the bearer value) is inside the other two: they need no search of their own.
    assert set(secrets.probe) == {b"abcdefgh", b"xyzxyzxyz"}
    assert secrets.scrub(b"abcdefgh-longer Bearer abcdefgh xyzxyzxyz abcdefg") == (
        b"[redacted] [redacted] [redacted] abcdefg"
    )
    assert secrets.scrub(b"nothing here") == b"nothing here"


def test_a_batch_scan_redacts_the_frames_the_reader_gathered(tmp_path: Path) -> None:
    # As the bus's reader hands frames over: each appended with its time, the place of each
    # frame that may hold text noted for the batch's scan; batches of several sizes, a secret
    # in some frames only, one frame as text.
    from realtime_bus.protocol import ResponseOutputAudioDelta

    path = tmp_path / "r.jsonl"
    recorder = Recorder(path, url="ws://x/v1/realtime", headers={"Authorization": f"Bearer {KEY}"})
    gather = recorder.gathering()
    assert gather is not None
    expected = []
    for n in range(1000):
        if n % 3 == 0:  # an audio delta: no scan
            frame = b'{"type":"response.output_audio.delta","delta":"AAAA"}'
            kind: type = ResponseOutputAudioDelta
        else:
            text = f"key {KEY} again" if n % 97 == 1 else f"turn {n}"
            frame = f'{{"type":"response.output_text.delta","delta":"{text}"}}'.encode()
            kind = object
        if n == 500:
            frame = frame.decode()  # type: ignore[assignment]  # a text frame, not bytes
        if kind not in gather.quick:
            gather.scan.append(len(gather.frames))
        gather.frames.append(frame)
        gather.frames.append(float(n))
        if len(gather.frames) >= gather.full:
            gather.flush()
        expected.append(frame.encode() if isinstance(frame, str) else frame)
    recorder.close()
    data = path.read_bytes()
    assert KEY.encode() not in data
    got = [f.data() for f in load_recording(path).frames]
    assert got == [f.replace(KEY.encode(), b"[redacted]") for f in expected]
    assert sum(b"[redacted]" in f for f in got) == len(
        [n for n in range(1000) if n % 97 == 1 and n % 3]
    )
