"""WebRTC call creation and SIP call control against the simulator."""

from __future__ import annotations

import json

import anyio
import msgspec
import pytest
import websockets
from openai import AsyncOpenAI

from realtime_bus.protocol import RealtimeSession
from realtime_bus.rest import APIError, CreatedCall, RealtimeAPI, SyncRealtimeAPI
from realtime_bus.testing import SimulatedCall, Simulator
from realtime_bus.testing._rest import SimulatedRest

from .conftest import API_KEY, FAST_RETRY

OFFER = (
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
)
AGENT = RealtimeSession(model="gpt-realtime", instructions="You answer the phone.")


def _ringing(sim: Simulator) -> SimulatedCall:
    return sim.calls.create(sip_headers=[("From", "<sip:+15550100@example.net>")])


def _state(call: SimulatedCall) -> str:
    return call.state  # read through a call: the state changes behind the type checker's back


async def _attach(sim: Simulator, call_id: str) -> websockets.ClientConnection:
    return await websockets.connect(
        f"{sim.url}?call_id={call_id}", additional_headers={"Authorization": f"Bearer {API_KEY}"}
    )


async def test_create_returns_the_answer_and_the_call_id(
    api: RealtimeAPI, sim: Simulator, rest: SimulatedRest
) -> None:
    call = await api.calls.create(sdp=OFFER, session=AGENT)
    assert isinstance(call, CreatedCall)
    assert call.call_id.startswith("rtc_")
    assert call.sdp.startswith("v=0")
    assert "m=audio" in call.sdp
    assert "m=application" in call.sdp
    registered = sim.calls.get(call.call_id)
    assert registered is not None
    assert registered.state == "accepted"
    assert registered.session is not None
    assert registered.session.instructions == "You answer the phone."
    assert rest.requests[-1].status == 201


async def test_create_with_an_ephemeral_key_uses_its_session(
    api: RealtimeAPI, sim: Simulator
) -> None:
    secret = await api.client_secrets.create(session=AGENT)
    async with RealtimeAPI(api_key=secret.value, base_url=sim.http_url) as browser:
        call = await browser.calls.create(sdp=OFFER)
    registered = sim.calls.get(call.call_id)
    assert registered is not None
    assert registered.session is not None
    assert registered.session.instructions == "You answer the phone."


async def test_an_ephemeral_key_cannot_do_the_rest(api: RealtimeAPI, sim: Simulator) -> None:
    secret = await api.client_secrets.create(session=AGENT)
    async with RealtimeAPI(api_key=secret.value, base_url=sim.http_url) as browser:
        with pytest.raises(APIError) as info:
            await browser.calls.accept(_ringing(sim).call_id, session=AGENT)
    assert info.value.status == 401


async def test_a_bad_offer(api: RealtimeAPI) -> None:
    with pytest.raises(ValueError, match="sdp"):
        await api.calls.create(sdp="  ")
    with pytest.raises(APIError) as info:
        await api.calls.create(sdp="hello")
    assert info.value.status == 400
    assert info.value.error is not None
    assert info.value.error.param == "sdp"


async def test_accept_then_attach_then_hang_up(api: RealtimeAPI, sim: Simulator) -> None:
    call = _ringing(sim)
    await api.calls.accept(call.call_id, session=AGENT)
    assert _state(call) == "accepted"
    ws = await _attach(sim, call.call_id)
    created = json.loads(await ws.recv())
    assert created["type"] == "session.created"
    assert created["session"]["instructions"] == "You answer the phone."
    await api.calls.hangup(call.call_id)
    assert _state(call) == "ended"
    with anyio.fail_after(5):
        await ws.wait_closed()
    assert ws.close_code == 1000
    with pytest.raises(APIError) as again:
        await api.calls.hangup(call.call_id)
    assert again.value.status == 409


async def test_accept_sends_the_session_as_the_body(
    api: RealtimeAPI, sim: Simulator, rest: SimulatedRest
) -> None:
    await api.calls.accept(_ringing(sim).call_id, session=AGENT)
    assert json.loads(rest.requests[-1].body) == {
        "type": "realtime",
        "model": "gpt-realtime",
        "instructions": "You answer the phone.",
    }


