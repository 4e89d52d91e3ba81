"""A logger for websockets that never writes a credential.

At DEBUG level websockets logs every handshake header, ``Authorization: Bearer sk-...`` and
Azure's ``api-key`` included. The bus hands websockets this adapter instead of its own logger:
the same ``websockets.client`` logger (so the application's logging setup applies), with
credential-bearing headers, bearer tokens, OpenAI keys and query credentials masked before a
record is made.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

__all__ = ["REDACTED", "RedactingLogger", "redact_text"]

REDACTED = "<redacted>"

_SECRET_HEADER = re.compile(
    r"^(authorization|proxy-authorization|api-key|x-api-key|cookie|set-cookie|openai-.*key.*)$",
    re.IGNORECASE,
)
_SECRET_TEXT = re.compile(
    r"(?i)(?P<scheme>bearer|basic)\s+[^\s,;]+"
    r"|\b(?:sk|ek|rk)[-_][A-Za-z0-9_\-]{4,}"
    r"|(?P<param>[?&](?:api[-_]?key|key|token|access_token|secret|sig|signature|password)=)[^&\s]*"
    r"|//[^/@\s]*:[^/@\s]*@"
)


def _mask(match: re.Match[str]) -> str:
    if match.group("scheme"):
        return f"{match.group('scheme')} {REDACTED}"
    if match.group("param"):
        return match.group("param") + REDACTED
    if match.group(0).startswith("//"):
        return f"//{REDACTED}@"
    return REDACTED


def redact_text(text: str) -> str:
    """``text`` with bearer tokens, API keys, query credentials and URL userinfo masked."""
    return _SECRET_TEXT.sub(_mask, text)


def _clean(arg: Any) -> Any:
    if isinstance(arg, str):
        return redact_text(arg)
    if isinstance(arg, (bytes, bytearray)):
        return redact_text(bytes(arg).decode("utf-8", "replace"))
    return arg


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """``websockets.client`` with credentials masked in every record it writes."""

    def __init__(self, name: str = "websockets.client") -> None:
        super().__init__(logging.getLogger(name), {})

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        """Log ``msg % args`` with header values of credential headers and tokens masked."""
        if not self.isEnabledFor(level):
            return
        clean: list[Any] = [_clean(a) for a in args]
        # websockets logs headers as ("> %s: %s", name, value).
        if len(clean) == 2 and isinstance(clean[0], str) and _SECRET_HEADER.match(clean[0]):
            clean[1] = REDACTED
        msg, kwargs = self.process(_clean(msg), kwargs)
        self.logger.log(level, msg, *clean, **kwargs)

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        """No extra context; the adapter only masks."""
        return msg, kwargs
