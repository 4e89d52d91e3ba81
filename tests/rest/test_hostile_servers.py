"""A server that echoes the request back, and ids that try to leave their resource."""

from __future__ import annotations

import httpx2
import pytest

from realtime_bus._secrets import credential_values, scrub
from realtime_bus.rest import APIError, RealtimeAPI, SyncRealtimeAPI
from realtime_bus.testing import HttpRequest, HttpResponse, Simulator
from realtime_bus.testing._rest import SimulatedRest

from .conftest import API_KEY, FAST_RETRY


def _echo_routes(sim: Simulator, *, as_json: bool) -> str:
    """Routes that answer 400 with every request header repeated in the message; returns the
    origin they live under (``/v1`` for OpenAI, ``/openai/v1`` for Azure below it)."""

    async def echo(request: HttpRequest) -> HttpResponse:
        seen = "; ".join(f"{name}: {value}" for name, value in request.headers)
        message = f"bad request, you sent {seen}"
        if as_json:
            return HttpResponse.json({"error": {"message": message, "type": "x"}}, status=400)
        return HttpResponse.text(message, status=400)

    for prefix in ("/echo/v1", "/echo/openai/v1"):
        sim.http_routes.add("POST", f"{prefix}/realtime/client_secrets", echo)
    return sim.http_url.removesuffix("/v1") + "/echo"


def _all_text(error: BaseException) -> str:
    parts = [str(error), repr(error), *map(repr, error.args), repr(vars(error))]
    if isinstance(error, APIError) and error.error is not None:
        parts.append(repr(error.error))
    return "\n".join(parts)


@pytest.mark.parametrize("as_json", [True, False], ids=["json-error", "text-body"])
async def test_a_server_that_echoes_the_key_does_not_put_it_in_the_error(
    sim: Simulator, as_json: bool
) -> None:
    base = _echo_routes(sim, as_json=as_json) + "/v1"
    async with RealtimeAPI(api_key=API_KEY, base_url=base, retry=FAST_RETRY) as api:
        with pytest.raises(APIError) as info:
            await api.client_secrets.create()
    text = _all_text(info.value)
    assert info.value.status == 400
    assert "you sent" in text  # the message is kept...
    assert API_KEY not in text  # ...without the key
    assert "authorization: <redacted>" in text


async def test_an_azure_key_echoed_back_is_scrubbed(sim: Simulator) -> None:
    azure_key = "0123456789abcdef0123456789abcdef"  # Azure keys have no recognisable shape
    base = _echo_routes(sim, as_json=True)
    async with RealtimeAPI.azure(api_key=azure_key, endpoint=base, retry=FAST_RETRY) as api:
        with pytest.raises(APIError) as info:
            await api.client_secrets.create()
    assert azure_key not in _all_text(info.value)


async def test_a_token_from_a_provider_echoed_back_is_scrubbed(sim: Simulator) -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.entra-token-value.signature"
    base = _echo_routes(sim, as_json=False)
    async with RealtimeAPI.azure(
        token_provider=lambda: token,
        endpoint=base,
        retry=FAST_RETRY,
    ) as api:
        with pytest.raises(APIError) as info:
            await api.client_secrets.create()
    assert token not in _all_text(info.value)


def test_the_blocking_client_scrubs_the_same_way() -> None:
    with Simulator(api_key=API_KEY).run_in_thread() as sim:
        base = sim.call(lambda: _echo_routes(sim, as_json=True)) + "/v1"
        with (
            SyncRealtimeAPI(api_key=API_KEY, base_url=base, retry=FAST_RETRY) as api,
            pytest.raises(APIError) as info,
        ):
            api.client_secrets.create()
    assert API_KEY not in _all_text(info.value)


def test_scrub_redacts_shapes_it_was_not_told_about() -> None:
    text = "keys: sk-proj-abcdefgh12345678 ek_68af2b1c9d3e4f5a and Bearer abc.def-ghi, ok"
    cleaned = scrub(text)
    assert "sk-proj-abcdefgh12345678" not in cleaned
    assert "ek_68af2b1c9d3e4f5a" not in cleaned
    assert "abc.def-ghi" not in cleaned
    assert cleaned.endswith(", ok")
    assert scrub("a task-list and skills") == "a task-list and skills"


def test_credential_values_finds_bare_bearer_tokens() -> None:
    headers = [("Authorization", "Bearer tok-123456789"), ("Accept", "x"), ("api-key", "k" * 32)]
    assert credential_values(headers) == ["Bearer tok-123456789", "tok-123456789", "k" * 32]


@pytest.mark.parametrize("call_id", [".", ".."])
async def test_a_call_id_that_is_a_path_step_is_refused(
    api: RealtimeAPI, rest: SimulatedRest, call_id: str
) -> None:
    before = len(rest.requests)
    with pytest.raises(ValueError, match="relative path step"):
        await api.calls.hangup(call_id)
    with pytest.raises(ValueError, match="relative path step"):
        await api.calls.reject(call_id)
    assert len(rest.requests) == before  # nothing was sent anywhere


async def test_call_ids_with_slashes_stay_inside_the_calls_resource(sim: Simulator) -> None:
    sent: list[bytes] = []

    async def record(request: httpx2.Request) -> None:
        sent.append(request.url.raw_path)

    async with (
        httpx2.AsyncClient(event_hooks={"request": [record]}) as http,
        RealtimeAPI(api_key=API_KEY, base_url=sim.http_url, http_client=http) as api,
    ):
        with pytest.raises(APIError) as info:
            await api.calls.hangup("../../x")
    assert info.value.status == 404
    assert sent == [b"/v1/realtime/calls/..%2F..%2Fx/hangup"]
