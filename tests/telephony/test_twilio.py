"""The Twilio bridge end to end: a fake Twilio over a real socket, uvicorn, the simulator."""

from __future__ import annotations

import asyncio

import pytest

from realtime_bus.protocol import ConversationItemTruncate
from realtime_bus.testing import Simulator, synthesize_speech

from ._fake_twilio import FakeTwilio
from .conftest import Bridge


def _media_sent(phone: FakeTwilio) -> int:
    return sum(f["event"] == "media" for f in phone.frames)


def _marks_sent(phone: FakeTwilio) -> int:
    return sum(f["event"] == "mark" for f in phone.frames)


async def test_the_caller_is_heard_and_answered_with_media_and_marks(
    bridge: Bridge, sim: Simulator
) -> None:
    async with FakeTwilio(bridge.media_url, parameters={"From": "+15550100"}) as phone:
        await phone.say(synthesize_speech("book a table for two"), speed=4)
        answer = "You said: book a table for two"
        await phone.wait_until(lambda: phone.heard() == answer, timeout=15)
        # the last chunk's media can be heard before its mark (the next message) arrives: wait
        # until every chunk's mark has arrived and came back once played
        await phone.wait_until(lambda: _marks_sent(phone) == _media_sent(phone) and not phone.marks)
    transcripts = bridge.calls.transcripts[phone.call_sid]
    assert transcripts == ["book a table for two"]
    assert bridge.calls.parameters[phone.call_sid] == {"From": "+15550100"}
    media = [f for f in phone.frames if f["event"] == "media"]
    marks = [f for f in phone.frames if f["event"] == "mark"]
    # a mark after every chunk of media, each chunk at most 100 ms of mu-law
    assert len(marks) == len(media) >= 10
    assert [f["event"] for f in phone.frames[:2]] == ["media", "mark"]
    assert all(len(f["media"]["payload"]) <= 800 * 4 // 3 + 4 for f in media)
    # the session spoke G.711 both ways: nothing was transcoded
    session = sim.history[0]
    fmt = session.config.audio.input.format  # type: ignore[union-attr]
    assert type(fmt).__name__ == "AudioPCMU"


async def test_barge_in_clears_twilio_and_truncates_at_the_acknowledged_mark(
    bridge: Bridge, sim: Simulator
) -> None:
    async with FakeTwilio(bridge.media_url) as phone:
        await phone.say(synthesize_speech("tell me a long story please"), speed=4)
        # the reply is playing: let the caller hear about 600 ms of it, then talk over it
        await phone.wait_until(lambda: phone.played >= 600 * 8, timeout=15)
        await phone.say(synthesize_speech("stop", lead_silence_ms=0), speed=4)
        await phone.wait_until(lambda: bool(phone.clears), timeout=10)
        await phone.wait_until(lambda: len(bridge.calls.transcripts[phone.call_sid]) == 2)
        # the next turn is answered normally
        await phone.wait_until(lambda: (phone.heard() or "").endswith("You said: stop"), timeout=15)
    clear = phone.clears[0]
    session = sim.history[0]
    truncates = [e for e in session.received if isinstance(e, ConversationItemTruncate)]
    assert len(truncates) == 1
    truncate = truncates[0]
    # the truncation is exactly at a mark the phone returned as played before the clear
    # (whole milliseconds, rounded down)
    acked_ms = [pos // 8 for pos in clear.acked]
    assert truncate.audio_end_ms in acked_ms
    # ... the last one or, with one still in flight, the one before
    assert acked_ms[-1] - truncate.audio_end_ms <= 200
    assert truncate.audio_end_ms >= 500
    assert bridge.calls.transcripts[phone.call_sid] == ["tell me a long story please", "stop"]
    # Twilio returned the marks of the cleared audio; the bridge did not count them as played
    call = bridge.calls.finished.get(phone.call_sid) or bridge.app.calls.get(phone.stream_sid)
    assert call is not None
    assert call.stats.clears == 1
    assert call.stats.marks_dropped == len(phone.dropped)


async def test_dtmf_becomes_a_bus_event_and_stop_closes_the_bus(
    bridge: Bridge, sim: Simulator
) -> None:
    async with FakeTwilio(bridge.media_url) as phone:
        await phone.wait_until(lambda: bool(sim.connections))
        await phone.wait_until(lambda: phone.call_sid in bridge.calls.parameters)
        for digit in "12#":
            await phone.dtmf(digit)
        await phone.wait_until(lambda: len(bridge.calls.digits[phone.call_sid]) == 3)
        await phone.stop()
        await asyncio.wait_for(phone.closed.wait(), 10)
    assert bridge.calls.digits[phone.call_sid] == ["1", "2", "#"]
    assert phone.close_code == 1000
    await asyncio.sleep(0)
    session = sim.history[0]
    await asyncio.wait_for(_closed(session), 10)
    assert session.close_code == 1000
    assert bridge.app.calls == {}
    assert bridge.calls.finished[phone.call_sid].stats.media_in == 0


async def test_the_application_hangs_up(bridge: Bridge, sim: Simulator) -> None:
    async with FakeTwilio(bridge.media_url) as phone:
        await phone.wait_until(lambda: phone.call_sid in bridge.calls.parameters)
        await phone.dtmf("*")  # the test's on_call hangs up on "*"
        await asyncio.wait_for(phone.closed.wait(), 10)
    assert phone.close_code == 1000
    await asyncio.wait_for(_closed(sim.history[0]), 10)
    await phone.wait_until(lambda: bridge.app.calls == {})
    assert bridge.calls.finished[phone.call_sid].stats.media_in == 0


async def _closed(session: object) -> None:
    while not session.closed:  # type: ignore[attr-defined]  # noqa: ASYNC110
        await asyncio.sleep(0.01)


async def test_a_dropped_socket_closes_the_bus(bridge: Bridge, sim: Simulator) -> None:
    phone = FakeTwilio(bridge.media_url)
    await phone.__aenter__()
    await phone.wait_until(lambda: phone.call_sid in bridge.calls.parameters)
    await phone.media(b"\xff" * 160)
    phone._ws.transport.abort()  # no stop, no close frame: the line just drops
    await phone.__aexit__(None, None, None)
    session = sim.history[0]
    await asyncio.wait_for(_closed(session), 10)
    assert session.close_code == 1000
    await phone.wait_until(lambda: bridge.app.calls == {})


async def test_a_dropped_realtime_session_reconnects_without_hanging_up(
    bridge: Bridge, sim: Simulator
) -> None:
    async with FakeTwilio(bridge.media_url) as phone:
        # mid-call: the call is set up (the application's on_call has returned)
        await phone.wait_until(lambda: phone.call_sid in bridge.calls.ready)
        first = sim.history[0]
        first.abort()  # the Realtime connection drops mid-call
        await _still_answered(phone, bridge, sim)


async def test_a_drop_before_the_session_speaks_g711_does_not_hang_up(
    bridge: Bridge, sim: Simulator
) -> None:
    # The bridge's own session.update (G.711 both ways) is waiting for its answer when the
    # Realtime connection drops: the answer is held back, and the connection aborted meanwhile.
    sim.faults.frame_delay = 1.0
    async with FakeTwilio(bridge.media_url) as phone:
        first = await sim.wait_for_connection(timeout=15)
        update = await first.wait_for_client_event("session.update", timeout=15)
        assert type(update.session.audio.output.format).__name__ == "AudioPCMU"  # type: ignore[union-attr]
        sim.faults.frame_delay = 0
        first.abort()  # session.updated is still held back: it never reaches the bridge
        await _still_answered(phone, bridge, sim)


async def _still_answered(phone: FakeTwilio, bridge: Bridge, sim: Simulator) -> None:
    """The bus reconnected, the new session speaks G.711, and the caller is answered on it."""
    await phone.wait_until(lambda: len(sim.history) == 2, timeout=15)
    second = sim.history[1]
    await phone.wait_until(
        lambda: type(second.config.audio.input.format).__name__ == "AudioPCMU"  # type: ignore[union-attr]
    )
    await phone.wait_until(lambda: phone.call_sid in bridge.calls.ready, timeout=15)
    await phone.say(synthesize_speech("are you still there"), speed=4)
    await phone.wait_until(lambda: phone.heard() == "You said: are you still there", timeout=15)
    assert not phone.closed.is_set()
    assert bridge.calls.transcripts[phone.call_sid] == ["are you still there"]


async def test_many_calls_are_isolated(bridge: Bridge, sim: Simulator) -> None:
    words = ["one apple", "two bananas", "three cherries"]
    phones = [FakeTwilio(bridge.media_url) for _ in words]
    for phone in phones:
        await phone.__aenter__()
    try:
        await asyncio.gather(
            *(
                phone.say(synthesize_speech(w), speed=4)
                for phone, w in zip(phones, words, strict=True)
            )
        )
        for phone, w in zip(phones, words, strict=True):
            await phone.wait_until(lambda p=phone, w=w: p.heard() == f"You said: {w}", timeout=20)
            assert bridge.calls.transcripts[phone.call_sid] == [w]
    finally:
        for phone in phones:
            await phone.__aexit__(None, None, None)


async def test_bad_frames_are_skipped_and_the_call_goes_on(bridge: Bridge) -> None:
    async with FakeTwilio(bridge.media_url) as phone:
        await phone.wait_until(lambda: phone.call_sid in bridge.calls.parameters)
        await phone._ws.send("not json")
        await phone._ws.send('{"event": "telepathy"}')
        await phone.say(synthesize_speech("still fine"), speed=4)
        await phone.wait_until(lambda: phone.heard() == "You said: still fine", timeout=15)
        call = bridge.app.calls[phone.stream_sid]
        assert call.stats.bad_messages == 2


async def test_a_stream_that_is_not_mulaw_is_refused(bridge: Bridge) -> None:
    import json

    import websockets

    async with websockets.connect(bridge.media_url) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(
            json.dumps(
                {
                    "event": "start",
                    "streamSid": "MZ1",
                    "start": {
                        "streamSid": "MZ1",
                        "callSid": "CA1",
                        "mediaFormat": {
                            "encoding": "audio/x-l16",
                            "sampleRate": 16000,
                            "channels": 1,
                        },
                    },
                }
            )
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008
