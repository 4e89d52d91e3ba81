"""Endpoints and credentials: what URL and headers a bus would connect with (no socket)."""

from __future__ import annotations

import pytest

from realtime_bus import Bus, MissingCredentials
from realtime_bus.transport import azure_endpoint, endpoint_for_url, openai_endpoint


def test_openai_reads_the_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    endpoint = openai_endpoint(model="gpt-realtime")
    assert endpoint.url == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    assert endpoint.headers["Authorization"] == "Bearer sk-env-key"


def test_missing_key_is_a_clear_error_before_any_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingCredentials, match="OPENAI_API_KEY"):
        Bus.openai(model="gpt-realtime")


def test_base_url_overrides_and_call_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    endpoint = openai_endpoint(api_key="k", base_url="http://127.0.0.1:9/v1", call_id="rtc_1")
    assert endpoint.url == "ws://127.0.0.1:9/v1/realtime?call_id=rtc_1"
    endpoint = openai_endpoint(
        model="m",
        api_key="k",
        base_url="https://ignored.example/v1",
        websocket_base_url="wss://127.0.0.1:9/v1/",
        extra_query={"foo": "bar"},
        extra_headers={"X-Extra": "1"},
    )
    assert endpoint.url == "wss://127.0.0.1:9/v1/realtime?model=m&foo=bar"
    assert endpoint.headers["X-Extra"] == "1"


def test_bus_openai_with_call_id_does_not_name_a_model() -> None:
    bus = Bus.openai(api_key="k", websocket_base_url="ws://127.0.0.1:9/v1", call_id="rtc_9")
    assert bus.endpoint.url == "ws://127.0.0.1:9/v1/realtime?call_id=rtc_9"


def test_azure_ga_and_preview_paths() -> None:
    ga = azure_endpoint(endpoint="https://res.openai.azure.com", deployment="rt", api_key="az")
    assert ga.url == "wss://res.openai.azure.com/openai/v1/realtime?model=rt"
    assert ga.headers["api-key"] == "az"
    preview = azure_endpoint(
        endpoint="https://res.openai.azure.com/",
        deployment="rt",
        api_version="2025-04-01-preview",
        api_key="az",
    )
    assert preview.url == (
        "wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt"
    )


async def test_azure_token_provider_is_asked_on_every_connect() -> None:
    calls = []

    async def provider() -> str:
        calls.append(1)
        return f"token-{len(calls)}"

    endpoint = azure_endpoint(endpoint="https://r.example", deployment="d", token_provider=provider)
    assert (await endpoint.resolve_headers())["Authorization"] == "Bearer token-1"
    assert (await endpoint.resolve_headers())["Authorization"] == "Bearer token-2"
    assert "api-key" not in endpoint.headers


def test_azure_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingCredentials):
        Bus.azure(endpoint="https://r.example", deployment="d")


def test_secrets_stay_out_of_reprs() -> None:
    endpoint = endpoint_for_url("ws://127.0.0.1:1/v1/realtime", api_key="sk-very-secret")
    bus = Bus(endpoint=endpoint)
    assert "sk-very-secret" not in repr(endpoint)
    assert "sk-very-secret" not in repr(bus)
    assert "sk-very-secret" not in endpoint.safe_url


def test_url_must_be_a_websocket_or_http_url() -> None:
    with pytest.raises(ValueError, match="ws://"):
        Bus("ftp://127.0.0.1/x")


def test_configuration_errors_are_one_family_and_still_value_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from realtime_bus import ConfigurationError, ReconnectPolicy

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert issubclass(MissingCredentials, ConfigurationError)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        Bus.openai(model="gpt-realtime")
    with pytest.raises(ConfigurationError, match="ws://, wss://"):
        Bus("ftp://example.invalid/v1/realtime", api_key="sk-test")
    with pytest.raises(ConfigurationError, match="header name"):
        Bus("ws://127.0.0.1:1/v1/realtime", api_key="sk-test", headers={"Bad\r\nName": "x"})
    with pytest.raises(ConfigurationError, match="inbound_maxsize"):
        Bus("ws://127.0.0.1:1/v1/realtime", api_key="sk-test", inbound_maxsize=1)
    with pytest.raises(ValueError, match="jitter"):  # still a ValueError for older callers
        ReconnectPolicy(jitter=2.0)
