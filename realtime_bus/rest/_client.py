"""What the async and the blocking REST client share: settings, the HTTP client, webhooks.

They differ only in how they send and sleep (``_send``) and how they ask a token provider.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx2

from ._config import Settings
from ._webhooks import WebhookVerifier

__all__ = ["ClientBase", "bearer"]

H = TypeVar("H", httpx2.AsyncClient, httpx2.Client)


def bearer(token: Any, *, hint: str = "") -> dict[str, str]:
    """The credential header for a token a provider returned (which must be a string)."""
    if not isinstance(token, str) or not token:
        raise ValueError(f"token_provider must return a non-empty string{hint}")
    return {"authorization": f"Bearer {token}"}


class ClientBase(Generic[H]):
    """The state of a REST client: its settings and its connection pool (owned or given)."""

    def _connect(self, settings: Settings, http_client: H | None, pool: Callable[..., H]) -> None:
        self._settings = settings
        self._owns_client = http_client is None
        self._http: H = http_client if http_client is not None else pool(timeout=settings.timeout)
        self._webhooks: WebhookVerifier | None = None

    @property
    def base_url(self) -> str:
        """The URL every path is appended to (``https://api.openai.com/v1``)."""
        return self._settings.base_url

    @property
    def webhooks(self) -> WebhookVerifier:
        """Verifies incoming webhooks with ``webhook_secret`` (or ``OPENAI_WEBHOOK_SECRET``)."""
        if self._webhooks is None:
            self._webhooks = WebhookVerifier(self._settings.webhook_secret)
        return self._webhooks

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._settings.base_url!r})"
