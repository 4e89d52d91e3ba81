"""What never goes into a recording: credentials in headers, URLs, query strings and frames.

A recording keeps the server's URL with only the query parameters that name what was asked for
(the model, a call, a deployment); userinfo and every other parameter are dropped. Every value
that could be a credential (header values, dropped query values, passwords, tokens from a token
provider) becomes a *secret* of the recorder, and any frame that contains one has it replaced
with ``[redacted]`` before it is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "KEPT_QUERY",
    "KEY_SUBPROTOCOL",
    "REDACTED",
    "SecretSet",
    "safe_url",
    "secrets_of_url",
    "subprotocol_keys",
]

KEPT_QUERY = frozenset({"model", "call_id", "intent", "deployment", "api-version"})
"""Query parameters a recording keeps: they say what was asked for, never who asked."""

REDACTED = b"[redacted]"
KEY_SUBPROTOCOL = "openai-insecure-api-key."
"""The subprotocol prefix browsers use to send a key (there is no header in a browser)."""

_CREDENTIAL_HEADERS = re.compile(
    r"(authorization|api[-_]?key|token|secret|password|cookie|signature)", re.IGNORECASE
)
_MIN_SECRET = 6  # shorter values would redact ordinary words


def safe_url(url: str) -> str:
    """``url`` without userinfo, fragment or any query parameter outside :data:`KEPT_QUERY`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k in KEPT_QUERY]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept), ""))


def secrets_of_url(url: str) -> list[str]:
    """The values of ``url`` that could be credentials (password, dropped query values)."""
    parts = urlsplit(url)
    found = [parts.password or "", parts.username or ""]
    found += [v for k, v in parse_qsl(parts.query) if k not in KEPT_QUERY]
    return [s for s in found if s]


def subprotocol_keys(offered: Iterable[str]) -> list[str]:
    """The keys carried in offered subprotocols (``openai-insecure-api-key.<key>``)."""
    keys: list[str] = []
    for value in offered:
        for item in str(value).split(","):
            item = item.strip()
            if item.startswith(KEY_SUBPROTOCOL):
                keys += [item, item[len(KEY_SUBPROTOCOL) :]]
    return keys


class SecretSet:
    """The credentials a recorder knows, and their removal from frames."""

    __slots__ = ("_values", "probe")

    def __init__(self) -> None:
        self._values: tuple[bytes, ...] = ()
        self.probe: tuple[bytes, ...] = ()
        """The values that contain no other value: a frame holds a secret only if it holds one
        of these (``Bearer x`` is found through ``x``), so the scan looks for fewer."""

    def add(self, value: str) -> None:
        """Remember ``value`` (and, for ``Bearer x``, ``x`` alone)."""
        candidates = [value]
        scheme, _, rest = value.partition(" ")
        if rest and scheme.lower() in ("bearer", "basic", "token"):
            candidates.append(rest)
        for candidate in candidates:
            raw = candidate.strip().encode()
            if len(raw) >= _MIN_SECRET and raw not in self._values:
                # Longest first, so a value is redacted whole before any part of it.
                self._values = tuple(sorted((*self._values, raw), key=len, reverse=True))
        values = self._values
        self.probe = tuple(v for v in values if not any(o != v and o in v for o in values))

    def add_headers(self, headers: Mapping[str, str]) -> None:
        """Remember the values of the credential headers among ``headers``."""
        for name, value in headers.items():
            if _CREDENTIAL_HEADERS.search(name):
                self.add(value)

    def add_all(self, values: Iterable[str]) -> None:
        """Remember each of ``values``."""
        for value in values:
            self.add(value)

    def scrub(self, frame: bytes) -> bytes:
        """``frame`` with every known secret replaced by ``[redacted]``."""
        for probe in self.probe:
            if frame.find(probe) >= 0:  # cheaper than ``in`` (no int check first)
                break
        else:
            return frame
        for secret in self._values:
            if secret in frame:
                frame = frame.replace(secret, REDACTED)
        return frame

    def __bool__(self) -> bool:
        return bool(self.probe)

    def __repr__(self) -> str:
        return f"<SecretSet {len(self._values)} values>"
