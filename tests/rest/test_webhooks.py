"""Verifying and decoding incoming webhooks (Standard Webhooks scheme)."""

from __future__ import annotations

import base64
import json
import threading
import time

import msgspec
import pytest
from openai import OpenAI

from realtime_bus.rest import (
    MemorySeenWebhooks,
    RealtimeCallIncoming,
    UnknownWebhookEvent,
    WebhookError,
    WebhookPayloadError,
    WebhookReplayError,
    WebhookSignatureError,
    WebhookTimestampError,
    WebhookVerifier,
    generate_webhook_secret,
)

SECRET = generate_webhook_secret()

INCOMING = {
    "id": "evt_abc123",
    "object": "event",
    "type": "realtime.call.incoming",
    "created_at": 1719168000,
    "data": {
        "call_id": "rtc_479a275623b54bdb9b6fbae2f7cbd408",
        "sip_headers": [
            {"name": "Max-Forwards", "value": "63"},
            {"name": "From", "value": "<sip:+14155550123@sip.example>;tag=1"},
            {"name": "CSeq", "value": "851287 INVITE"},
        ],
    },
}


@pytest.fixture
def verifier() -> WebhookVerifier:
    return WebhookVerifier(SECRET)


def _body(payload: object = INCOMING) -> bytes:
    return json.dumps(payload).encode()


def test_a_signed_incoming_call_is_decoded(verifier: WebhookVerifier) -> None:
    body = _body()
    event = verifier.unwrap(body, verifier.sign(body))
    assert isinstance(event, RealtimeCallIncoming)
    assert event.type == "realtime.call.incoming"
    assert event.id == "evt_abc123"
    assert event.call_id == "rtc_479a275623b54bdb9b6fbae2f7cbd408"
    assert [h.name for h in event.sip_headers] == ["Max-Forwards", "From", "CSeq"]
    assert event.sip_header("from") == "<sip:+14155550123@sip.example>;tag=1"
    assert event.sip_header("X-Missing") is None


