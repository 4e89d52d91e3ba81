"""The REST client without I/O: what to send for each operation and what the answer means.

The async and the blocking client share everything here and differ only in how they send and
sleep. Requests are built per attempt, so a token provider is asked again on a retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx2
import msgspec

from .._log import get_logger
from .._secrets import credential_values, scrub
from ..protocol import RealtimeSession
from ._config import Settings
from ._errors import APIConnectionError, APIError, APITimeoutError
from ._models import (
    CallReferRequest,
    CallRejectRequest,
    ClientSecret,
    ClientSecretCreateRequest,
    CreatedCall,
    ErrorObject,
    ExpiresAfter,
    SecretSession,
    TranslationClientSecret,
    TranslationClientSecretCreateRequest,
    TranslationSessionRequest,
)

__all__ = [
    "Operation",
    "accept_call",
    "build_request",
    "client_secret",
    "create_call",
    "created_call",
    "create_client_secret",
    "create_translation_client_secret",
    "decode_body",
    "delay_after_response",
    "delay_after_transport_error",
    "hangup_call",
    "path_segment",
    "refer_call",
    "reject_call",
    "status_error",
    "translation_client_secret",
    "transport_error",
]

log = get_logger("realtime_bus.rest")

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_BODY_PREVIEW = 200


class Operation(msgspec.Struct, frozen=True, kw_only=True):
    """One REST operation: where it goes and its body, before credentials are added."""

    name: str
    path: str
    method: str = "POST"
    json: bytes | None = None
    files: dict[str, tuple[None, bytes, str]] | None = None
    accept: str = "application/json"


def build_request(
    settings: Settings, operation: Operation, credentials: Mapping[str, str]
) -> httpx2.Request:
    """The HTTP request for one attempt of ``operation``."""
    headers = {**settings.default_headers, "accept": operation.accept, **credentials}
    url = settings.base_url + operation.path
    if operation.files is not None:
        return httpx2.Request(
            operation.method, url, params=settings.query, headers=headers, files=operation.files
        )
    if operation.json is not None:
        headers["content-type"] = "application/json"
    return httpx2.Request(
        operation.method, url, params=settings.query, headers=headers, content=operation.json
    )


# ---------------------------------------------------------------------------------------------
# Operations


def path_segment(name: str, value: object) -> str:
    """``value`` as one path segment: percent-encoded, and never ``.`` or ``..``, which a URL
    resolver would turn into a step up out of the resource."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if value in {".", ".."}:
        raise ValueError(f"{name} must not be {value!r}: it is a relative path step")
    return quote(value, safe="")


def _call_path(call_id: str, action: str) -> str:
    return f"/realtime/calls/{path_segment('call_id', call_id)}/{action}"


def _expires(value: ExpiresAfter | int | None) -> ExpiresAfter | msgspec.UnsetType:
    if value is None:
        return msgspec.UNSET
    if isinstance(value, ExpiresAfter):
        return value
    return ExpiresAfter(seconds=value, anchor="created_at")


def create_client_secret(
    session: SecretSession | None, expires_after: ExpiresAfter | int | None
) -> Operation:
    """``POST /realtime/client_secrets``."""
    body = ClientSecretCreateRequest(
        session=msgspec.UNSET if session is None else session,
        expires_after=_expires(expires_after),
    )
    return Operation(
        name="client_secrets.create", path="/realtime/client_secrets", json=_encoder.encode(body)
    )


def create_translation_client_secret(
    session: TranslationSessionRequest, expires_after: ExpiresAfter | int | None
) -> Operation:
    """``POST /realtime/translations/client_secrets``."""
    body = TranslationClientSecretCreateRequest(
        session=session, expires_after=_expires(expires_after)
    )
    return Operation(
        name="translations.client_secrets.create",
        path="/realtime/translations/client_secrets",
        json=_encoder.encode(body),
    )


def create_call(sdp: str, session: RealtimeSession | None) -> Operation:
    """``POST /realtime/calls``: the SDP offer and the session, as a multipart form."""
    if not isinstance(sdp, str) or not sdp.strip():
        raise ValueError("sdp must be a non-empty SDP offer")
    files: dict[str, tuple[None, bytes, str]] = {"sdp": (None, sdp.encode(), "application/sdp")}
    if session is not None:
        files["session"] = (None, _encoder.encode(session), "application/json")
    return Operation(
        name="calls.create", path="/realtime/calls", files=files, accept="application/sdp"
    )


def accept_call(call_id: str, session: RealtimeSession) -> Operation:
    """``POST /realtime/calls/{call_id}/accept`` with the session that will take the call."""
    if not isinstance(session, RealtimeSession):
        raise TypeError(f"session must be a RealtimeSession, got {type(session).__name__}")
    return Operation(
        name="calls.accept",
        path=_call_path(call_id, "accept"),
        json=_encoder.encode(session),
        accept="*/*",
    )


def reject_call(call_id: str, status_code: int | None) -> Operation:
    """``POST /realtime/calls/{call_id}/reject``."""
    body = CallRejectRequest(status_code=msgspec.UNSET if status_code is None else status_code)
    return Operation(
        name="calls.reject",
        path=_call_path(call_id, "reject"),
        json=_encoder.encode(body),
        accept="*/*",
    )


