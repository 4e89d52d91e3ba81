"""Where requests go and how they are authenticated: OpenAI or an Azure OpenAI resource.

Resolved once when a client is built, shared by the async and the blocking client. The key is
kept here and only copied into the request headers at send time; the repr hides it.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Literal, TypeAlias

import httpx2

from ._retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "AsyncTokenProvider",
    "Settings",
    "TokenProvider",
    "azure_settings",
    "openai_settings",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = httpx2.Timeout(30.0, connect=10.0)

try:
    _USER_AGENT = f"realtime-bus/{version('realtime-bus')}"
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    _USER_AGENT = "realtime-bus"

TokenProvider: TypeAlias = Callable[[], str]
"""Returns a fresh Microsoft Entra bearer token; called before every request."""

AsyncTokenProvider: TypeAlias = Callable[[], str | Awaitable[str]]
"""Like :data:`TokenProvider`, and may also be a coroutine function."""


@dataclass(slots=True, kw_only=True, repr=False, eq=False)
class Settings:
    """Everything a client needs to build a request, apart from the body."""

    base_url: str
    api_key: str | None
    key_header: Literal["authorization", "api-key"]
    token_provider: AsyncTokenProvider | None
    query: dict[str, str]
    timeout: httpx2.Timeout
    retry: RetryPolicy
    webhook_secret: str | None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    @property
    def default_headers(self) -> dict[str, str]:
        """Headers sent with every request, credentials excluded."""
        return {"user-agent": _USER_AGENT}

    def key_headers(self) -> dict[str, str]:
        """The credential header for a static key (empty with a token provider)."""
        if self.api_key is None:
            return {}
        if self.key_header == "api-key":
            return {"api-key": self.api_key}
        return {"authorization": f"Bearer {self.api_key}"}

    def __repr__(self) -> str:
        auth = "token_provider" if self.token_provider is not None else "api_key=<redacted>"
        return f"Settings(base_url={self.base_url!r}, {auth})"


def _timeout(value: float | httpx2.Timeout | None) -> httpx2.Timeout:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx2.Timeout):
        return value
    if value <= 0:
        raise ValueError(f"timeout must be positive, got {value}")
    return httpx2.Timeout(value)


def _retry(max_retries: int | None, retry: RetryPolicy | None) -> RetryPolicy:
    if retry is not None and max_retries is not None:
        raise ValueError("pass either max_retries or retry, not both")
    if retry is not None:
        return retry
    return RetryPolicy() if max_retries is None else RetryPolicy(max_retries=max_retries)


def openai_settings(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float | httpx2.Timeout | None,
    max_retries: int | None,
    retry: RetryPolicy | None,
    webhook_secret: str | None,
) -> Settings:
    """Settings for the OpenAI API (or anything that speaks it, such as the simulator)."""
    key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
    if not key:
        raise ValueError(
            "no API key: pass api_key=... or set the OPENAI_API_KEY environment variable"
        )
    return Settings(
        base_url=base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL,
        api_key=key,
        key_header="authorization",
        token_provider=None,
        query={},
        timeout=_timeout(timeout),
        retry=_retry(max_retries, retry),
        webhook_secret=webhook_secret,
    )


def azure_settings(
    *,
    endpoint: str | None,
    api_key: str | None,
    token_provider: AsyncTokenProvider | None,
    api_version: str | None,
    timeout: float | httpx2.Timeout | None,
    max_retries: int | None,
    retry: RetryPolicy | None,
    webhook_secret: str | None,
) -> Settings:
    """Settings for an Azure OpenAI resource, on its v1 API (``{endpoint}/openai/v1``).

    A key goes in the ``api-key`` header; a token provider's Entra token in
    ``Authorization: Bearer``. ``api_version`` is sent as the ``api-version`` query parameter
    when given (the v1 API needs none; ``"preview"`` opts into preview features).
    """
    if api_key is not None and token_provider is not None:
        raise ValueError("pass either api_key or token_provider, not both")
    url = endpoint or os.environ.get("AZURE_OPENAI_ENDPOINT")
    if not url:
        raise ValueError(
            "no Azure endpoint: pass endpoint=... or set the AZURE_OPENAI_ENDPOINT "
            "environment variable"
        )
    key = api_key
    if token_provider is None and key is None:
        key = os.environ.get("AZURE_OPENAI_API_KEY")
        if not key:
            raise ValueError(
                "no Azure credentials: pass api_key=... or token_provider=..., or set the "
                "AZURE_OPENAI_API_KEY environment variable"
            )
    base = url.rstrip("/")
    if not base.endswith("/openai/v1"):
        base += "/openai/v1"
    return Settings(
        base_url=base,
        api_key=key,
        key_header="api-key",
        token_provider=token_provider,
        query={"api-version": api_version} if api_version else {},
        timeout=_timeout(timeout),
        retry=_retry(max_retries, retry),
        webhook_secret=webhook_secret,
    )
