"""The voice webhook's side: TwiML that connects a call to the media stream, and signatures.

Twilio asks the voice URL what to do with a call (a form-encoded ``POST``); the answer here is
``<Connect><Stream url="wss://.../media">``, a bidirectional stream that lasts as long as the
bridge keeps the WebSocket open. Twilio signs its requests with the account's auth token
(``X-Twilio-Signature``: base64 HMAC-SHA1 of the URL followed by the sorted form fields, each
name then value); :func:`twilio_signature` computes it so the endpoint can check it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import quoteattr

__all__ = ["connect_stream_twiml", "twilio_signature", "valid_signature"]


def connect_stream_twiml(stream_url: str, parameters: Mapping[str, str] | None = None) -> str:
    """TwiML that streams the call to ``stream_url``, carrying ``parameters`` to ``start``."""
    inner = "".join(
        f"<Parameter name={quoteattr(name)} value={quoteattr(value)}/>"
        for name, value in (parameters or {}).items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Connect><Stream url={quoteattr(stream_url)}>{inner}</Stream>"
        "</Connect></Response>"
    )


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]] = ()) -> str:
    """The ``X-Twilio-Signature`` Twilio sends for a request to ``url`` with form ``params``."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid_signature(
    auth_token: str, signature: str | None, url: str, params: Iterable[tuple[str, str]] = ()
) -> bool:
    """Whether ``signature`` is Twilio's for this request (compared in constant time)."""
    if not signature:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.encode())