def refer_call(call_id: str, target_uri: str) -> Operation:
    """``POST /realtime/calls/{call_id}/refer``."""
    body = CallReferRequest(target_uri=target_uri)
    return Operation(
        name="calls.refer",
        path=_call_path(call_id, "refer"),
        json=_encoder.encode(body),
        accept="*/*",
    )


def hangup_call(call_id: str) -> Operation:
    """``POST /realtime/calls/{call_id}/hangup``."""
    return Operation(name="calls.hangup", path=_call_path(call_id, "hangup"), accept="*/*")


# ---------------------------------------------------------------------------------------------
# Answers


def _unexpected(operation: Operation, response: httpx2.Response, why: str) -> APIError:
    return APIError(
        f"{operation.name}: unexpected response ({why})",
        method=operation.method,
        path=operation.path,
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )


def decode_body(operation: Operation, response: httpx2.Response, kind: type[T]) -> T:
    """Decode a successful JSON answer into ``kind``; a body that does not fit is an error."""
    try:
        return msgspec.json.decode(response.content, type=kind)
    except msgspec.DecodeError as exc:
        raise _unexpected(operation, response, str(exc)) from None


def client_secret(operation: Operation, response: httpx2.Response) -> ClientSecret:
    """The answer to ``client_secrets.create``."""
    return decode_body(operation, response, ClientSecret)


def translation_client_secret(
    operation: Operation, response: httpx2.Response
) -> TranslationClientSecret:
    """The answer to ``translations.client_secrets.create``."""
    return decode_body(operation, response, TranslationClientSecret)


def created_call(operation: Operation, response: httpx2.Response) -> CreatedCall:
    """The answer to ``calls.create``: the SDP answer, and the call id from ``Location``."""
    location = response.headers.get("location", "")
    call_id = location.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    if not call_id:
        raise _unexpected(operation, response, "no call id in the Location header")
    return CreatedCall(call_id=call_id, sdp=response.text)


# ---------------------------------------------------------------------------------------------
# Failures and retries


def _error_object(response: httpx2.Response) -> ErrorObject | None:
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return None
    if not isinstance(body, dict):
        return None
    inner: Any = body.get("error", body)
    try:
        return msgspec.convert(inner, ErrorObject)
    except msgspec.ValidationError:
        return None


def _sent_credentials(request: httpx2.Request | None) -> list[str]:
    return [] if request is None else credential_values(request.headers.items())


def _request_of(thing: httpx2.Response | httpx2.TransportError) -> httpx2.Request | None:
    try:
        return thing.request
    except RuntimeError:  # built without a request (tests, mock transports)
        return None


def status_error(operation: Operation, response: httpx2.Response, attempts: int) -> APIError:
    """The error for a failed response, with the server's error object and request id.

    The server's text is scrubbed of the credentials the request carried (and of anything
    shaped like a key): a proxy that echoes the request must not put the key into ``str(exc)``.
    """
    known = _sent_credentials(_request_of(response))
    error = _error_object(response)
    if error is not None and isinstance(error.message, str):
        error = msgspec.structs.replace(error, message=scrub(error.message, known))
    request_id = response.headers.get("x-request-id")
    if error is not None and isinstance(error.message, str) and error.message:
        detail = error.message
    else:
        text = response.text.strip()
        detail = scrub(text, known)
        detail = detail[:_BODY_PREVIEW] + ("..." if len(detail) > _BODY_PREVIEW else "")
        detail = detail or response.reason_phrase
    suffix = f" (request id {request_id})" if request_id else ""
    return APIError(
        f"{operation.name} failed with HTTP {response.status_code}: {detail}{suffix}",
        method=operation.method,
        path=operation.path,
        status=response.status_code,
        error=error,
        request_id=request_id,
        attempts=attempts,
    )


def transport_error(operation: Operation, exc: httpx2.TransportError, attempts: int) -> APIError:
    """The error when no response came back. The httpx2 exception is not kept: its request
    carries the credentials."""
    kind = APITimeoutError if isinstance(exc, httpx2.TimeoutException) else APIConnectionError
    what = "timed out" if kind is APITimeoutError else "could not reach the server"
    detail = scrub(str(exc), _sent_credentials(_request_of(exc))) or type(exc).__name__
    return kind(
        f"{operation.name} {what} after {attempts} attempt(s): {detail}",
        method=operation.method,
        path=operation.path,
        attempts=attempts,
    )


def delay_after_response(
    settings: Settings, operation: Operation, response: httpx2.Response, retry: int
) -> float:
    """Seconds to wait before sending again; raises :class:`APIError` when giving up."""
    delay = settings.retry.delay_after_response(retry, response.status_code, response.headers)
    if delay is None:
        raise status_error(operation, response, retry + 1)
    log.warning(
        "rest.retry",
        operation=operation.name,
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
        attempt=retry + 1,
        delay=round(delay, 3),
    )
    return delay


def delay_after_transport_error(
    settings: Settings, operation: Operation, exc: httpx2.TransportError, retry: int
) -> float:
    """Seconds to wait after a connection failure; raises :class:`APIError` when giving up."""
    delay = settings.retry.delay_after_connection_error(retry)
    if delay is None:
        raise transport_error(operation, exc, retry + 1)
    log.warning(
        "rest.retry",
        operation=operation.name,
        error=type(exc).__name__,
        attempt=retry + 1,
        delay=round(delay, 3),
    )
    return delay
