"""Scrubbing credentials out of text that came from elsewhere (a server's error message).

A proxy or a compatible server that echoes the request back puts the caller's key into its
error message, and from there into ``str(exc)`` and every log line that prints it. Text we
surface from outside goes through :func:`scrub` first: the credentials we know are replaced
wherever they appear, and so is anything shaped like one (``Bearer ...``, ``sk-...``,
``ek_...``) that we do not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["REDACTED", "credential_values", "scrub"]

REDACTED = "<redacted>"

# A bearer token, or an OpenAI-style key: secret (sk-, sk-proj-), ephemeral (ek_), restricted
# (rk-). Long enough that ordinary words never match.
_SHAPED = re.compile(
    r"(?P<bearer>(?i:\bbearer\s+))[A-Za-z0-9._~+/=-]+"
    r"|\b(?:sk|ek|rk)[-_][A-Za-z0-9_-]{8,}"
)
# Header values that carry a credential, by header name.
_CREDENTIAL_HEADERS = frozenset({"authorization", "api-key", "openai-api-key"})
# Known values shorter than this are not searched for: they would match ordinary text.
_MIN_KNOWN = 8


def credential_values(headers: Iterable[tuple[str, str]]) -> list[str]:
    """The credentials among ``headers`` (name, value), bare tokens included."""
    found: list[str] = []
    for name, value in headers:
        if name.lower() not in _CREDENTIAL_HEADERS or not value:
            continue
        found.append(value)
        scheme, _, token = value.partition(" ")
        if token and scheme.lower() == "bearer":
            found.append(token.strip())
    return found


def scrub(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with every known credential and every credential-shaped string redacted."""
    for secret in sorted({k for k in known if len(k) >= _MIN_KNOWN}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _SHAPED.sub(lambda m: (m.group("bearer") or "") + REDACTED, text)
