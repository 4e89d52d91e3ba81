"""Where to connect and with which credentials: OpenAI, Azure OpenAI, or any compatible server.

An :class:`Endpoint` is resolved again before every connection attempt, so a token provider is
asked for a fresh token on each reconnect. Credentials live only in the headers it returns; its
repr and every log line show the URL without them.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._errors import ConfigurationError

__all__ = [
    "Endpoint",
    "TokenProvider",
    "azure_endpoint",
    "azure_headers",
    "check_headers",
    "endpoint_for_url",
    "openai_base_and_headers",
    "openai_endpoint",
]

TokenProvider = Callable[[], str] | Callable[[], Awaitable[str]]
"""Returns a bearer token (for Azure Entra ID); called before every connection attempt."""

DEFAULT_OPENAI_BASE = "wss://api.openai.com/v1"


class MissingCredentials(ConfigurationError):
    """No API key was given and none is in the environment (or a token provider gave none)."""


def _with_query(url: str, query: Mapping[str, str | None]) -> str:
    parts = urlsplit(url)
    pairs = [p for p in parts.query.split("&") if p]
    extra = urlencode({k: v for k, v in query.items() if v is not None})
    if extra:
        pairs.append(extra)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(pairs), parts.fragment))


_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
"""A header name: an HTTP token (RFC 9110), so never CR, LF, a colon or a space."""


def check_headers(headers: Mapping[str, str]) -> None:
    """Refuse a header that would break the request (its name is named, its value never)."""
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ConfigurationError(
                f"invalid header name {name!r}: a header name is an HTTP token"
            )
        if not isinstance(value, str) or any(c in value for c in "\r\n\x00"):
            raise ConfigurationError(
                f"invalid value for header {name!r}: CR, LF and NUL are not allowed"
            )


def _ws_scheme(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss"):
        raise ConfigurationError(f"expected a ws://, wss://, http:// or https:// URL, got {url!r}")
    return urlunsplit((scheme, *parts[1:]))


@dataclass(frozen=True)
class Endpoint:
    """A resolved WebSocket endpoint: URL, headers, and an optional token provider."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    token_provider: TokenProvider | None = field(default=None, repr=False)
    token_header: str = "Authorization"

    def __post_init__(self) -> None:
        check_headers(self.headers)
        check_headers({self.token_header: ""})

    async def resolve_headers(self) -> dict[str, str]:
        """The handshake headers, with a fresh token from the provider if there is one."""
        headers = dict(self.headers)
        if self.token_provider is not None:
            token = self.token_provider()
            if inspect.isawaitable(token):
                token = await token
            if not isinstance(token, str) or not token:
                raise MissingCredentials("the token provider returned no token")
            headers[self.token_header] = f"Bearer {token}"
            check_headers({self.token_header: headers[self.token_header]})
        return headers

    @property
    def safe_url(self) -> str:
        """The URL without ``user:password@`` and without its query (which some deployments
        use for credentials)."""
        parts = urlsplit(self.url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, host, parts.path, "", ""))


def endpoint_for_url(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    api_key: str | None = None,
    query: Mapping[str, str | None] | None = None,
) -> Endpoint:
    """An endpoint for any compatible server at ``url``; ``api_key`` is sent as a bearer token."""
    merged = dict(headers or {})
    if api_key is not None:
        if not api_key:
            raise MissingCredentials("api_key is empty")
        merged["Authorization"] = f"Bearer {api_key}"
    return Endpoint(url=_with_query(_ws_scheme(url), query or {}), headers=merged)


