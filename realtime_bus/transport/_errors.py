"""Errors of the transport layer."""

from __future__ import annotations

from ..protocol import RealtimeBusError

__all__ = ["HandshakeRefused"]


class HandshakeRefused(RealtimeBusError):
    """The server refused the WebSocket handshake (for example 401 for a bad key).

    The message names the HTTP status and never the credentials that were sent.
    """

    def __init__(self, status: int, reason: str = "", body: str = "") -> None:
        self.status = status
        self.reason = reason
        self.body = body
        hint = {401: " (check the API key)", 403: " (the key may not have access)"}.get(status, "")
        text = f"handshake refused with HTTP {status}{' ' + reason if reason else ''}{hint}"
        super().__init__(text)

    @property
    def retryable(self) -> bool:
        """Whether trying again later may succeed (429 and 5xx; not 401, 403 and other 4xx)."""
        return self.status == 429 or self.status == 408 or self.status >= 500
