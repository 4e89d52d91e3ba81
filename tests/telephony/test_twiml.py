"""The voice webhook (TwiML, signatures, limits) and mounting the bridge in FastAPI."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from xml.etree import ElementTree

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from realtime_bus.telephony.twilio import (
    connect_stream_twiml,
    twilio_signature,
    valid_signature,
)
from realtime_bus.testing import Simulator, synthesize_speech

from ._fake_twilio import FakeTwilio
from .conftest import Bridge, Calls, Served, make_app

FORM = {"CallSid": "CA123", "From": "+15550100", "To": "+15550199", "AccountSid": "AC1"}


def _stream(xml: str) -> tuple[str, dict[str, str]]:
    root = ElementTree.fromstring(xml)
    stream = root.find("./Connect/Stream")
    assert stream is not None
    params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
    return stream.get("url", ""), params


def test_twiml_escapes_what_it_carries() -> None:
    xml = connect_stream_twiml("wss://x/media?a=1&b=2", {"note": '<"hi">'})
    url, params = _stream(xml)
    assert url == "wss://x/media?a=1&b=2"
    assert params == {"note": '<"hi">'}


def test_signature_known_vector() -> None:
    # HMAC-SHA1 over the URL then the sorted fields (name, value), base64; the value was
    # checked once against the RequestValidator of Twilio's Python helper library
    signature = twilio_signature("token", "https://example.com/voice", [("b", "2"), ("a", "1")])
    assert signature == "yY6pYZNfDyJDCOEoXHOVB0ZWIdA="
    assert valid_signature(
        "token", signature, "https://example.com/voice", [("a", "1"), ("b", "2")]
    )
    assert not valid_signature("token", signature, "https://example.com/voice", [("a", "9")])
    assert not valid_signature("token", None, "https://example.com/voice")


async def test_voice_webhook_answers_connect_stream(bridge: Bridge) -> None:
    async with httpx.AsyncClient(base_url=bridge.http_url) as client:
        response = await client.post("/twilio/voice", data=FORM)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
        url, params = _stream(response.text)
        assert url == bridge.media_url
        assert params == {"From": "+15550100", "To": "+15550199"}
        forwarded = await client.post(
            "/twilio/voice",
            data=FORM,
            headers={"x-forwarded-proto": "https", "host": "calls.example"},
        )
        assert _stream(forwarded.text)[0] == "wss://calls.example/twilio/media"
        assert (await client.get("/twilio/voice")).status_code == 405
        assert (await client.post("/elsewhere")).status_code == 404
        too_big = await client.post("/twilio/voice", content=b"x=" + b"y" * 70_000)
        assert too_big.status_code == 413


async def test_signatures_are_checked_when_a_token_is_given(sim: Simulator) -> None:
    app = make_app(sim, Calls(), auth_token="secret-token", public_url="https://calls.example")
    assert "secret-token" not in repr(app)
    with Served(app) as served:
        base = served.http_url()
        async with httpx.AsyncClient(base_url=base) as client:
            bad = await client.post("/twilio/voice", data=FORM, headers={"x-twilio-signature": "x"})
            assert bad.status_code == 403
            signature = twilio_signature(
                "secret-token", "https://calls.example/twilio/voice", FORM.items()
            )
            good = await client.post(
                "/twilio/voice", data=FORM, headers={"x-twilio-signature": signature}
            )
            assert good.status_code == 200
            assert _stream(good.text)[0] == "wss://calls.example/twilio/media"
        import websockets

        with pytest.raises(websockets.InvalidStatus):
            await websockets.connect(served.ws_url("/twilio/media"))
        ws_signature = twilio_signature("secret-token", "wss://calls.example/twilio/media")
        async with websockets.connect(
            served.ws_url("/twilio/media"),
            additional_headers={"x-twilio-signature": ws_signature},
        ):
            pass


@pytest.fixture
def mounted(sim: Simulator) -> Iterator[tuple[Served, Calls]]:
    calls = Calls()
    api = FastAPI()
    api.mount("/phone", make_app(sim, calls))

    @api.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    with Served(api) as served:
        yield served, calls


async def test_mounted_in_fastapi(mounted: tuple[Served, Calls]) -> None:
    served, calls = mounted
    base = served.http_url()
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        response = await client.post("/phone/voice", data=FORM)
        url, params = _stream(response.text)
    assert url == served.ws_url("/phone/media")
    async with FakeTwilio(url, parameters=params) as phone:
        await phone.say(synthesize_speech("mounted and working"), speed=4)
        await phone.wait_until(lambda: phone.heard() == "You said: mounted and working", timeout=15)
    assert calls.parameters[phone.call_sid] == params
    assert urllib.parse.urlparse(url).path == "/phone/media"
