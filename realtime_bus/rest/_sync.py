"""``SyncRealtimeAPI``: the same REST calls as ``RealtimeAPI``, blocking.

A REST call needs no background event loop: this client sends through ``httpx2.Client`` and
shares every decision (requests, answers, errors, retries) with the async one in ``_core``.
"""

from __future__ import annotations

import time

import httpx2

from .._closing import Closing
from ..protocol import RealtimeSession
from . import _core
from ._client import ClientBase, bearer
from ._config import Settings, TokenProvider, azure_settings, openai_settings
from ._live_clients import SyncLive
from ._models import (
    ClientSecret,
    CreatedCall,
    ExpiresAfter,
    SecretSession,
    TranslationClientSecret,
    TranslationSessionRequest,
)
from ._retry import RetryPolicy

__all__ = [
    "SyncCalls",
    "SyncClientSecrets",
    "SyncRealtimeAPI",
    "SyncTranslationClientSecrets",
    "SyncTranslations",
]


class SyncRealtimeAPI(ClientBase[httpx2.Client], Closing):
    """Blocking client for the Realtime REST endpoints; see :class:`RealtimeAPI`.

    >>> with SyncRealtimeAPI() as api:  # doctest: +SKIP
    ...     api.calls.accept(call_id, session=RealtimeSession(model="gpt-realtime"))

    Safe to share between threads (``httpx2.Client`` is).
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
        http_client: httpx2.Client | None = None,
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
        token_provider: TokenProvider | None = None,
        api_version: str | None = None,
        timeout: float | httpx2.Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        webhook_secret: str | None = None,
        http_client: httpx2.Client | None = None,
    ) -> SyncRealtimeAPI:
        """A client for an Azure OpenAI resource; see :meth:`RealtimeAPI.azure`."""
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

    def _setup(self, settings: Settings, http_client: httpx2.Client | None) -> None:
        self._connect(settings, http_client, httpx2.Client)
        self.client_secrets = SyncClientSecrets(self)
        """Ephemeral keys for browsers and phones."""
        self.calls = SyncCalls(self)
        """WebRTC call creation and SIP call control."""
        self.translations = SyncTranslations(self)
        """Translation sessions' own client secrets."""
        self.live = SyncLive(self)
        """GPT-Live: WebRTC sessions, phone-session control, forks and recordings."""

    def close(self) -> None:
        """Close the connection pool (not an ``http_client`` that was passed in)."""
        if self._owns_client:
            self._http.close()

    def _credentials(self) -> dict[str, str]:
        provider = self._settings.token_provider
        if provider is None:
            return self._settings.key_headers()
        token = provider()
        return bearer(token, hint=" (and be sync)")

    def _send(self, operation: _core.Operation) -> httpx2.Response:
        retry = 0
        while True:
            request = _core.build_request(self._settings, operation, self._credentials())
            failure: httpx2.TransportError | None = None
            try:
                response = self._http.send(request)
            except httpx2.TransportError as exc:
                failure = exc
            # See RealtimeAPI._send: giving up must not chain the httpx2 exception.
            if failure is not None:
                delay = _core.delay_after_transport_error(self._settings, operation, failure, retry)
            elif response.is_success:
                return response
            else:
                delay = _core.delay_after_response(self._settings, operation, response, retry)
            del failure
            time.sleep(delay)
            retry += 1


class SyncClientSecrets:
    """``api.client_secrets``: ephemeral keys (``ek_...``) with their session."""

    def __init__(self, api: SyncRealtimeAPI) -> None:
        self._api = api

    def create(
        self,
        *,
        session: SecretSession | None = None,
        expires_after: ExpiresAfter | int | None = None,
    ) -> ClientSecret:
        """Issue a client secret; see :meth:`ClientSecrets.create`."""
        operation = _core.create_client_secret(session, expires_after)
        return _core.client_secret(operation, self._api._send(operation))


class SyncTranslationClientSecrets:
    """``api.translations.client_secrets``: ephemeral keys for translation sessions."""

    def __init__(self, api: SyncRealtimeAPI) -> None:
        self._api = api

    def create(
        self,
        *,
        session: TranslationSessionRequest,
        expires_after: ExpiresAfter | int | None = None,
    ) -> TranslationClientSecret:
        """Issue a client secret for a translation session."""
        operation = _core.create_translation_client_secret(session, expires_after)
        return _core.translation_client_secret(operation, self._api._send(operation))


class SyncTranslations:
    """``api.translations``: the translation endpoint's REST side."""

    def __init__(self, api: SyncRealtimeAPI) -> None:
        self.client_secrets = SyncTranslationClientSecrets(api)
        """Ephemeral keys for translation sessions."""


class SyncCalls:
    """``api.calls``: create a WebRTC call; accept, reject, refer or hang up a SIP call."""

    def __init__(self, api: SyncRealtimeAPI) -> None:
        self._api = api

    def create(self, *, sdp: str, session: RealtimeSession | None = None) -> CreatedCall:
        """Send a WebRTC SDP offer; returns the SDP answer and the new call's id."""
        operation = _core.create_call(sdp, session)
        return _core.created_call(operation, self._api._send(operation))

    def accept(self, call_id: str, *, session: RealtimeSession) -> None:
        """Accept an incoming SIP call; ``session`` configures the model that answers it."""
        self._api._send(_core.accept_call(call_id, session))

    def reject(self, call_id: str, *, status_code: int | None = None) -> None:
        """Decline an incoming SIP call with ``status_code`` (the service sends 603 if unset)."""
        self._api._send(_core.reject_call(call_id, status_code))

    def refer(self, call_id: str, *, target_uri: str) -> None:
        """Transfer a SIP call to ``target_uri``."""
        self._api._send(_core.refer_call(call_id, target_uri))

    def hangup(self, call_id: str) -> None:
        """End a call, SIP or WebRTC."""
        self._api._send(_core.hangup_call(call_id))
