"""The ASGI endpoint: Twilio's media WebSocket and the voice webhook, for any ASGI server.

Mount it in FastAPI or Starlette (``app.mount("/twilio", twilio)``) or serve it alone
(``realtime-bus twilio``). It routes on the last segment of the path: ``.../media`` is the
media WebSocket, ``POST .../voice`` answers the TwiML that points the call at the ``media``
path next to it. Each WebSocket is one call with its own bus.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from ..._log import get_logger
from ...agent import BargeIn
from ...bus import Bus
from ._bridge import BridgeOptions, SocketClosed, run_call
from ._call import TwilioCall
from ._twiml import connect_stream_twiml, valid_signature

__all__ = ["TwilioApp"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_MAX_BODY = 64 * 1024
_BODY_TIMEOUT = 10.0
_log = get_logger("realtime_bus.telephony.twilio")


class _AsgiSocket:
    """An accepted ASGI WebSocket as the bridge's :class:`MediaSocket`."""

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive = receive
        self._send = send
        self.closed = False

    async def receive_text(self) -> str | None:
        while not self.closed:
            message = await self._receive()
            kind = message["type"]
            if kind == "websocket.receive":
                text = message.get("text")
                if text is None:
                    text = bytes(message.get("bytes") or b"").decode("utf-8", "replace")
                return str(text)
            if kind == "websocket.disconnect":
                self.closed = True
        return None

    async def send_text(self, text: str) -> None:
        if self.closed:
            raise SocketClosed
        try:
            await self._send({"type": "websocket.send", "text": text})
        except (OSError, RuntimeError) as exc:  # the server reports a gone client either way
            self.closed = True
            raise SocketClosed from exc

    async def close(self, code: int = 1000) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            await self._send({"type": "websocket.close", "code": code})
        except (OSError, RuntimeError):
            pass


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