def test_headers_are_matched_case_insensitively(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = {k.title(): v for k, v in verifier.sign(body).items()}
    assert isinstance(verifier.unwrap(body.decode(), headers), RealtimeCallIncoming)


def test_other_event_types_come_back_raw(verifier: WebhookVerifier) -> None:
    payload = {"id": "evt_1", "type": "response.completed", "created_at": 1, "data": {"id": "r"}}
    body = _body(payload)
    event = verifier.unwrap(body, verifier.sign(body))
    assert isinstance(event, UnknownWebhookEvent)
    assert (event.type, event.data) == ("response.completed", {"id": "r"})


def test_our_signature_is_accepted_by_the_openai_package(verifier: WebhookVerifier) -> None:
    body = _body()
    client = OpenAI(api_key="sk-test", webhook_secret=SECRET)
    client.webhooks.verify_signature(body, verifier.sign(body))
    event = client.webhooks.unwrap(body, verifier.sign(body))
    assert event.type == "realtime.call.incoming"


def test_a_wrong_secret_is_a_signature_error(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = WebhookVerifier(generate_webhook_secret()).sign(body)
    with pytest.raises(WebhookSignatureError, match="does not verify"):
        verifier.unwrap(body, headers)


def test_a_changed_body_is_a_signature_error(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = verifier.sign(body)
    tampered = body.replace(b"rtc_479a", b"rtc_479b")
    with pytest.raises(WebhookSignatureError):
        verifier.unwrap(tampered, headers)


def test_a_changed_webhook_id_is_a_signature_error(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = {**verifier.sign(body), "webhook-id": "wh_other"}
    with pytest.raises(WebhookSignatureError):
        verifier.verify(body, headers)


def test_one_good_signature_among_several_is_enough(verifier: WebhookVerifier) -> None:
    # Secret rotation: the sender signs with the old and the new secret.
    body = _body()
    headers = verifier.sign(body, webhook_id="wh_1", timestamp=time.time())
    other = WebhookVerifier(generate_webhook_secret()).sign(
        body, webhook_id="wh_1", timestamp=int(headers["webhook-timestamp"])
    )
    both = f"{other['webhook-signature']} {headers['webhook-signature']}"
    verifier.verify(body, {**headers, "webhook-signature": both})


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-signature"])
def test_missing_signature_headers(verifier: WebhookVerifier, missing: str) -> None:
    body = _body()
    headers = verifier.sign(body)
    del headers[missing]
    with pytest.raises(WebhookSignatureError, match=missing):
        verifier.verify(body, headers)


@pytest.mark.parametrize("signature", ["garbage", "v1,a,b", "v1,%%%notbase64", "v2,AAAA"])
def test_malformed_signatures(verifier: WebhookVerifier, signature: str) -> None:
    body = _body()
    headers = {**verifier.sign(body), "webhook-signature": signature}
    with pytest.raises(WebhookSignatureError):
        verifier.verify(body, headers)


def test_a_stale_timestamp_is_refused_even_when_signed(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = verifier.sign(body, timestamp=time.time() - 301)
    with pytest.raises(WebhookTimestampError, match="replay"):
        verifier.verify(body, headers)


def test_a_future_timestamp_is_refused(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = verifier.sign(body, timestamp=time.time() + 400)
    with pytest.raises(WebhookTimestampError, match="future"):
        verifier.verify(body, headers)


def test_a_tighter_tolerance(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = verifier.sign(body, timestamp=time.time() - 60)
    verifier.verify(body, headers)
    with pytest.raises(WebhookTimestampError):
        WebhookVerifier(SECRET, tolerance=30).verify(body, headers)


@pytest.mark.parametrize("timestamp", [None, "", "yesterday", "1.5e9"])
def test_missing_or_unreadable_timestamps(verifier: WebhookVerifier, timestamp: str | None) -> None:
    body = _body()
    headers = verifier.sign(body)
    if timestamp is None:
        del headers["webhook-timestamp"]
    else:
        headers["webhook-timestamp"] = timestamp
    with pytest.raises(WebhookTimestampError):
        verifier.verify(body, headers)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({**INCOMING, "data": {"sip_headers": []}}).encode(),
        json.dumps({**INCOMING, "created_at": "yesterday"}).encode(),
        json.dumps({"id": "evt_1", "created_at": 1}).encode(),
    ],
)
def test_malformed_bodies_are_payload_errors(verifier: WebhookVerifier, body: bytes) -> None:
    with pytest.raises(WebhookPayloadError, match="malformed webhook body"):
        verifier.unwrap(body, verifier.sign(body))


def test_a_body_that_is_not_utf8(verifier: WebhookVerifier) -> None:
    body = b'{"id": "\xff"}'
    headers = verifier.sign("x")
    with pytest.raises(WebhookPayloadError, match="UTF-8"):
        verifier.verify(body, headers)


def test_the_three_errors_are_distinct_webhook_errors() -> None:
    kinds = {WebhookSignatureError, WebhookTimestampError, WebhookPayloadError}
    assert all(issubclass(kind, WebhookError) for kind in kinds)
    assert not any(issubclass(a, b) for a in kinds for b in kinds if a is not b)


def test_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    body = _body()
    assert isinstance(
        WebhookVerifier().unwrap(body, WebhookVerifier(SECRET).sign(body)), RealtimeCallIncoming
    )


def test_no_secret_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValueError, match="OPENAI_WEBHOOK_SECRET"):
        WebhookVerifier()


def test_a_broken_secret_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="whsec_") as info:
        WebhookVerifier("whsec_!!!not-base64-at-all!!!x")
    assert "not-base64" not in str(info.value)


def test_unprefixed_secrets_work_like_the_scheme_says() -> None:
    raw = base64.b64encode(b"k" * 32).decode()
    body = _body()
    headers = WebhookVerifier("whsec_" + raw).sign(body)
    assert isinstance(WebhookVerifier(raw).unwrap(body, headers), RealtimeCallIncoming)


def test_the_secret_is_not_in_the_repr(verifier: WebhookVerifier) -> None:
    assert SECRET not in repr(verifier)
    assert SECRET.removeprefix("whsec_") not in repr(verifier)


def test_tolerance_is_bounded() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        WebhookVerifier(SECRET, tolerance=0)
    with pytest.raises(ValueError, match="tolerance"):
        WebhookVerifier(SECRET, tolerance=3600)


def test_the_event_encodes_back_to_the_wire_shape(verifier: WebhookVerifier) -> None:
    body = _body()
    event = verifier.unwrap(body, verifier.sign(body))
    assert msgspec.json.decode(msgspec.json.encode(event)) == INCOMING


def test_a_signed_deeply_nested_body_is_a_payload_error(verifier: WebhookVerifier) -> None:
    depth = 100_000
    body = '{"type":"x","id":"evt_1","created_at":1,"data":' + "[" * depth + "]" * depth + "}"
    with pytest.raises(WebhookPayloadError, match="nested too deeply"):
        verifier.unwrap(body, verifier.sign(body))


def test_a_replayed_delivery_is_refused(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = verifier.sign(body)
    assert isinstance(verifier.unwrap(body, headers), RealtimeCallIncoming)
    with pytest.raises(WebhookReplayError, match="already accepted"):
        verifier.unwrap(body, headers)
    with pytest.raises(WebhookReplayError):
        verifier.verify(body, headers)
    # Another delivery of the same event has its own id and is accepted.
    assert isinstance(verifier.unwrap(body, verifier.sign(body)), RealtimeCallIncoming)


def test_a_forged_delivery_does_not_block_the_real_one(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = verifier.sign(body, webhook_id="wh_chosen")
    forged = {**headers, "webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}
    with pytest.raises(WebhookSignatureError):
        verifier.unwrap(body, forged)
    assert isinstance(verifier.unwrap(body, headers), RealtimeCallIncoming)


def test_the_replay_check_can_be_turned_off_or_shared() -> None:
    body = _body()
    off = WebhookVerifier(SECRET, seen=None)
    headers = off.sign(body)
    off.unwrap(body, headers)
    off.unwrap(body, headers)

    shared = MemorySeenWebhooks()
    first, second = WebhookVerifier(SECRET, seen=shared), WebhookVerifier(SECRET, seen=shared)
    first.unwrap(body, headers)
    with pytest.raises(WebhookReplayError):
        second.unwrap(body, headers)
    assert len(shared) == 1
    with pytest.raises(TypeError, match="add"):
        WebhookVerifier(SECRET, seen=object())  # type: ignore[arg-type]


def test_a_replay_error_is_a_webhook_error() -> None:
    assert issubclass(WebhookReplayError, WebhookError)
    assert not issubclass(WebhookReplayError, WebhookSignatureError)


def test_the_memory_store_forgets_after_the_window_and_stays_bounded() -> None:
    store = MemorySeenWebhooks(max_entries=3)
    now = [1000.0]
    store._clock = lambda: now[0]
    assert store.add("a", 10.0)
    assert not store.add("a", 10.0)
    now[0] += 11.0
    assert store.add("a", 10.0)  # expired, so it is a first delivery again
    for name in "bcde":
        assert store.add(name, 10.0)
    assert len(store) == 3
    assert store.add("a", 10.0)  # pushed out by newer ones
    with pytest.raises(ValueError, match="at least 1"):
        MemorySeenWebhooks(max_entries=0)


def test_concurrent_deliveries_of_one_id_are_accepted_once(verifier: WebhookVerifier) -> None:
    body = _body()
    headers = verifier.sign(body)
    outcomes: list[str] = []

    def deliver() -> None:
        try:
            verifier.unwrap(body, headers)
            outcomes.append("accepted")
        except WebhookReplayError:
            outcomes.append("replay")

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(outcomes) == ["accepted"] + ["replay"] * 7
