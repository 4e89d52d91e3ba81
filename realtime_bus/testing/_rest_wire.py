"""The simulator's REST wire: request bodies as it reads them, their checks, made-up SIP and SDP.

Errors are raised as :class:`BadRequest` carrying the response to send, in the service's shape.
"""

from __future__ import annotations

import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, Generic, Literal, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from ..protocol import ErrorDetails, RealtimeSession, TranscriptionSession, TranslationAudio
from ._config import check_update
from ._http import HttpRequest, HttpResponse
from ._ids import random_id

__all__ = [
    "MISSING_KEY",
    "BadRequest",
    "Expires",
    "IncomingData",
    "IncomingEvent",
    "LiveIncomingData",
    "RejectBody",
    "ReferBody",
    "SecretBody",
    "SipHeaderBody",
    "TranslationSecretBody",
    "TranslationSessionBody",
    "check_refer_uri",
    "check_reject_status",
    "check_session",
    "check_ttl",
    "decode_body",
    "deliver_webhook",
    "error_response",
    "fault_message",
    "invalid",
    "invite_headers",
    "parse_multipart",
    "ring",
    "sdp_answer",
    "sip_header_bodies",
]

MISSING_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)


class Expires(msgspec.Struct):
    """``expires_after`` of a client secret request."""

    anchor: Literal["created_at"] = "created_at"
    seconds: int = 600


class SecretBody(msgspec.Struct):
    """Body of ``POST /realtime/client_secrets``."""

    session: RealtimeSession | TranscriptionSession | UnsetType = UNSET
    expires_after: Expires | UnsetType = UNSET


class TranslationSessionBody(msgspec.Struct):
    """``session`` of a translation client secret request."""

    model: str
    audio: TranslationAudio | UnsetType = UNSET


class TranslationSecretBody(msgspec.Struct):
    """Body of ``POST /realtime/translations/client_secrets``."""

    session: TranslationSessionBody
    expires_after: Expires | UnsetType = UNSET


class RejectBody(msgspec.Struct):
    """Body of ``reject``; 603 Decline when the code is left out."""

    status_code: int = 603


class ReferBody(msgspec.Struct):
    """Body of ``refer``."""

    target_uri: str


class SipHeaderBody(msgspec.Struct):
    """One SIP header of an incoming call webhook."""

    name: str
    value: str


class IncomingData(msgspec.Struct):
    """``data`` of a ``realtime.call.incoming`` webhook."""

    call_id: str
    sip_headers: list[SipHeaderBody]


class LiveIncomingData(msgspec.Struct):
    """``data`` of a ``live.transport.incoming`` webhook."""

    session_id: str
    sip_headers: list[SipHeaderBody]
    type: Literal["sip"] = "sip"


_Data = TypeVar("_Data", IncomingData, LiveIncomingData)


class IncomingEvent(msgspec.Struct, Generic[_Data]):
    """An incoming-call webhook the simulator sends."""

    id: str
    created_at: int
    data: _Data
    type: str
    object: str = "event"


