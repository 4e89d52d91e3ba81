"""The WebSocket transport: opens connections with deliberate limits, keeps them alive honestly.

The keepalive is ours rather than websockets': a client whose handlers are behind stops reading,
and then the server's pong sits unread in the socket. websockets would call that a dead link and
close it with 1011; here the ping timeout only runs while the bus is reading, so a slow consumer
never kills its own healthy link. Pings keep going out meanwhile, so a peer that is really gone
still shows up (as a failed write).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException
from websockets.version import version as websockets_version

from .._secrets import RedactingLogger, redact_text
from ._endpoint import Endpoint
from ._errors import ConnectFailed, HandshakeRefused, TransportClosed
from ._options import ConnectOptions

__all__ = ["WebSocketTransport", "open_websocket"]

_STEP = 0.25
"""How often an unanswered ping checks whether the bus is reading (seconds)."""


class WebSocketTransport:
    """A :class:`~realtime_bus.transport.Transport` over a websockets client connection."""

    __slots__ = ("_failure", "_in_recv", "_keepalive", "_options", "_ws")

    def __init__(self, ws: ClientConnection, options: ConnectOptions) -> None:
        self._ws = ws
        self._options = options
        self._in_recv = False
        self._failure: TransportClosed | None = None
        self._keepalive: asyncio.Task[None] | None = None
        if options.ping_interval is not None:
            self._keepalive = asyncio.get_running_loop().create_task(self._ping_loop())

    async def recv(self) -> bytes | str:
        """The next frame (text frames as UTF-8 bytes)."""
        self._in_recv = True
        try:
            return await self._ws.recv(decode=False)
        except ConnectionClosed as exc:
            raise self._closed(exc) from None
        finally:
            self._in_recv = False

    async def send(self, frame: bytes | str) -> None:
        """Write one text frame."""
        try:
            await self._ws.send(frame, text=True)
        except ConnectionClosed as exc:
            raise self._closed(exc) from None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """The close handshake, bounded by ``close_timeout`` (then the link is dropped)."""
        self._stop_keepalive()
        try:
            await asyncio.wait_for(self._ws.close(code, reason), self._options.close_timeout + 1)
        except (TimeoutError, ConnectionClosed, OSError):
            self.abort()

    def abort(self) -> None:
        """Drop the link now."""
        self._stop_keepalive()
        self._ws.transport.abort()

    async def wait_closed(self) -> TransportClosed:
        """Wait until the link is closed; return why."""
        await self._ws.wait_closed()
        return self._closed(self._ws.protocol.close_exc)

    def _stop_keepalive(self) -> None:
        if self._keepalive is not None and self._keepalive is not asyncio.current_task():
            self._keepalive.cancel()

    def _closed(self, exc: ConnectionClosed) -> TransportClosed:
        if self._failure is not None:
            return self._failure
        rcvd, sent = exc.rcvd, exc.sent
        if sent is not None and (rcvd is None or exc.rcvd_then_sent is False):
            detail = f" ({sent.reason})" if sent.reason else ""
            text = f"closed by the client with code {sent.code}{detail}"
            return TransportClosed(text, code=sent.code, reason=sent.reason, by_client=True)
        if rcvd is not None:
            detail = f" ({rcvd.reason})" if rcvd.reason else ""
            text = f"closed by server with code {rcvd.code}{detail}"
            return TransportClosed(text, code=rcvd.code, reason=rcvd.reason)
        return TransportClosed("connection dropped without a close frame")

    async def _ping_loop(self) -> None:
        interval = self._options.ping_interval or 20.0
        timeout = self._options.ping_timeout
        loop = asyncio.get_running_loop()
        try:
            while True:
                await asyncio.sleep(interval)
                pong = asyncio.ensure_future(await self._ws.ping())
                if timeout is None:
                    continue
                deadline = loop.time() + timeout
                next_ping = loop.time() + interval
                while not pong.done():
                    try:
                        await asyncio.wait_for(asyncio.shield(pong), min(_STEP, timeout))
                    except TimeoutError:
                        now = loop.time()
                        if not self._in_recv:
                            # The bus is behind and the pong may sit unread: stop the clock,
                            # but keep pinging, so that a peer that is gone fails a write.
                            deadline += _STEP
                            if now >= next_ping:
                                next_ping = now + interval
                                await self._ws.ping()
                        elif now >= deadline:
                            self._fail_keepalive(timeout)
                            return
        except ConnectionClosed:
            return

    def _fail_keepalive(self, timeout: float) -> None:
        self._failure = TransportClosed(
            f"keepalive ping timeout (no pong within {timeout} s)",
            code=1011,
            reason="keepalive ping timeout",
            by_client=True,
        )
        self._ws.transport.abort()


def _connect_error(url: str, exc: BaseException) -> ConnectFailed:
    """What a failed connect says, and whether trying again can help."""
    permanent = isinstance(exc, (InvalidURI, ValueError, TypeError, ssl.SSLCertVerificationError))
    if isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLEOFError):
        permanent = True
    if isinstance(exc, TimeoutError):
        what = "the opening handshake timed out"
    else:
        what = redact_text(f"{type(exc).__name__}: {exc}")
    return ConnectFailed(f"could not connect to {url}: {what}", retryable=not permanent)


async def open_websocket(endpoint: Endpoint, options: ConnectOptions) -> WebSocketTransport:
    """Open a connection.

    A refused handshake raises :class:`HandshakeRefused`; every other failure raises
    :class:`ConnectFailed`, whose ``retryable`` is false when no retry can help (an invalid URI
    or header, a TLS configuration error).
    """
    try:
        headers = await endpoint.resolve_headers()
    except ValueError as exc:
        raise ConnectFailed(str(exc), retryable=False) from None
    kwargs: dict[str, Any] = {
        "additional_headers": headers,
        "open_timeout": options.open_timeout,
        "ping_interval": None,  # ours: see the module docstring
        "close_timeout": options.close_timeout,
        "max_size": options.max_size,
        "max_queue": options.queue_frames(),
        "compression": options.compression,
        "user_agent_header": f"realtime-bus websockets/{websockets_version}",
        "logger": RedactingLogger(),
    }
    kwargs.update(options.websocket_options)
    try:
        ws = await connect(endpoint.url, **kwargs)
    except InvalidStatus as exc:
        response = exc.response
        body = redact_text(bytes(response.body or b"")[:500].decode("utf-8", "replace"))
        raise HandshakeRefused(response.status_code, response.reason_phrase, body) from None
    except (OSError, TimeoutError, WebSocketException, ValueError, TypeError) as exc:
        raise _connect_error(endpoint.safe_url, exc) from None
    return WebSocketTransport(ws, options)
