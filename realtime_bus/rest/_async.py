"""``RealtimeAPI``: the async REST client (client secrets, WebRTC and SIP call control)."""

from __future__ import annotations

import inspect

import anyio
import httpx2

from .._closing import AsyncClosing
from ..protocol import RealtimeSession
from . import _core
from ._client import ClientBase, bearer
from ._config import AsyncTokenProvider, Settings, azure_settings, openai_settings
from ._live_clients import Live
from ._models import (
    ClientSecret,
    CreatedCall,
    ExpiresAfter,
    SecretSession,
    TranslationClientSecret,
    TranslationSessionRequest,
)
from ._retry import RetryPolicy

__all__ = ["Calls", "ClientSecrets", "RealtimeAPI", "TranslationClientSecrets", "Translations"]


class RealtimeAPI(ClientBase[httpx2.AsyncClient], AsyncClosing):
    """Async client for the Realtime REST endpoints, built on ``httpx2``.

    >>> async with RealtimeAPI() as api:  # doctest: +SKIP
    ...     secret = await api.client_secrets.create(
    ...         session=RealtimeSession(model="gpt-realtime"), expires_after=600
    ...     )

    ``api_key`` defaults to ``OPENAI_API_KEY`` and ``base_url`` to ``OPENAI_BASE_URL`` or the
    OpenAI API; use :meth:`azure` for an Azure OpenAI resource. Failed requests are retried
    (429, 5xx, connection errors; ``Retry-After`` is respected) per ``retry`` or
    ``max_retries``, and a failure raises :class:`~realtime_bus.rest.APIError`. The key
    never appears in an error, a repr or a log.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx2.Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        webhook_secret: str | None = None,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        settings = openai_settings(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            webhook_secret=webhook_secret,
        )
        self._setup(settings, http_client)

    @classmethod
    def azure(
        cls,
        *,
        endpoint: str | None = None,
        api_key: str | None = None,
        token_provider: AsyncTokenProvider | None = None,
        api_version: str | None = None,
        timeout: float | httpx2.Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        webhook_secret: str | None = None,
        http_client: httpx2.AsyncClient | None = None,
    ) -> RealtimeAPI:
        """A client for an Azure OpenAI resource (``https://NAME.openai.azure.com``).

        Authenticates with ``api_key`` (default ``AZURE_OPENAI_API_KEY``) or with
        ``token_provider``, a function (or coroutine function) returning a Microsoft Entra
        token, called before each request. ``endpoint`` defaults to ``AZURE_OPENAI_ENDPOINT``.
        """
        settings = azure_settings(
            endpoint=endpoint,
            api_key=api_key,
            token_provider=token_provider,
            api_version=api_version,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            webhook_secret=webhook_secret,
        )
        api = cls.__new__(cls)
        api._setup(settings, http_client)
        return api

    def _setup(self, settings: Settings, http_client: httpx2.AsyncClient | None) -> None:
        self._connect(settings, http_client, httpx2.AsyncClient)
        self.client_secrets = ClientSecrets(self)
        """Ephemeral keys for browsers and phones."""
        self.calls = Calls(self)
        """WebRTC call creation and SIP call control."""
        self.translations = Translations(self)
        """Translation sessions' own client secrets."""
        self.live = Live(self)
        """GPT-Live: WebRTC sessions, phone-session control, forks and recordings."""

    async def close(self) -> None:
        """Close the connection pool (not an ``http_client`` that was passed in)."""
        if self._owns_client:
            await self._http.aclose()

    async def _credentials(self) -> dict[str, str]:
        provider = self._settings.token_provider
        if provider is None:
            return self._settings.key_headers()
        token = provider()
        if inspect.isawaitable(token):
            token = await token
        return bearer(token)

    async def _send(self, operation: _core.Operation) -> httpx2.Response:
        retry = 0
        while True:
            request = _core.build_request(self._settings, operation, await self._credentials())
            failure: httpx2.TransportError | None = None
            try:
                response = await self._http.send(request)
            except httpx2.TransportError as exc:
                failure = exc
            # Outside the except block, so that the error raised on giving up has no
            # __context__: the httpx2 exception holds the request and its credentials.
            if failure is not None:
                delay = _core.delay_after_transport_error(self._settings, operation, failure, retry)
            elif response.is_success:
                return response
            else:
                delay = _core.delay_after_response(self._settings, operation, response, retry)
            del failure
            await anyio.sleep(delay)
            retry += 1


class ClientSecrets:
    """``api.client_secrets``: ephemeral keys (``ek_...``) with their session."""

    def __init__(self, api: RealtimeAPI) -> None:
        self._api = api

    async def create(
        self,
        *,
        session: SecretSession | None = None,
        expires_after: ExpiresAfter | int | None = None,
    ) -> ClientSecret:
        """Issue a client secret for ``session`` (the service's defaults when ``None``).

        ``expires_after`` is an :class:`ExpiresAfter` or a number of seconds (10 to 7200).
        """
        operation = _core.create_client_secret(session, expires_after)
        return _core.client_secret(operation, await self._api._send(operation))


class TranslationClientSecrets:
    """``api.translations.client_secrets``: ephemeral keys for translation sessions."""

    def __init__(self, api: RealtimeAPI) -> None:
        self._api = api

    async def create(
        self,
        *,
        session: TranslationSessionRequest,
        expires_after: ExpiresAfter | int | None = None,
    ) -> TranslationClientSecret:
        """Issue a client secret for a translation session."""
        operation = _core.create_translation_client_secret(session, expires_after)
        return _core.translation_client_secret(operation, await self._api._send(operation))


class Translations:
    """``api.translations``: the translation endpoint's REST side."""

    def __init__(self, api: RealtimeAPI) -> None:
        self.client_secrets = TranslationClientSecrets(api)
        """Ephemeral keys for translation sessions."""


class Calls:
    """``api.calls``: create a WebRTC call; accept, reject, refer or hang up a SIP call."""

    def __init__(self, api: RealtimeAPI) -> None:
        self._api = api

    async def create(self, *, sdp: str, session: RealtimeSession | None = None) -> CreatedCall:
        """Send a WebRTC SDP offer; returns the SDP answer and the new call's id."""
        operation = _core.create_call(sdp, session)
        return _core.created_call(operation, await self._api._send(operation))

    async def accept(self, call_id: str, *, session: RealtimeSession) -> None:
        """Accept an incoming SIP call; ``session`` configures the model that answers it."""
        await self._api._send(_core.accept_call(call_id, session))

    async def reject(self, call_id: str, *, status_code: int | None = None) -> None:
        """Decline an incoming SIP call with ``status_code`` (the service sends 603 if unset)."""
        await self._api._send(_core.reject_call(call_id, status_code))

    async def refer(self, call_id: str, *, target_uri: str) -> None:
        """Transfer a SIP call to ``target_uri`` (``tel:+14155550123``, ``sip:a@b.example``)."""
        await self._api._send(_core.refer_call(call_id, target_uri))

    async def hangup(self, call_id: str) -> None:
        """End a call, SIP or WebRTC."""
        await self._api._send(_core.hangup_call(call_id))