class BadRequest(Exception):
    """Ends a request early with ``response`` (an error in the service's shape)."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status)
        self.response = response


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> BadRequest:
    """A 400 ``invalid_request_error``."""
    return BadRequest(HttpResponse.error(400, message, param=param, code=code))


def decode_body(request: HttpRequest, kind: type[Any], body: bytes | None = None) -> Any:
    """``body`` (the request's by default) decoded as ``kind``, or a 400 naming the field."""
    raw = request.body if body is None else body
    try:
        return msgspec.json.decode(raw or b"{}", type=kind)
    except msgspec.ValidationError as exc:
        param = str(exc).rpartition("at `$.")[2].rstrip("`") or None
        raise invalid(f"Invalid request body: {exc}", param=param) from None
    except msgspec.DecodeError as exc:
        raise invalid(f"We could not parse the JSON body of your request: {exc}") from None


def error_response(details: ErrorDetails) -> HttpResponse:
    """A 400 response carrying the error the WebSocket side would send."""
    return HttpResponse.error(
        400,
        details.message,
        type=details.type,
        code=details.code if isinstance(details.code, str) else None,
        param=details.param if isinstance(details.param, str) else None,
    )


def check_session(session: RealtimeSession, *, prefix: str = "session") -> None:
    """Refuse a session configuration the WebSocket side would refuse.

    Parameters are named ``session.x`` unless the body is the session itself (``prefix=""``).
    """
    error = check_update(RealtimeSession(), session, has_assistant_audio=False)
    if error is None:
        return
    if isinstance(error.param, str) and prefix != "session":
        error = msgspec.structs.replace(error, param=error.param.replace("session.", prefix, 1))
    raise BadRequest(error_response(error))


def check_ttl(expires: Expires | UnsetType) -> int:
    """The secret's lifetime in seconds, checked against the service's 10 to 7200."""
    seconds = 600 if isinstance(expires, UnsetType) else expires.seconds
    if not 10 <= seconds <= 7200:
        raise invalid(
            f"Invalid 'expires_after.seconds': {seconds}. Expected a value between 10 and 7200.",
            param="expires_after.seconds",
            code="invalid_value",
        )
    return seconds


def check_reject_status(status_code: int) -> None:
    """A reject's SIP status must be a final response code (400 to 699)."""
    if not 400 <= status_code <= 699:
        raise invalid(
            f"Invalid 'status_code': {status_code}. Expected a SIP final response "
            "code between 400 and 699.",
            param="status_code",
            code="invalid_value",
        )


def check_refer_uri(target_uri: str) -> None:
    """A refer's target must be a ``tel:`` or ``sip:`` URI."""
    if not target_uri.strip().startswith(("tel:", "sip:", "sips:")):
        raise invalid(
            f"Invalid 'target_uri': {target_uri!r}. Expected a tel: or sip: URI.",
            param="target_uri",
            code="invalid_value",
        )


async def deliver_webhook(url: str, event: msgspec.Struct, *, secret: str, timeout: float) -> int:
    """POST ``event`` to ``url`` signed with ``secret``; the status the application answered.

    Needs the ``rest`` extra (the signature and the request are made with it).
    """
    import httpx2

    from ..rest import WebhookVerifier

    body = msgspec.json.encode(event)
    signed = WebhookVerifier(secret, seen=None).sign(body)
    async with httpx2.AsyncClient(timeout=timeout) as client:
        response = await client.post(
            url, content=body, headers={**signed, "content-type": "application/json"}
        )
    return response.status_code


async def ring(url: str, event_type: str, data: _Data, *, secret: str, timeout: float) -> int:
    """Send the signed incoming-call webhook ``event_type`` about ``data``'s call to ``url``;
    the status the application answered."""
    event = IncomingEvent(
        id=random_id("evt", 24), created_at=int(time.time()), type=event_type, data=data
    )
    return await deliver_webhook(url, event, secret=secret, timeout=timeout)


def sip_header_bodies(headers: list[tuple[str, str]]) -> list[SipHeaderBody]:
    """A webhook's ``sip_headers``."""
    return [SipHeaderBody(name, value) for name, value in headers]


def parse_multipart(request: HttpRequest) -> dict[str, bytes]:
    """The fields of a ``multipart/form-data`` body, by name."""
    content_type = request.header("content-type") or ""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise invalid("Could not parse the multipart form body.")
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload
    return fields


def sdp_answer(offer: str) -> str:
    """A well-formed SDP answer with one media section per section of the offer."""
    media = [line[2:].split(" ") for line in offer.splitlines() if line.startswith("m=")]
    session_id = int(time.time() * 1000) % 10**10
    lines = ["v=0", f"o=- {session_id} 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0"]
    if media:
        lines.append("a=group:BUNDLE " + " ".join(str(i) for i in range(len(media))))
    for index, parts in enumerate(media):
        kind = parts[0]
        proto = parts[2] if len(parts) > 2 else "UDP/TLS/RTP/SAVPF"
        formats = " ".join(parts[3:]) or "111"
        lines += [f"m={kind} 9 {proto} {formats}", f"a=mid:{index}", "a=setup:active"]
        if kind == "audio":
            lines += ["a=rtcp-mux", "a=rtpmap:111 opus/48000/2"]
    return "\r\n".join(lines) + "\r\n"


def invite_headers(caller: str, callee: str) -> list[tuple[str, str]]:
    """Plausible headers of a SIP INVITE from ``caller`` to ``callee``."""
    return [
        ("From", f'"{caller}" <sip:{caller}@sip.example.net>;tag={random_id("t", 8)}'),
        ("To", f"<sip:{callee}@sip.api.openai.com>"),
        ("Call-ID", random_id("c", 16)),
        ("CSeq", "1 INVITE"),
        ("Max-Forwards", "63"),
        ("Content-Type", "application/sdp"),
    ]


def fault_message(status: int) -> str:
    """The service's wording for an injected failure with ``status``."""
    if status == 429:
        return "Rate limit reached for requests. Please try again later."
    if status >= 500:
        return "The server had an error while processing your request. Sorry about that!"
    return "The simulator refused this request (fault)."
