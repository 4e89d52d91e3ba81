"""Azure OpenAI endpoints: the v1 paths, the api-key header, Entra token providers."""

from __future__ import annotations

import pytest

from realtime_bus.protocol import RealtimeSession
from realtime_bus.rest import APIError, RealtimeAPI, SyncRealtimeAPI
from realtime_bus.testing import Simulator
from realtime_bus.testing._rest import SimulatedRest, rest_of

from .conftest import API_KEY, FAST_RETRY

OFFER = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


def _endpoint(sim: Simulator) -> str:
    return f"http://{sim.host}:{sim.port}/"


async def test_an_api_key_goes_to_the_v1_api(sim: Simulator, rest: SimulatedRest) -> None:
    api = RealtimeAPI.azure(endpoint=_endpoint(sim), api_key=API_KEY, api_version="preview")
    async with api:
        assert api.base_url == f"http://{sim.host}:{sim.port}/openai/v1"
        secret = await api.client_secrets.create(session=RealtimeSession(model="my-deployment"))
        call = await api.calls.create(sdp=OFFER)
        await api.calls.hangup(call.call_id)
    assert isinstance(secret.session, RealtimeSession)
    assert secret.session.model == "my-deployment"
    assert [r.path for r in rest.requests] == [
        "/openai/v1/realtime/client_secrets",
        "/openai/v1/realtime/calls",
        f"/openai/v1/realtime/calls/{call.call_id}/hangup",
    ]
    assert all(r.query == {"api-version": "preview"} for r in rest.requests)


async def test_no_api_version_sends_no_query(sim: Simulator, rest: SimulatedRest) -> None:
    async with RealtimeAPI.azure(endpoint=_endpoint(sim) + "openai/v1", api_key=API_KEY) as api:
        await api.client_secrets.create()
    assert rest.requests[-1].query == {}


async def test_a_wrong_azure_key_is_refused(sim: Simulator) -> None:
    async with RealtimeAPI.azure(endpoint=_endpoint(sim), api_key="wrong-key-value") as api:
        with pytest.raises(APIError) as info:
            await api.client_secrets.create()
    assert info.value.status == 401
    assert "wrong-key-value" not in str(info.value)


async def test_a_token_provider_is_asked_before_every_attempt(
    sim: Simulator, rest: SimulatedRest
) -> None:
    asked: list[int] = []

    async def token() -> str:
        asked.append(1)
        return API_KEY  # the simulator accepts its key as a bearer token

    api = RealtimeAPI.azure(endpoint=_endpoint(sim), token_provider=token, retry=FAST_RETRY)
    async with api:
        rest.faults.fail_next(503)
        await api.client_secrets.create()
    assert len(asked) == 2
    assert [r.status for r in rest.requests] == [503, 200]


async def test_a_plain_function_works_as_provider_too(sim: Simulator) -> None:
    async with RealtimeAPI.azure(endpoint=_endpoint(sim), token_provider=lambda: API_KEY) as api:
        await api.client_secrets.create()


async def test_a_provider_returning_nothing_is_a_clear_error(sim: Simulator) -> None:
    async with RealtimeAPI.azure(endpoint=_endpoint(sim), token_provider=lambda: "") as api:
        with pytest.raises(ValueError, match="token_provider"):
            await api.client_secrets.create()


async def test_settings_from_the_environment(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", _endpoint(sim))
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", API_KEY)
    async with RealtimeAPI.azure() as api:
        secret = await api.client_secrets.create()
    assert secret.value.startswith("ek_")


def test_configuration_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    with pytest.raises(ValueError, match="AZURE_OPENAI_ENDPOINT"):
        RealtimeAPI.azure(api_key="k")
    with pytest.raises(ValueError, match="AZURE_OPENAI_API_KEY"):
        RealtimeAPI.azure(endpoint="https://x.openai.azure.com")
    with pytest.raises(ValueError, match="not both"):
        RealtimeAPI.azure(
            endpoint="https://x.openai.azure.com", api_key="k", token_provider=lambda: "t"
        )
    with pytest.raises(ValueError, match="not both"):
        RealtimeAPI(api_key="k", max_retries=1, retry=FAST_RETRY)


def test_the_blocking_client_on_azure() -> None:
    with Simulator(api_key=API_KEY).run_in_thread() as sim:
        with SyncRealtimeAPI.azure(
            endpoint=_endpoint(sim), token_provider=lambda: API_KEY, api_version="preview"
        ) as api:
            assert api.client_secrets.create().value.startswith("ek_")
        requests = sim.call(lambda: list(rest_of(sim).requests))
    assert requests[-1].path == "/openai/v1/realtime/client_secrets"
    assert requests[-1].query == {"api-version": "preview"}
