"""The GPT-Live REST endpoints against the simulator, with our clients and the openai package."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from openai import AsyncOpenAI, OpenAI
from openai.types.live import LiveCreateResponse, SessionForkResponse
from openai.types.webhooks import LiveTransportIncomingWebhookEvent
from starlette.requests import Request

from realtime_bus.protocol.live import SessionConfig
from realtime_bus.rest import (
    APIError,
    LiveAcceptSession,
    LiveForkSession,
    LiveMediaSession,
    LiveTransportIncoming,
    LiveWebRTCSession,
    RealtimeAPI,
    SyncRealtimeAPI,
    WakePolicy,
    WebhookError,
    WebhookEvent,
)
from realtime_bus.testing import Simulator
from realtime_bus.testing._rest import SimulatedRest

from ._receiver import webhook_receiver
from .conftest import API_KEY, FAST_RETRY

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
AGENT = LiveAcceptSession(model="gpt-live-1", instructions="You answer the phone.")


async def test_create_starts_a_webrtc_session(api: RealtimeAPI, rest: SimulatedRest) -> None:
    created = await api.live.create(
        session=LiveMediaSession(
            model="gpt-live-1",
            instructions="Be brief.",
            idle_timeout_s=30,
            wake_policy=WakePolicy(vad_threshold=0.6),
        ),
        sdp=OFFER,
    )
    assert isinstance(created, LiveWebRTCSession)
    assert created.session_id.startswith("sess_")
    assert created.sdp.startswith("v=0")
    stored = rest.live.get(created.session_id)
    assert stored is not None
    assert stored.transport == "webrtc"
    assert stored.config is not None
    assert stored.config.instructions == "Be brief."
    assert rest.requests[-1].path == "/v1/live/sessions"


async def test_a_plain_session_start_configuration_works_too(api: RealtimeAPI) -> None:
    created = await api.live.create(session=SessionConfig(model="gpt-live-1"), sdp=OFFER)
    assert created.session_id.startswith("sess_")


async def test_the_openai_package_creates_forks_and_downloads(
    sim: Simulator, rest: SimulatedRest
) -> None:
    client = AsyncOpenAI(api_key=API_KEY, base_url=sim.http_url)
    created = await client.live.create(
        session={"model": "gpt-live-1", "store": True},
        transport={"type": "webrtc", "sdp": OFFER},
    )
    LiveCreateResponse.model_validate(created.model_dump(), strict=True)
    session = rest.live.get(created.session.id)
    assert session is not None
    session.recording += bytes(4800)  # 0.1 s of audio the session carried
    forked = await client.live.sessions.fork(
        created.session.id, transport={"type": "webrtc", "sdp": OFFER}
    )
    SessionForkResponse.model_validate(forked.model_dump(), strict=True)
    assert forked.session.id != created.session.id
    content = await client.live.sessions.download_recording(created.session.id)
    with wave.open(io.BytesIO(content.content)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getnframes()) == (24_000, 1, 2400)
    await client.close()


async def test_only_stored_sessions_fork_or_have_content(
    api: RealtimeAPI, rest: SimulatedRest
) -> None:
    plain = await api.live.create(session=LiveMediaSession(model="gpt-live-1"), sdp=OFFER)
    with pytest.raises(APIError) as fork:
        await api.live.sessions.fork(plain.session_id, sdp=OFFER)
    assert (fork.value.status, fork.value.code) == (400, "session_not_stored")
    with pytest.raises(APIError) as content:
        await api.live.sessions.download_recording(plain.session_id)
    assert content.value.status == 404

    stored = await api.live.create(
        session=LiveMediaSession(model="gpt-live-1", store=True, instructions="Keep it."),
        sdp=OFFER,
    )
    child = await api.live.sessions.fork(
        stored.session_id, sdp=OFFER, session=LiveForkSession(store=False)
    )
    forked = rest.live.get(child.session_id)
    assert forked is not None
    assert forked.parent_id == stored.session_id
    assert forked.config is not None
    assert forked.config.instructions == "Keep it."  # inherited
    assert forked.config.store is False  # overridden
    recording = await api.live.sessions.download_recording(stored.session_id)
    assert recording.startswith(b"RIFF")


async def test_unknown_sessions_and_bad_offers(api: RealtimeAPI) -> None:
    with pytest.raises(APIError) as missing:
        await api.live.sessions.hangup("sess_nope")
    assert (missing.value.status, missing.value.code) == (404, "session_not_found")
    with pytest.raises(APIError) as bad_offer:
        await api.live.create(session=LiveMediaSession(model="gpt-live-1"), sdp="not sdp")
    assert bad_offer.value.status == 400
    with pytest.raises(ValueError, match="non-empty SDP"):
        await api.live.create(session=LiveMediaSession(model="gpt-live-1"), sdp=" ")
    with pytest.raises(ValueError, match="relative path step"):
        await api.live.sessions.hangup("..")


async def test_retries_apply_to_live_endpoints(api: RealtimeAPI, rest: SimulatedRest) -> None:
    rest.faults.fail_next(503)
    created = await api.live.create(session=LiveMediaSession(model="gpt-live-1"), sdp=OFFER)
    assert created.session_id.startswith("sess_")
    assert [r.status for r in rest.requests[-2:]] == [503, 200]


@dataclass
class LivePhoneApp:
    url: str
    events: list[LiveTransportIncoming] = field(default_factory=list)
    refused: list[WebhookError] = field(default_factory=list)
    answer: str = "accept"


@pytest.fixture
async def phone_app(api: RealtimeAPI, rest: SimulatedRest) -> AsyncIterator[LivePhoneApp]:
    app = LivePhoneApp(url="")

    async def on_event(body: bytes, request: Request, event: WebhookEvent) -> None:
        # The openai package reads the same delivery as its own Live webhook event.
        parsed = OpenAI(api_key="unused", webhook_secret=rest.webhook_secret).webhooks.unwrap(
            body, dict(request.headers)
        )
        assert isinstance(parsed, LiveTransportIncomingWebhookEvent)
        assert isinstance(event, LiveTransportIncoming)
        app.events.append(event)
        if app.answer == "accept":
            await api.live.sessions.accept(event.session_id, session=AGENT)
        else:
            await api.live.sessions.reject(event.session_id, status_code=486)

    async with webhook_receiver(api, rest.webhook_secret, app.refused, on_event) as url:
        app.url = url
        yield app


async def test_a_live_phone_call_is_announced_accepted_referred(
    api: RealtimeAPI, rest: SimulatedRest, phone_app: LivePhoneApp
) -> None:
    placed = await rest.live.place_call(phone_app.url, caller="+14155550123")
    assert placed.webhook_status == 200
    (event,) = phone_app.events
    assert event.session_id == placed.session_id
    assert event.sip_header("from") is not None
    assert "+14155550123" in (event.sip_header("From") or "")
    assert placed.session.state == "active"
    assert placed.session.config is not None
    assert placed.session.config.instructions == "You answer the phone."
    with pytest.raises(APIError) as twice:
        await api.live.sessions.accept(placed.session_id, session=AGENT)
    assert (twice.value.status, twice.value.code) == (409, "session_state_conflict")
    await api.live.sessions.refer(placed.session_id, target_uri="tel:+14155550199")
    assert placed.session.state == "referred"
    assert placed.session.refer_to == "tel:+14155550199"


async def test_a_live_phone_call_rejected_and_hung_up(
    api: RealtimeAPI, rest: SimulatedRest, phone_app: LivePhoneApp
) -> None:
    phone_app.answer = "reject"
    placed = await rest.live.place_call(phone_app.url)
    assert placed.session.state == "rejected"
    assert placed.session.reject_status == 486
    phone_app.answer = "accept"
    second = await rest.live.place_call(phone_app.url)
    await api.live.sessions.hangup(second.session_id)
    assert second.session.state == "ended"
    with pytest.raises(APIError) as bad_code:
        await api.live.sessions.reject(second.session_id, status_code=200)
    assert bad_code.value.status == 400


async def test_a_forged_live_webhook_is_refused(
    rest: SimulatedRest, phone_app: LivePhoneApp
) -> None:
    from realtime_bus.rest import generate_webhook_secret

    placed = await rest.live.place_call(phone_app.url, secret=generate_webhook_secret())
    assert placed.webhook_status == 400
    assert phone_app.events == []
    assert placed.session.state == "ringing"


async def test_webrtc_sessions_take_no_call_controls(api: RealtimeAPI) -> None:
    created = await api.live.create(session=LiveMediaSession(model="gpt-live-1"), sdp=OFFER)
    with pytest.raises(APIError) as accept:
        await api.live.sessions.accept(created.session_id, session=AGENT)
    assert (accept.value.status, accept.value.code) == (400, "invalid_session_transport")


def test_the_blocking_client_has_the_same_live_endpoints() -> None:
    with (
        Simulator(api_key=API_KEY).run_in_thread() as sim,
        SyncRealtimeAPI(api_key=API_KEY, base_url=sim.http_url, retry=FAST_RETRY) as api,
    ):
        created = api.live.create(
            session=LiveMediaSession(model="gpt-live-1", store=True), sdp=OFFER
        )
        forked = api.live.sessions.fork(created.session_id, sdp=OFFER)
        assert forked.session_id != created.session_id
        assert api.live.sessions.download_recording(created.session_id).startswith(b"RIFF")
        with pytest.raises(APIError) as missing:
            api.live.sessions.refer("sess_nope", target_uri="tel:+1")
        assert missing.value.status == 404


def test_request_bodies_are_checked_when_built() -> None:
    import msgspec

    with pytest.raises(msgspec.ValidationError, match="vad_threshold"):
        WakePolicy(vad_threshold=2.0)
    from realtime_bus.rest._live import LiveRejectRequest

    with pytest.raises(msgspec.ValidationError):
        LiveRejectRequest(status_code=42)


async def test_a_sideband_attaches_to_a_rest_session_and_hangup_ends_it(
    api: RealtimeAPI, sim: Simulator, rest: SimulatedRest, phone_app: LivePhoneApp
) -> None:
    import asyncio
    import json

    import websockets

    from realtime_bus.testing import live_of

    placed = await rest.live.place_call(phone_app.url)  # accepted by the app's webhook
    url = f"{sim.ws_base_url}/live/sessions/{placed.session_id}/attach"
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {API_KEY}"}
    ) as ws:
        running = live_of(sim).get(placed.session_id)
        assert running is not None
        assert running.config is not None
        assert running.config.instructions == "You answer the phone."
        await ws.send(json.dumps({"type": "session.update", "session": {"triggers": []}}))
        updated = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert updated["type"] == "session.updated"
        await api.live.sessions.hangup(placed.session_id)
        closed = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert (closed["type"], closed["reason"]) == ("session.closed", "remote_hangup")
        await asyncio.wait_for(ws.wait_closed(), 5)
    assert running.ended

    # An unknown or ended session is still refused.
    with pytest.raises(websockets.InvalidStatus, match="404"):
        async with websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {API_KEY}"}
        ):
            pass


async def test_a_stored_websocket_session_is_forked_and_downloaded_over_rest(
    api: RealtimeAPI, sim: Simulator
) -> None:
    import asyncio
    import base64
    import json

    import websockets

    from realtime_bus.testing import synthesize_speech

    url = f"{sim.ws_base_url}/live/sessions"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with websockets.connect(url, additional_headers=headers) as ws:
        start = {"model": "gpt-live-1", "store": True}
        await ws.send(json.dumps({"type": "session.start", "session": start}))
        started = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert started["type"] == "session.started"
        session_id = started["session"]["id"]
        speech = base64.b64encode(synthesize_speech("hello there") + bytes(48_000)).decode()
        await ws.send(json.dumps({"type": "session.input_audio.append", "audio": speech}))
        for _ in range(400):  # the answer comes after the user's turn
            event = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if event["type"] == "session.output_audio.delta":
                break
        recording = await api.live.sessions.download_recording(session_id)
        with wave.open(io.BytesIO(recording)) as wav:
            assert wav.getnframes() > 0
        forked = await api.live.sessions.fork(session_id, sdp=OFFER)
        assert forked.session_id != session_id
