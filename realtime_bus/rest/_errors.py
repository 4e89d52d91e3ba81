"""Errors of the REST client and of webhook verification.

Every error derives from :class:`realtime_bus.protocol.RealtimeBusError`. None of them holds
the request's headers: the API key cannot leak through a message, a repr or a traceback.
"""

from __future__ import annotations

from ..protocol import RealtimeBusError
from ._models import ErrorObject

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WebhookTimestampError",
]


class APIError(RealtimeBusError):
    """A REST request failed: the one error to catch around a REST call.

    :attr:`status` is the HTTP status (``None`` when no response arrived, see
    :class:`APIConnectionError`), :attr:`error` the server's error object when it sent one,
    :attr:`request_id` the ``x-request-id`` to quote to support, :attr:`attempts` how many
    times the request was sent (retries included).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int | None = None,
        error: ErrorObject | None = None,
        request_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.error = error
        self.request_id = request_id
        self.attempts = attempts

    @property
    def code(self) -> str | int | None:
        """The server's error code (``"invalid_api_key"``, ...), when it sent one."""
        if self.error is None or not isinstance(self.error.code, str | int):
            return None
        return self.error.code

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"request_id={self.request_id!r})"
        )


class APIConnectionError(APIError):
    """No response arrived: the connection failed or broke, after every retry."""


class APITimeoutError(APIConnectionError):
    """No response arrived within the timeout, after every retry."""


class WebhookError(RealtimeBusError):
    """A webhook request could not be trusted or understood; answer it with 400."""


class WebhookSignatureError(WebhookError):
    """The signature is missing, malformed or does not match the body and the secret."""


class WebhookTimestampError(WebhookError):
    """The ``webhook-timestamp`` is missing, unreadable, or outside the tolerance window.

    A stale timestamp is how a replayed request shows itself, so it is refused even when the
    signature matches.
    """


class WebhookPayloadError(WebhookError):
    """The body is signed correctly but is not a webhook event this library can read."""


class WebhookReplayError(WebhookError):
    """A correctly signed delivery whose ``webhook-id`` was already accepted in the window.

    The first delivery was let through; this one is a copy (a replay by whoever captured it,
    or the sender retrying one the application already received). Answer it with a 2xx or a
    4xx, but do not act on it again.
    """
