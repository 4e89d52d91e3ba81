"""Client secrets against the simulator: our clients, the openai package, and the WebSocket."""

from __future__ import annotations

import json
import time

import msgspec
import pytest
import websockets
from openai import AsyncOpenAI

from realtime_bus import Bus
from realtime_bus.protocol import (
    AudioConfig,
    AudioInputConfig,
    AudioOutputConfig,
    RealtimeSession,
    SessionUpdated,
    TranscriptionConfig,
    TranscriptionSession,
    TranscriptionSessionAudio,
    TranslationAudio,
    TranslationAudioOutput,
)
from realtime_bus.rest import (
    APIError,
    ClientSecret,
    ExpiresAfter,
    RealtimeAPI,
    SyncRealtimeAPI,
    TranslationSessionRequest,
)
from realtime_bus.testing import Simulator
from realtime_bus.testing._rest import SimulatedRest

from .conftest import API_KEY

SESSION = RealtimeSession(
    model="gpt-realtime",
    instructions="You are a concierge.",
    audio=AudioConfig(output=AudioOutputConfig(voice="cedar")),
)


async def _first_event(sim: Simulator, key: str) -> dict[str, object]:
    async with websockets.connect(
        sim.url + "?model=gpt-realtime", additional_headers={"Authorization": f"Bearer {key}"}
    ) as ws:
        event: dict[str, object] = json.loads(await ws.recv())
        return event


async def test_create_returns_a_typed_secret(api: RealtimeAPI) -> None:
    before = time.time()
    secret = await api.client_secrets.create(session=SESSION, expires_after=120)
    assert isinstance(secret, ClientSecret)
    assert secret.value.startswith("ek_")
    assert before + 119 <= secret.expires_at <= time.time() + 121
    assert isinstance(secret.session, RealtimeSession)
    assert secret.session.instructions == "You are a concierge."
    assert isinstance(secret.session.audio, AudioConfig)
    assert isinstance(secret.session.audio.output, AudioOutputConfig)
    assert secret.session.audio.output.voice == "cedar"
    assert isinstance(secret.session.id, str)
    assert secret.session.id.startswith("sess_")


async def test_the_secret_opens_a_websocket_with_its_session(
    api: RealtimeAPI, sim: Simulator
) -> None:
    secret = await api.client_secrets.create(session=SESSION)
    event = await _first_event(sim, secret.value)
    assert event["type"] == "session.created"
    session = event["session"]
    assert isinstance(session, dict)
    assert session["instructions"] == "You are a concierge."
    assert session["audio"]["output"]["voice"] == "cedar"


async def test_unknown_and_expired_secrets_are_refused(api: RealtimeAPI, sim: Simulator) -> None:
    with pytest.raises(websockets.InvalidStatus) as unknown:
        await _first_event(sim, "ek_never_issued")
    assert unknown.value.response.status_code == 401
    secret = await api.client_secrets.create(
        session=SESSION, expires_after=ExpiresAfter(seconds=10)
    )
    issued = sim.client_secrets.get(secret.value)
    assert issued is not None
    issued.expires_at = int(time.time()) - 1  # as if its ten seconds had passed
    with pytest.raises(websockets.InvalidStatus) as expired:
        await _first_event(sim, secret.value)
    assert expired.value.response.status_code == 401


async def test_defaults_when_nothing_is_asked(api: RealtimeAPI, sim: Simulator) -> None:
    secret = await api.client_secrets.create()
    assert isinstance(secret.session, RealtimeSession)
    assert secret.session.model == sim.model
    assert secret.expires_at == pytest.approx(time.time() + 600, abs=5)


async def test_a_transcription_secret(api: RealtimeAPI) -> None:
    session = TranscriptionSession(
        audio=TranscriptionSessionAudio(
            input=AudioInputConfig(transcription=TranscriptionConfig(model="gpt-4o-transcribe"))
        )
    )
    secret = await api.client_secrets.create(session=session)
    assert isinstance(secret.session, TranscriptionSession)
    assert isinstance(secret.session.audio, TranscriptionSessionAudio)
    assert isinstance(secret.session.audio.input, AudioInputConfig)
    assert secret.session.audio.input.transcription == TranscriptionConfig(
        model="gpt-4o-transcribe"
    )


