"""Credentials never reach a log, an error or a repr: the one place that recognises them.

Two kinds of text need it. Text that came from elsewhere (a server's error message, which a
proxy or compatible server may fill with the request it received) goes through :func:`scrub`:
the credentials we know are replaced wherever they appear, and so is anything shaped like one.
Log records a dependency writes (websockets logs every handshake header at DEBUG) go through
:class:`RedactingLogger`, which masks credential headers and credential-shaped text before a
record is made. Both use the same rules, defined here once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, MutableMapping
from typing import Any

__all__ = [
    "REDACTED",
    "RedactingLogger",
    "credential_values",
    "is_credential_header",
    "redact_text",
    "scrub",
]

REDACTED = "<redacted>"

_CREDENTIAL_HEADER = re.compile(
    r"^(authorization|proxy-authorization|api-key|x-api-key|cookie|set-cookie|openai-.*key.*)$",
    re.IGNORECASE,
)
# A bearer or basic token, an OpenAI-style key (secret sk-, ephemeral ek_, restricted rk-),
# a credential in a query string, the userinfo of a URL.
_SHAPED = re.compile(
    r"(?i)(?P<scheme>\bbearer|\bbasic)\s+[^\s,;\"']+"
    r"|\b(?:sk|ek|rk)[-_][A-Za-z0-9_\-]{4,}"
    r"|(?P<param>[?&](?:api[-_]?key|key|token|access_token|secret|sig|signature|password)=)[^&\s]*"
    r"|//[^/@\s]*:[^/@\s]*@"
)
# Known values shorter than this are not searched for: they would match ordinary text.
_MIN_KNOWN = 8


def is_credential_header(name: str) -> bool:
    """Whether header ``name`` carries a credential (``Authorization``, ``api-key``, ...)."""
    return _CREDENTIAL_HEADER.match(name) is not None


def credential_values(headers: Iterable[tuple[str, str]]) -> list[str]:
    """The credentials among ``headers`` (name, value), bare bearer tokens included."""
    found: list[str] = []
    for name, value in headers:
        if not value or not is_credential_header(name):
            continue
        found.append(value)
        scheme, _, token = value.partition(" ")
        if token and scheme.lower() in ("bearer", "basic"):
            found.append(token.strip())
    return found


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
    return _SHAPED.sub(_mask, text)


def scrub(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with every known credential and every credential-shaped string redacted."""
    for secret in sorted({k for k in known if len(k) >= _MIN_KNOWN}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return redact_text(text)


def _clean(arg: Any) -> Any:
    if isinstance(arg, str):
        return redact_text(arg)
    if isinstance(arg, (bytes, bytearray)):
        return redact_text(bytes(arg).decode("utf-8", "replace"))
    return arg


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """A dependency's logger (``websockets.client``, ``websockets.server``) with credentials
    masked in every record it writes: the same logger name, so the application's logging
    setup applies."""

    def __init__(self, name: str = "websockets.client") -> None:
        super().__init__(logging.getLogger(name), {})

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        """Log ``msg % args`` with credential headers' values and credentials masked."""
        if not self.isEnabledFor(level):
            return
        clean: list[Any] = [_clean(a) for a in args]
        # websockets logs headers as ("> %s: %s", name, value).
        if len(clean) == 2 and isinstance(clean[0], str) and is_credential_header(clean[0]):
            clean[1] = REDACTED
        msg, kwargs = self.process(_clean(msg), kwargs)
        self.logger.log(level, msg, *clean, **kwargs)

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        """No extra context; the adapter only masks."""
        return msg, kwargs
