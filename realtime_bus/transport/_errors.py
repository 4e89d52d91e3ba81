"""Errors of the transport layer: a wrong configuration, a refused handshake, a connect that
failed, a closed link.
"""

from __future__ import annotations

from ..protocol import RealtimeBusError

__all__ = [
    "ConfigurationError",
    "ConnectFailed",
    "ConnectionLost",
    "HandshakeRefused",
    "TransportClosed",
]


class ConfigurationError(RealtimeBusError, ValueError):
    """The bus or its connection was set up wrongly: no API key, an unusable URL or header, a
    setting out of range. Raised when the bus is built or connects, before anything is sent; a
    ``ValueError`` too, so code that caught ``ValueError`` still does."""


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


class ConnectionLost(RealtimeBusError):
    """The connection dropped (or never came up) while something depended on it."""


class ConnectFailed(ConnectionLost):
    """A connection could not be opened: nothing listens, DNS failed, TLS or the handshake failed.

    ``retryable`` is false for failures no retry can fix (an invalid URI or header, a TLS
    configuration error); the bus then gives up at once.
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class TransportClosed(ConnectionLost):
    """The link is closed; ``str()`` says how (who closed it, with which code).

    ``code`` and ``reason`` are those of the close frame that ended the link (the server's, or
    the client's own when ``by_client``), ``None`` and ``""`` when it dropped without one.
    """

    PROTOCOL_CODES = frozenset({1002, 1003, 1007, 1009})
    """Close codes a client sends when the server broke the protocol (1009: frame too big)."""

    def __init__(
        self,
        description: str,
        *,
        code: int | None = None,
        reason: str = "",
        by_client: bool = False,
    ) -> None:
        super().__init__(description)
        self.description = description
        self.code = code
        self.reason = reason
        self.by_client = by_client

    @property
    def protocol_error(self) -> bool:
        """Whether the client closed the link because the server broke the protocol."""
        return self.by_client and self.code in self.PROTOCOL_CODES
