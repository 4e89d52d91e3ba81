"""The whole incoming SIP call: signed webhook to a real HTTP app, accept, attach, hang up."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
import pytest
import websockets
from openai import OpenAI
from starlette.requests import Request

from realtime_bus.protocol import RealtimeSession
from realtime_bus.rest import (
    RealtimeAPI,
    RealtimeCallIncoming,
    WebhookError,
    WebhookEvent,
    WebhookSignatureError,
    generate_webhook_secret,
)
from realtime_bus.testing import Simulator
from realtime_bus.testing._rest import SimulatedRest

from ._receiver import webhook_receiver
from .conftest import API_KEY

AGENT = RealtimeSession(model="gpt-realtime", instructions="You run the front desk.")


@dataclass
class PhoneApp:
    """What the application saw: verified events and refused requests."""

    url: str
    events: list[RealtimeCallIncoming] = field(default_factory=list)
    refused: list[WebhookError] = field(default_factory=list)


@pytest.fixture
async def phone_app(api: RealtimeAPI, rest: SimulatedRest) -> AsyncIterator[PhoneApp]:
    app = PhoneApp(url="")

    async def on_event(body: bytes, request: Request, event: WebhookEvent) -> None:
        # The openai package accepts the simulator's signature too.
        OpenAI(api_key="unused", webhook_secret=rest.webhook_secret).webhooks.verify_signature(
            body, dict(request.headers)
        )
        assert isinstance(event, RealtimeCallIncoming)
        app.events.append(event)
        await api.calls.accept(event.call_id, session=AGENT)

    async with webhook_receiver(api, rest.webhook_secret, app.refused, on_event) as url:
        app.url = url
        yield app


async def test_a_call_is_announced_accepted_attached_and_hung_up(
    api: RealtimeAPI, sim: Simulator, rest: SimulatedRest, phone_app: PhoneApp
) -> None:
    placed = await rest.place_call(phone_app.url, caller="+14155550123")
    assert placed.webhook_status == 200
    (event,) = phone_app.events
    assert event.call_id == placed.call_id
    assert event.id.startswith("evt_")
    from_header = event.sip_header("From")
    assert from_header is not None
    assert "+14155550123" in from_header
    assert placed.call.state == "accepted"

    async with websockets.connect(
        f"{sim.url}?call_id={event.call_id}",
        additional_headers={"Authorization": f"Bearer {API_KEY}"},
    ) as ws:
        created = json.loads(await ws.recv())
        assert created["session"]["instructions"] == "You run the front desk."
        assert sim.connections[-1].call_id == event.call_id
        await api.calls.hangup(event.call_id)
        with anyio.fail_after(5):
            await ws.wait_closed()
        assert ws.close_code == 1000
    assert str(placed.call.state) == "ended"  # changed by the hangup, behind mypy's back


async def test_custom_sip_headers_reach_the_app(rest: SimulatedRest, phone_app: PhoneApp) -> None:
    headers = [("From", "<sip:alice@example.net>"), ("X-Account", "42")]
    await rest.place_call(phone_app.url, sip_headers=headers)
    (event,) = phone_app.events
    assert [(h.name, h.value) for h in event.sip_headers] == headers
    assert event.sip_header("x-account") == "42"


async def test_a_webhook_with_a_bad_signature_is_refused(
    rest: SimulatedRest, phone_app: PhoneApp
) -> None:
    placed = await rest.place_call(phone_app.url, secret=generate_webhook_secret())
    assert placed.webhook_status == 400
    assert phone_app.events == []
    (refusal,) = phone_app.refused
    assert isinstance(refusal, WebhookSignatureError)
    assert placed.call.state == "ringing"


async def test_a_forged_request_without_headers_is_refused(
    rest: SimulatedRest, phone_app: PhoneApp
) -> None:
    import httpx2

    async with httpx2.AsyncClient() as client:
        response = await client.post(phone_app.url, content=b'{"type":"realtime.call.incoming"}')
    assert response.status_code == 400
    assert "webhook-id" in response.text
    assert phone_app.events == []