async def test_a_translation_secret(api: RealtimeAPI) -> None:
    session = TranslationSessionRequest(
        model="gpt-realtime-translate",
        audio=TranslationAudio(output=TranslationAudioOutput(language="es")),
    )
    secret = await api.translations.client_secrets.create(session=session, expires_after=60)
    assert secret.value.startswith("ek_")
    assert secret.session.type == "translation"
    assert secret.session.model == "gpt-realtime-translate"
    assert isinstance(secret.session.audio.output, TranslationAudioOutput)
    assert secret.session.audio.output.language == "es"


async def test_the_request_body_leaves_unset_fields_out(
    api: RealtimeAPI, rest: SimulatedRest
) -> None:
    await api.client_secrets.create(session=RealtimeSession(model="gpt-realtime"))
    await api.client_secrets.create(
        session=RealtimeSession(model="gpt-realtime", audio=AudioConfig(input=None)),
        expires_after=30,
    )
    first, second = rest.requests
    assert first.path == "/v1/realtime/client_secrets"
    assert json.loads(first.body) == {"session": {"type": "realtime", "model": "gpt-realtime"}}
    assert json.loads(second.body) == {
        "session": {"type": "realtime", "model": "gpt-realtime", "audio": {"input": None}},
        "expires_after": {"seconds": 30, "anchor": "created_at"},
    }


async def test_an_out_of_range_ttl_fails_before_sending(
    api: RealtimeAPI, rest: SimulatedRest
) -> None:
    with pytest.raises(msgspec.ValidationError, match=r"ExpiresAfter.*seconds"):
        await api.client_secrets.create(session=SESSION, expires_after=5)
    with pytest.raises(msgspec.ValidationError, match="seconds"):
        ExpiresAfter(seconds=7201)
    assert rest.requests == []


async def test_a_session_the_server_refuses_names_the_parameter(api: RealtimeAPI) -> None:
    bad = RealtimeSession(audio=AudioConfig(output=AudioOutputConfig(speed=3.0)))
    with pytest.raises(APIError) as info:
        await api.client_secrets.create(session=bad)
    assert info.value.status == 400
    assert info.value.error is not None
    assert info.value.error.param == "session.audio.output.speed"
    assert info.value.attempts == 1


async def test_the_openai_package_gets_secrets_from_the_simulator(sim: Simulator) -> None:
    client = AsyncOpenAI(api_key=API_KEY, base_url=sim.http_url, max_retries=0)
    try:
        secret = await client.realtime.client_secrets.create(
            session={"type": "realtime", "model": "gpt-realtime", "instructions": "Hi there."},
            expires_after={"anchor": "created_at", "seconds": 300},
        )
        assert secret.value.startswith("ek_")
        assert secret.session.type == "realtime"
        assert secret.session.instructions == "Hi there."
        translation = await client.realtime.translations.client_secrets.create(
            session={"model": "gpt-realtime-translate", "audio": {"output": {"language": "fr"}}}
        )
        assert translation.session.audio.output is not None
        assert translation.session.audio.output.language == "fr"
    finally:
        await client.close()
    event = await _first_event(sim, secret.value)
    assert event["type"] == "session.created"


def test_the_blocking_client() -> None:
    with (
        Simulator(api_key=API_KEY).run_in_thread() as sim,
        SyncRealtimeAPI(api_key=API_KEY, base_url=sim.http_url) as api,
    ):
        secret = api.client_secrets.create(session=SESSION, expires_after=60)
        assert secret.value.startswith("ek_")
        assert isinstance(secret.session, RealtimeSession)
        assert secret.session.instructions == "You are a concierge."
        translation = api.translations.client_secrets.create(
            session=TranslationSessionRequest(model="gpt-realtime-translate")
        )
        assert translation.session.model == "gpt-realtime-translate"


async def test_a_bus_connects_with_the_ephemeral_key(api: RealtimeAPI, sim: Simulator) -> None:
    secret = await api.client_secrets.create(session=SESSION)
    async with Bus(url=sim.url, api_key=secret.value) as bus:
        updated = await bus.session.update(RealtimeSession(output_modalities=["text"]), wait=True)
    assert isinstance(updated, SessionUpdated)
    assert isinstance(updated.session, RealtimeSession)
    assert updated.session.instructions == "You are a concierge."
    assert sim.history[-1].client_secret == secret.value