async def test_reject(api: RealtimeAPI, sim: Simulator, rest: SimulatedRest) -> None:
    busy, declined = _ringing(sim), _ringing(sim)
    await api.calls.reject(busy.call_id, status_code=486)
    await api.calls.reject(declined.call_id)
    assert (busy.state, busy.reject_status) == ("rejected", 486)
    assert (declined.state, declined.reject_status) == ("rejected", 603)
    assert json.loads(rest.requests[-1].body) == {}
    with pytest.raises(APIError) as info:
        await api.calls.accept(busy.call_id, session=AGENT)
    assert info.value.status == 409


async def test_refer_transfers_an_accepted_call(api: RealtimeAPI, sim: Simulator) -> None:
    call = _ringing(sim)
    with pytest.raises(APIError) as early:
        await api.calls.refer(call.call_id, target_uri="tel:+14155550123")
    assert early.value.status == 409
    await api.calls.accept(call.call_id, session=AGENT)
    await api.calls.refer(call.call_id, target_uri="tel:+14155550123")
    assert (call.state, call.refer_to) == ("referred", "tel:+14155550123")


async def test_refer_needs_a_target(api: RealtimeAPI, sim: Simulator) -> None:
    with pytest.raises(msgspec.ValidationError):
        await api.calls.refer(_ringing(sim).call_id, target_uri="")


@pytest.mark.parametrize("action", ["accept", "reject", "refer", "hangup"])
async def test_unknown_calls_are_404(api: RealtimeAPI, action: str) -> None:
    calls = api.calls
    requests = {
        "accept": lambda: calls.accept("rtc_unknown", session=AGENT),
        "reject": lambda: calls.reject("rtc_unknown"),
        "refer": lambda: calls.refer("rtc_unknown", target_uri="sip:agent@example.com"),
        "hangup": lambda: calls.hangup("rtc_unknown"),
    }
    with pytest.raises(APIError) as info:
        await requests[action]()
    error = info.value
    assert error.status == 404
    assert error.code == "call_not_found"
    assert "rtc_unknown" in str(error)
    assert error.request_id is not None
    assert error.request_id in str(error)
    assert error.attempts == 1  # a 404 is not retried


async def test_an_empty_call_id_is_refused_before_sending(api: RealtimeAPI) -> None:
    with pytest.raises(ValueError, match="call_id"):
        await api.calls.hangup("")


async def test_the_openai_package_controls_calls_on_the_simulator(sim: Simulator) -> None:
    client = AsyncOpenAI(api_key=API_KEY, base_url=sim.http_url, max_retries=0)
    try:
        answer = await client.realtime.calls.create(
            sdp=OFFER, session={"type": "realtime", "model": "gpt-realtime"}
        )
        assert answer.text.startswith("v=0")
        sip, busy = _ringing(sim), _ringing(sim)
        await client.realtime.calls.accept(
            sip.call_id, type="realtime", model="gpt-realtime", instructions="Hello."
        )
        assert sip.session is not None
        assert sip.session.instructions == "Hello."
        await client.realtime.calls.refer(sip.call_id, target_uri="sip:agent@example.com")
        assert sip.refer_to == "sip:agent@example.com"
        await client.realtime.calls.reject(busy.call_id, status_code=486)
        assert busy.reject_status == 486
        webrtc = next(c for c in sim.calls if c.call_id not in (sip.call_id, busy.call_id))
        await client.realtime.calls.hangup(webrtc.call_id)
        assert webrtc.state == "ended"
    finally:
        await client.close()


def test_the_blocking_client_controls_calls() -> None:
    with (
        Simulator(api_key=API_KEY).run_in_thread() as sim,
        SyncRealtimeAPI(api_key=API_KEY, base_url=sim.http_url, retry=FAST_RETRY) as api,
    ):
        created = api.calls.create(sdp=OFFER, session=AGENT)
        call = sim.call(sim.calls.create)
        api.calls.accept(call.call_id, session=AGENT)
        api.calls.refer(call.call_id, target_uri="tel:+14155550123")
        api.calls.hangup(created.call_id)
        rejected = sim.call(sim.calls.create)
        api.calls.reject(rejected.call_id, status_code=486)
        assert (call.state, rejected.state) == ("referred", "rejected")
        with pytest.raises(APIError) as info:
            api.calls.hangup("rtc_unknown")
        assert info.value.status == 404
