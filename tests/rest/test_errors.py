"""Failures over real loopback HTTP: auth, rate limits, server errors, timeouts, refused
connections; and the key never showing up in an error, a repr or a log."""

from __future__ import annotations

import logging
import socket
import time

import anyio
import pytest

from realtime_bus.protocol import RealtimeBusError, RealtimeSession
from realtime_bus.rest import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RealtimeAPI,
    RetryPolicy,
    SyncRealtimeAPI,
)
from realtime_bus.testing import Simulator
from realtime_bus.testing._rest import SimulatedRest

from .conftest import API_KEY, FAST_RETRY

SESSION = RealtimeSession(model="gpt-realtime")


def _everything_said_about(error: BaseException) -> str:
    """Every text an error exposes, down its chain."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        parts += [str(current), repr(current), *map(repr, current.args), repr(vars(current))]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


async def test_a_wrong_key_is_401_and_the_key_is_never_shown(
    sim: Simulator, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = "sk-wrong-SECRETVALUE-123456"
    caplog.set_level(logging.DEBUG)
    async with RealtimeAPI(api_key=wrong, base_url=sim.http_url, retry=FAST_RETRY) as api:
        assert wrong not in repr(api)
        with pytest.raises(APIError) as info:
            await api.client_secrets.create(session=SESSION)
    error = info.value
    assert isinstance(error, RealtimeBusError)
    assert error.status == 401
    assert error.code == "invalid_api_key"
    assert error.attempts == 1
    assert error.request_id is not None
    assert wrong not in _everything_said_about(error)
    assert wrong not in caplog.text
    assert wrong not in capsys.readouterr().out


async def test_a_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        RealtimeAPI()
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        SyncRealtimeAPI(api_key="")


async def test_the_key_and_base_url_come_from_the_environment(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", sim.http_url)
    async with RealtimeAPI() as api:
        assert api.base_url == sim.http_url
        secret = await api.client_secrets.create()
    assert secret.value.startswith("ek_")
    monkeypatch.delenv("OPENAI_BASE_URL")
    async with RealtimeAPI() as default:
        assert default.base_url == "https://api.openai.com/v1"


async def test_429_is_retried_after_the_servers_retry_after(
    api: RealtimeAPI, rest: SimulatedRest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="realtime_bus.rest")
    rest.faults.fail_next(429, retry_after=0.3)
    started = time.monotonic()
    secret = await api.client_secrets.create(session=SESSION)
    waited = time.monotonic() - started
    assert secret.value.startswith("ek_")
    assert [r.status for r in rest.requests] == [429, 200]
    assert waited >= 0.29  # the backoff alone would have waited 0.01 s
    assert "rest.retry" in caplog.text
    assert rest.requests[0].request_id in caplog.text
    assert API_KEY not in caplog.text


async def test_429_gives_up_after_max_retries_with_the_last_request_id(
    api: RealtimeAPI, rest: SimulatedRest
) -> None:
    rest.faults.fail_next(429, count=10)
    with pytest.raises(APIError) as info:
        await api.calls.hangup("rtc_whatever")
    error = info.value
    assert error.status == 429
    assert error.attempts == 3
    assert error.code == "rate_limit_exceeded"
    assert error.error is not None
    assert error.error.type == "requests"
    assert len(rest.requests) == 3
    assert error.request_id == rest.requests[-1].request_id


async def test_a_retry_after_beyond_the_limit_is_not_waited_for(
    sim: Simulator, rest: SimulatedRest
) -> None:
    policy = RetryPolicy(max_retries=3, max_retry_after=1.0)
    async with RealtimeAPI(api_key=API_KEY, base_url=sim.http_url, retry=policy) as api:
        rest.faults.fail_next(429, retry_after=120)
        with pytest.raises(APIError) as info:
            await api.client_secrets.create()
    assert info.value.status == 429
    assert info.value.attempts == 1


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried(
    api: RealtimeAPI, rest: SimulatedRest, status: int
) -> None:
    rest.faults.fail_next(status, count=2)
    secret = await api.client_secrets.create()
    assert secret.value.startswith("ek_")
    assert [r.status for r in rest.requests] == [status, status, 200]


async def test_a_persistent_server_error(api: RealtimeAPI, rest: SimulatedRest) -> None:
    rest.faults.fail_next(500, count=3, message="Boom.")
    with pytest.raises(APIError) as info:
        await api.client_secrets.create()
    assert info.value.status == 500
    assert info.value.attempts == 3
    assert "Boom." in str(info.value)
    assert info.value.error is not None
    assert info.value.error.type == "server_error"


async def test_no_retries_when_turned_off(sim: Simulator, rest: SimulatedRest) -> None:
    async with RealtimeAPI(api_key=API_KEY, base_url=sim.http_url, max_retries=0) as api:
        rest.faults.fail_next(503)
        with pytest.raises(APIError) as info:
            await api.client_secrets.create()
    assert info.value.attempts == 1
    assert len(rest.requests) == 1


async def test_a_slow_answer_times_out(sim: Simulator, rest: SimulatedRest) -> None:
    async with RealtimeAPI(
        api_key=API_KEY, base_url=sim.http_url, timeout=0.2, max_retries=0
    ) as api:
        rest.faults.delay_next(1.0)
        with pytest.raises(APITimeoutError) as info:
            await api.client_secrets.create()
    error = info.value
    assert isinstance(error, APIConnectionError)
    assert isinstance(error, APIError)
    assert error.status is None
    assert error.attempts == 1
    assert "timed out" in str(error)
    assert error.__cause__ is None
    assert error.__context__ is None  # the httpx2 error holds the request and its key
    assert API_KEY not in _everything_said_about(error)


async def test_a_timeout_is_retried(sim: Simulator, rest: SimulatedRest) -> None:
    policy = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.01)
    async with RealtimeAPI(
        api_key=API_KEY, base_url=sim.http_url, timeout=0.3, retry=policy
    ) as api:
        rest.faults.delay_next(1.0)
        secret = await api.client_secrets.create()
    assert secret.value.startswith("ek_")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_an_unreachable_server_is_a_connection_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    async with RealtimeAPI(api_key=API_KEY, base_url=url, retry=FAST_RETRY) as api:
        with pytest.raises(APIConnectionError) as info:
            await api.calls.hangup("rtc_1")
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.attempts == 3
    assert "could not reach the server" in str(info.value)
    assert info.value.__context__ is None
    assert API_KEY not in _everything_said_about(info.value)


def test_the_blocking_client_retries_and_fails_the_same_way() -> None:
    with (
        Simulator(api_key=API_KEY).run_in_thread() as sim,
        SyncRealtimeAPI(api_key=API_KEY, base_url=sim.http_url, retry=FAST_RETRY) as api,
    ):
        from realtime_bus.testing._rest import rest_of

        rest = sim.call(rest_of, sim)
        sim.call(rest.faults.fail_next, 503)
        assert api.client_secrets.create().value.startswith("ek_")
        with pytest.raises(APIError) as info:
            api.calls.accept("rtc_unknown", session=SESSION)
        assert info.value.status == 404
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    with (
        SyncRealtimeAPI(api_key=API_KEY, base_url=url, retry=FAST_RETRY) as offline,
        pytest.raises(APIConnectionError) as refused,
    ):
        offline.calls.hangup("rtc_1")
    assert refused.value.attempts == 3
    assert refused.value.__context__ is None


async def test_a_body_that_does_not_fit_is_an_api_error(sim: Simulator) -> None:
    # The simulator answers unknown paths with a 404 error body; a 200 with the wrong shape
    # needs a server that misbehaves: a route registered by the test.
    from realtime_bus.testing import HttpRequest, HttpResponse

    async def broken(_request: HttpRequest) -> HttpResponse:
        return HttpResponse.json({"value": 42})

    sim.http_routes.add("POST", "/broken/v1/realtime/client_secrets", broken)
    base = sim.http_url.replace("/v1", "/broken/v1")
    async with RealtimeAPI(api_key=API_KEY, base_url=base) as api:
        with pytest.raises(APIError, match="unexpected response") as info:
            await api.client_secrets.create()
    assert info.value.status == 200


async def test_many_concurrent_requests_share_one_client(
    api: RealtimeAPI, rest: SimulatedRest
) -> None:
    results: list[str] = []

    async def one() -> None:
        results.append((await api.client_secrets.create()).value)

    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(one)
    assert len(set(results)) == 20
    assert len(rest.requests) == 20
