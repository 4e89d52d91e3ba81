"""Who may open a Realtime WebSocket: the path, the API key, the client secret, the call.

As the service: a missing or malformed ``Authorization`` header is refused with 401 before the
upgrade. Keys come from ``Authorization: Bearer <key>``, Azure's ``api-key: <key>`` header, or a
browser's ``openai-insecure-api-key.<key>`` subprotocol. With no key configured any non-empty
key is accepted, except ephemeral keys (``ek_...``), which must be live ones this simulator
issued.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from ._http import HttpResponse, RequestHead
from ._registry import (
    SimulatedCall,
    SimulatedCalls,
    SimulatedClientSecret,
    SimulatedClientSecrets,
    SimulatedTranslationSecret,
)

__all__ = ["Admission", "admit", "select_subprotocol"]

REALTIME_PATHS = frozenset({"/v1/realtime", "/openai/realtime", "/openai/v1/realtime", "/realtime"})
"""Where the Realtime WebSocket is served (OpenAI, Azure, and a bare path)."""

TRANSLATION_PATHS = frozenset(f"{path}/translations" for path in REALTIME_PATHS)
"""Where translation sessions are served (``/v1/realtime/translations``, ...)."""

_KEY_SUBPROTOCOL = "openai-insecure-api-key."


@dataclass(slots=True)
class Admission:
    """An accepted handshake: what the new session starts from."""

    path: str
    query: dict[str, str]
    model: str
    secret: SimulatedClientSecret | None
    call: SimulatedCall | None
    kind: Literal["realtime", "translation"] = "realtime"
    translation_secret: SimulatedTranslationSecret | None = None


def _unauthorized(message: str, code: str | None = None) -> HttpResponse:
    return HttpResponse.error(401, message, code=code)


def _subprotocols(head: RequestHead) -> list[str]:
    offered: list[str] = []
    for name, value in head.headers:
        if name.lower() == "sec-websocket-protocol":
            offered.extend(p.strip() for p in value.split(",") if p.strip())
    return offered


def _api_key(head: RequestHead) -> str | HttpResponse | None:
    auth = head.header("authorization")
    if auth is not None:
        scheme, _, key = auth.strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return _unauthorized(
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            )
        return key.strip()
    azure = head.header("api-key")
    if azure is not None and azure.strip():
        return azure.strip()
    for proto in _subprotocols(head):
        if proto.startswith(_KEY_SUBPROTOCOL) and len(proto) > len(_KEY_SUBPROTOCOL):
            return proto[len(_KEY_SUBPROTOCOL) :]
    return None


def admit(
    head: RequestHead,
    *,
    api_key: str | None,
    secrets: SimulatedClientSecrets,
    calls: SimulatedCalls,
    default_model: str,
) -> Admission | HttpResponse:
    """Check a WebSocket upgrade request: an :class:`Admission`, or the refusal to send."""
    split = urlsplit(head.target)
    path = split.path.rstrip("/") or "/"
    translation = path in TRANSLATION_PATHS
    if path not in REALTIME_PATHS and not translation:
        return HttpResponse.error(404, f"Invalid URL (GET {path})")
    if head.method != "GET":
        return HttpResponse.error(405, f"Method {head.method} not allowed here.")
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    key = _api_key(head)
    if isinstance(key, HttpResponse):
        return key
    if key is None:
        return _unauthorized(
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    secret: SimulatedClientSecret | None = None
    model = query.get("model") or query.get("deployment") or default_model
    if translation:
        translation_secret = secrets.get_translation(key) if key.startswith("ek_") else None
        if key.startswith("ek_") and translation_secret is None:
            return _unauthorized(
                "Invalid or expired ephemeral key provided.", code="invalid_api_key"
            )
        if not key.startswith("ek_") and api_key is not None and key != api_key:
            return _unauthorized("Incorrect API key provided.", code="invalid_api_key")
        return Admission(
            path=path,
            query=query,
            model=model,
            secret=None,
            call=None,
            kind="translation",
            translation_secret=translation_secret,
        )
    if key.startswith("ek_"):
        secret = secrets.get(key)
        if secret is None:
            return _unauthorized(
                "Invalid or expired ephemeral key provided.", code="invalid_api_key"
            )
    elif api_key is not None and key != api_key:
        return _unauthorized("Incorrect API key provided.", code="invalid_api_key")
    call: SimulatedCall | None = None
    call_id = query.get("call_id")
    if call_id is not None:
        call = calls.get(call_id)
        if call is None or call.state in ("ended", "rejected"):
            return HttpResponse.error(404, f"Call '{call_id}' not found.", code="call_not_found")
    return Admission(path=path, query=query, model=model, secret=secret, call=call)


def select_subprotocol(offered: Sequence[str]) -> str | None:
    """Answer a browser's ``realtime`` subprotocol; accept clients that offer none."""
    return "realtime" if "realtime" in offered else None