def openai_endpoint(
    *,
    model: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    websocket_base_url: str | None = None,
    call_id: str | None = None,
    organization: str | None = None,
    project: str | None = None,
    extra_query: Mapping[str, str] | None = None,
    extra_headers: Mapping[str, str] | None = None,
    beta: bool = False,
) -> Endpoint:
    """The OpenAI Realtime endpoint, as the ``openai`` package builds it.

    ``api_key`` defaults to ``OPENAI_API_KEY``; ``websocket_base_url`` wins over ``base_url``
    (whose scheme is turned into ``wss``), which defaults to ``OPENAI_BASE_URL`` and then to
    the public API. ``call_id`` attaches to a SIP or WebRTC call instead of naming a model.
    """
    if beta:
        extra_headers = {"OpenAI-Beta": "realtime=v1", **(extra_headers or {})}
    base, headers = openai_base_and_headers(
        api_key, base_url, websocket_base_url, organization, project, extra_headers
    )
    if model is None and call_id is None:
        raise ConfigurationError("give a model (or a call_id to attach to a call)")
    query: dict[str, str | None] = {"model": model, "call_id": call_id, **(extra_query or {})}
    return Endpoint(url=_with_query(base + "/realtime", query), headers=headers)


def openai_base_and_headers(
    api_key: str | None,
    base_url: str | None,
    websocket_base_url: str | None,
    organization: str | None,
    project: str | None,
    extra_headers: Mapping[str, str] | None,
) -> tuple[str, dict[str, str]]:
    """The WebSocket base URL (no trailing ``/``) and the headers of an OpenAI connection, as
    the ``openai`` package makes them (see :func:`openai_endpoint`)."""
    key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
    if not key:
        raise MissingCredentials(
            "no API key: pass api_key=... or set the OPENAI_API_KEY environment variable"
        )
    if websocket_base_url is not None:
        base = _ws_scheme(websocket_base_url)
    else:
        base = _ws_scheme(base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_OPENAI_BASE)
    headers = {"Authorization": f"Bearer {key}"}
    if organization:
        headers["OpenAI-Organization"] = organization
    if project:
        headers["OpenAI-Project"] = project
    headers.update(extra_headers or {})
    return base.rstrip("/"), headers


def azure_endpoint(
    *,
    endpoint: str,
    deployment: str,
    api_version: str | None = None,
    api_key: str | None = None,
    token_provider: TokenProvider | None = None,
    extra_query: Mapping[str, str] | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> Endpoint:
    """An Azure OpenAI realtime endpoint.

    With ``api_version`` unset (or ``"v1"``) the GA path ``/openai/v1/realtime?model=DEPLOYMENT``
    is used; with a dated preview version, ``/openai/realtime?api-version=...&deployment=...``.
    Authenticate with ``api_key`` (default ``AZURE_OPENAI_API_KEY``, sent as ``api-key``) or a
    ``token_provider`` for Entra ID (asked for a fresh token before every connection).
    """
    headers = azure_headers(api_key, token_provider, extra_headers)
    base = _ws_scheme(endpoint).rstrip("/")
    query: dict[str, str | None]
    if api_version in (None, "v1"):
        path, query = "/openai/v1/realtime", {"model": deployment}
    else:
        path, query = "/openai/realtime", {"api-version": api_version, "deployment": deployment}
    query.update(extra_query or {})
    return Endpoint(
        url=_with_query(base + path, query), headers=headers, token_provider=token_provider
    )


def azure_headers(
    api_key: str | None,
    token_provider: TokenProvider | None,
    extra_headers: Mapping[str, str] | None,
) -> dict[str, str]:
    """The headers of an Azure OpenAI connection: ``api-key`` (default ``AZURE_OPENAI_API_KEY``)
    unless a ``token_provider`` authenticates it (see :func:`azure_endpoint`)."""
    headers = dict(extra_headers or {})
    if token_provider is None:
        api_key = api_key if api_key is not None else os.environ.get("AZURE_OPENAI_API_KEY")
        if not api_key:
            raise MissingCredentials(
                "no Azure credentials: pass api_key=..., token_provider=..., "
                "or set AZURE_OPENAI_API_KEY"
            )
        headers["api-key"] = api_key
    return headers
