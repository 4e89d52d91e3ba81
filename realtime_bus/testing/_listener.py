"""The TCP listener: one asyncio protocol per connection, serving HTTP and WebSocket on one port.

Each connection starts as HTTP/1.1. Its request head is read here; a WebSocket upgrade is handed
to the host (which checks it and, when it accepts, returns the :class:`WebSocketConnection` that
takes over the socket); any other request is read in full and answered by the host's
:class:`HttpRoutes`, with keep-alive.

A connection is bounded in time and memory: the whole request (head and body) must arrive
within the host's ``request_timeout`` of the connection opening or of the previous answer
(otherwise 408, or a plain close when nothing was sent), a body is refused with 413 as soon as
its declared size (``Content-Length`` or a chunk header) goes past the limit, and reading
stops while a request is being answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol, cast

from websockets.http11 import Request
from websockets.server import ServerProtocol

from .._log import get_logger
from ._http import (
    MAX_BODY_BYTES,
    MAX_HEAD_BYTES,
    HttpError,
    HttpRequest,
    HttpResponse,
    HttpRoutes,
    RequestHead,
    parse_head,
)
from ._timer import Timer
from ._wsconn import WebSocketConnection

__all__ = ["Listener", "ListenerHost", "Peer", "accept_websocket"]

_log = get_logger("realtime_bus.testing.http")

_MAX_CHUNK_LINE = 1024
"""Longest chunk-size line (hex size and extensions) accepted in a chunked body."""


class ListenerHost(Protocol):
    """What the listener needs from the server it serves."""

    http_routes: HttpRoutes
    request_timeout: float

    def upgrade(
        self, listener: Listener, head: RequestHead, raw: bytes
    ) -> WebSocketConnection | None:
        """Handle a WebSocket upgrade request whose bytes (head and anything after) are ``raw``.

        Returns the connection that now owns the socket, or ``None`` when the request was
        answered (refused) and the socket is being closed.
        """


class Peer(Protocol):
    """What takes over an accepted WebSocket: a session, a Live connection."""

    def on_message(self, data: bytes, is_text: bool) -> None:
        """One complete client message arrived."""

    def connection_closed(self) -> None:
        """The TCP connection is gone."""


def accept_websocket(
    listener: Listener,
    protocol: ServerProtocol,
    raw: bytes,
    *,
    refuse: Callable[[HttpResponse], None],
    attach: Callable[[WebSocketConnection, Request], Peer],
) -> WebSocketConnection | None:
    """Finish the opening handshake in ``raw`` and hand the socket to the peer ``attach`` makes.

    A request the WebSocket core cannot read is refused with 400 through ``refuse``; one it
    answers itself with another status than 101 gets that answer and the socket closes
    (``None`` in both cases). Otherwise the connection is returned, its messages and its end
    going to the peer.
    """
    protocol.receive_data(raw)
    events = protocol.events_received()
    transport = listener.transport
    assert transport is not None
    if not events or not isinstance(events[0], Request):
        refuse(HttpResponse.error(400, "Invalid WebSocket handshake request."))
        return None
    request = events[0]
    response = protocol.accept(request)
    protocol.send_response(response)
    transport.write(b"".join(protocol.data_to_send()))
    if response.status_code != 101:
        transport.close()
        return None
    peer: Peer | None = None

    def on_message(data: bytes, is_text: bool) -> None:
        assert peer is not None
        peer.on_message(data, is_text)

    def on_closed() -> None:
        assert peer is not None
        peer.connection_closed()

    ws = WebSocketConnection(transport, protocol, on_message, on_closed)
    peer = attach(ws, request)
    return ws


def is_upgrade(head: RequestHead) -> bool:
    """Whether the request asks for a WebSocket."""
    upgrade = head.header("upgrade") or ""
    return upgrade.lower() == "websocket"


class Listener(asyncio.Protocol):
    """One TCP connection to the simulator."""

    def __init__(self, host: ListenerHost) -> None:
        self.host = host
        self.transport: asyncio.Transport | None = None
        self.ws: WebSocketConnection | None = None
        self._buffer = bytearray()
        self._head: RequestHead | None = None
        self._task: asyncio.Task[None] | None = None
        self._deadline = Timer()

    # -- asyncio callbacks -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Not an isinstance check: uvloop's transports do not subclass asyncio.Transport.
        self.transport = cast(asyncio.Transport, transport)
        self._deadline.arm(self.host.request_timeout, self._timed_out)

    def data_received(self, data: bytes) -> None:
        if self.ws is not None:
            self.ws.data_received(data)
            return
        self._buffer += data
        if self._task is None:
            self._process()

    def connection_lost(self, exc: Exception | None) -> None:
        self._deadline.cancel()
        if self.ws is not None:
            self.ws.connection_lost(exc)
        elif self._task is not None:
            self._task.cancel()

    def pause_writing(self) -> None:
        if self.ws is not None:
            self.ws.pause_writing()

    def resume_writing(self) -> None:
        if self.ws is not None:
            self.ws.resume_writing()

    # -- time limits -----------------------------------------------------------------------

    def _timed_out(self) -> None:
        if self.ws is not None or self._task is not None or self.transport is None:
            return
        if self._buffer or self._head is not None:
            _log.info("http_request_timeout", received=len(self._buffer))
            self._reply(HttpResponse.error(408, "Request timed out."), keep_alive=False)
        else:  # an idle keep-alive connection: nothing to answer
            self.transport.close()

    # -- HTTP ------------------------------------------------------------------------------

    def _process(self) -> None:
        assert self.transport is not None
        try:
            if self._head is None:
                end = self._buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self._buffer) > MAX_HEAD_BYTES:
                        raise HttpError(431, "Request header fields too large.")
                    return
                head = parse_head(bytes(self._buffer[:end]))
                if is_upgrade(head):
                    self._deadline.cancel()
                    raw = bytes(self._buffer)
                    self._buffer.clear()
                    self.ws = self.host.upgrade(self, head, raw)
                    return
                del self._buffer[: end + 4]
                self._head = head
            body = self._read_body(self._head)
            if body is None:
                return
        except HttpError as exc:
            self._reply(HttpResponse.error(exc.status, exc.message), keep_alive=False)
            return
        self._deadline.cancel()
        request = HttpRequest.from_head(self._head, body)
        keep_alive = (self._head.header("connection") or "").lower() != "close"
        self._head = None
        # A client that pipelines requests waits for each answer: read no more meanwhile.
        self.transport.pause_reading()
        self._task = asyncio.get_running_loop().create_task(self._serve(request, keep_alive))

    def _read_body(self, head: RequestHead) -> bytes | None:
        if (head.header("transfer-encoding") or "").lower() == "chunked":
            return self._read_chunked()
        length_text = head.header("content-length") or "0"
        if not length_text.isdigit():
            raise HttpError(400, "Invalid Content-Length.")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            raise HttpError(413, "Request body too large.")
        if len(self._buffer) < length:
            return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return body

    def _read_chunked(self) -> bytes | None:
        body = bytearray()
        pos = 0
        while True:
            line_end = self._buffer.find(b"\r\n", pos)
            if line_end < 0:
                if len(self._buffer) - pos > _MAX_CHUNK_LINE:
                    raise HttpError(400, "Invalid chunk size.")
                return None
            size_text = bytes(self._buffer[pos:line_end]).split(b";")[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise HttpError(400, "Invalid chunk size.") from None
            if size < 0 or len(body) + size > MAX_BODY_BYTES:
                # Refused on the declaration, before any of it is buffered.
                raise HttpError(413, "Request body too large.")
            start = line_end + 2
            if size == 0:
                trailer_end = self._buffer.find(b"\r\n\r\n", line_end)
                if trailer_end < 0:
                    return None
                del self._buffer[: trailer_end + 4]
                return bytes(body)
            if len(self._buffer) < start + size + 2:
                return None
            body += self._buffer[start : start + size]
            pos = start + size + 2

    async def _serve(self, request: HttpRequest, keep_alive: bool) -> None:
        try:
            response = await self.host.http_routes.dispatch(request)
        except Exception as exc:
            _log.error(
                "http_handler_failed", method=request.method, path=request.path, error=repr(exc)
            )
            response = HttpResponse.error(500, "The server had an error.", type="server_error")
        self._task = None
        self._reply(response, keep_alive=keep_alive)
        if not keep_alive or self.transport is None or self.transport.is_closing():
            return
        self._deadline.arm(self.host.request_timeout, self._timed_out)
        self.transport.resume_reading()
        if self._buffer:
            self._process()

    def reply(self, response: HttpResponse) -> None:
        """Answer with ``response`` and close the connection (used for refused upgrades)."""
        self._reply(response, keep_alive=False)

    def _reply(self, response: HttpResponse, *, keep_alive: bool) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        transport.write(response.serialize(keep_alive=keep_alive))
        if not keep_alive:
            transport.close()