class TwilioApp:
    """An ASGI app that bridges Twilio Media Streams calls to buses.

    ::

        from realtime_bus import Bus
        from realtime_bus.telephony.twilio import TwilioApp, TwilioCall

        def connect(call: TwilioCall) -> Bus:
            return Bus.openai(model="gpt-realtime")

        twilio = TwilioApp(connect)        # app.mount("/twilio", twilio) in FastAPI

    ``connect`` makes the bus of each call (not yet open: the bridge opens it, sets the
    session's audio to G.711 mu-law in and out, and closes it when the call ends). ``on_call``
    then runs with the :class:`TwilioCall` (its ``bus``, ``playback`` and ``parameters``), to
    configure the session or register handlers; media flows once it returns.
    ``barge_in`` is the :class:`~realtime_bus.agent.BargeIn` policy of each call's
    :class:`~realtime_bus.agent.Playback`. A mark follows every ``mark_every_ms`` of audio sent,
    so truncation is that precise.

    ``public_url`` (``https://host``) is where Twilio reaches this app; by default it is taken
    from the request's ``Host`` (and ``X-Forwarded-Proto``) header. With ``auth_token`` (the
    account's, never logged), requests without Twilio's valid signature are refused with 403.
    ``stream_parameters`` lists the voice webhook's form fields copied into the stream's
    ``<Parameter>`` s, which reach :attr:`TwilioCall.parameters`.
    """

    def __init__(
        self,
        connect: Callable[[TwilioCall], Bus],
        *,
        on_call: Callable[[TwilioCall], Awaitable[object]] | None = None,
        barge_in: BargeIn | bool = True,
        mark_every_ms: float = 100.0,
        public_url: str | None = None,
        auth_token: str | None = None,
        stream_parameters: tuple[str, ...] = ("From", "To"),
        start_timeout: float = 10.0,
        idle_timeout: float = 30.0,
    ) -> None:
        if mark_every_ms <= 0:
            raise ValueError("mark_every_ms must be positive")
        self.options = BridgeOptions(
            connect=connect,
            on_call=on_call,
            barge_in=barge_in,
            mark_every_ms=mark_every_ms,
            start_timeout=start_timeout,
            idle_timeout=idle_timeout,
        )
        self.public_url = public_url.rstrip("/") if public_url else None
        self._auth_token = auth_token
        self.stream_parameters = stream_parameters
        self.calls: dict[str, TwilioCall] = {}
        """The calls in progress, by stream sid."""
        self._tasks: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        signed = "on" if self._auth_token else "off"
        return f"TwilioApp(calls={len(self.calls)}, signature_check={signed})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        segment = self._route(scope).rstrip("/").rsplit("/", 1)[-1]
        if kind == "websocket":
            if segment == "media":
                await self._media(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1008})
            return
        if kind == "http":
            if segment == "voice" and scope.get("method") == "POST":
                await self._voice(scope, receive, send)
            elif segment == "voice":
                await _respond(send, 405, "text/plain", "use POST\n", {"allow": "POST"})
            else:
                await _respond(send, 404, "text/plain", "not found\n")

    # -- routing ---------------------------------------------------------------------------

    @staticmethod
    def _route(scope: Scope) -> str:
        path = str(scope.get("path", "/"))
        root = str(scope.get("root_path", ""))
        return path[len(root) :] if root and path.startswith(root) else path

    @staticmethod
    def _full_path(scope: Scope) -> str:
        path = str(scope.get("path", "/"))
        root = str(scope.get("root_path", ""))
        return path if not root or path.startswith(root) else root + path

    def _base_url(self, scope: Scope, *, websocket: bool) -> str:
        if self.public_url is not None:
            base = self.public_url
        else:
            headers = _headers(scope)
            host = headers.get("host") or "localhost"
            proto = headers.get("x-forwarded-proto", "").split(",")[0].strip()
            secure = proto == "https" if proto else scope.get("scheme") in ("https", "wss")
            base = f"{'https' if secure else 'http'}://{host}"
        if websocket:
            return base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        return base

    def _request_url(self, scope: Scope, *, websocket: bool) -> str:
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        url = self._base_url(scope, websocket=False) + self._full_path(scope)
        if websocket:
            url = url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        return f"{url}?{query}" if query else url

    def _signed(
        self, scope: Scope, params: list[tuple[str, str]], *, websocket: bool = False
    ) -> bool:
        if self._auth_token is None:
            return True
        signature = _headers(scope).get("x-twilio-signature")
        url = self._request_url(scope, websocket=websocket)
        if valid_signature(self._auth_token, signature, url, params):
            return True
        # Twilio signs the URL it was configured with; behind a proxy the scheme may differ.
        other = url.replace("wss://", "https://", 1) if websocket else url
        return other != url and valid_signature(self._auth_token, signature, other, params)

    # -- the voice webhook -------------------------------------------------------------------

    async def _voice(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with asyncio.timeout(_BODY_TIMEOUT):
                body = await _read_body(receive)
        except TimeoutError:
            await _respond(send, 408, "text/plain", "request body too slow\n")
            return
        if body is None:
            await _respond(send, 413, "text/plain", "request body too large\n")
            return
        params = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        if not self._signed(scope, params):
            _log.warning("twilio voice request with a bad signature refused")
            await _respond(send, 403, "text/plain", "bad signature\n")
            return
        fields = dict(params)
        carried = {name: fields[name] for name in self.stream_parameters if name in fields}
        path = self._full_path(scope).rstrip("/")
        stream_url = self._base_url(scope, websocket=True) + path.rsplit("/", 1)[0] + "/media"
        await _respond(send, 200, "text/xml", connect_stream_twiml(stream_url, carried))

    # -- the media stream ------------------------------------------------------------------

    async def _media(self, scope: Scope, receive: Receive, send: Send) -> None:
        first = await receive()
        if first["type"] != "websocket.connect":
            return
        if not self._signed(scope, [], websocket=True):
            _log.warning("twilio media stream with a bad signature refused")
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "websocket.accept"})
        socket = _AsgiSocket(receive, send)
        await run_call(socket, self.options, self.calls)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _read_body(receive: Receive) -> bytes | None:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return bytes(body)
        body += message.get("body", b"")
        if len(body) > _MAX_BODY:
            return None
        if not message.get("more_body", False):
            return bytes(body)


async def _respond(
    send: Send,
    status: int,
    content_type: str,
    text: str,
    extra: Mapping[str, str] | None = None,
) -> None:
    body = text.encode()
    headers = [
        (b"content-type", f"{content_type}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
