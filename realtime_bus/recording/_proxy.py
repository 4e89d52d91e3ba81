"""A recording relay: any Realtime client on one side, any Realtime server on the other.

The client connects to the proxy as it would to the server; the proxy opens the same path and
query on the upstream server with the client's own credentials (``Authorization``,
``api-key``, a key subprotocol) and the protocol headers, then relays every frame both ways,
unchanged, recording each connection to its own file. A refused upstream handshake is
refused to the client with the same status. Credentials are forwarded, never recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .._address import ServerAddresses
from .._log import get_logger
from ._format import Direction
from ._recorder import Recorder
from ._secrets import subprotocol_keys

__all__ = ["FORWARDED_HEADERS", "RecordingProxy", "stop_server", "upstream_url"]

_log = get_logger("realtime_bus.recording.proxy")

FORWARDED_HEADERS = (
    "Authorization",
    "api-key",
    "OpenAI-Beta",
    "OpenAI-Organization",
    "OpenAI-Project",
)
"""Client headers passed on to the upstream server."""

_MAX_SIZE = 64 * 1024 * 1024
_SENDABLE = (
    frozenset(range(1000, 1004)) | frozenset(range(1007, 1015)) | frozenset(range(3000, 5000))
)


async def stop_server(server: Server | None) -> None:
    """Close a WebSocket server and its connections, waiting at most 5 s for them."""
    if server is not None:
        server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 5)


def upstream_url(upstream: str, client_path: str) -> str:
    """The upstream URL for a client's request path (``/v1/realtime?model=...``).

    The client's path goes after the upstream's origin; an upstream path prefix (``/v1``,
    ``/openai``) is kept and not repeated. The client's query follows the upstream's.
    """
    up = urlsplit(upstream)
    scheme = {"https": "wss", "http": "ws"}.get(up.scheme, up.scheme)
    client = urlsplit(client_path)
    prefix = up.path.rstrip("/")
    path = client.path
    if prefix and not (path == prefix or path.startswith(prefix + "/")):
        path = prefix + path
    query = "&".join(q for q in (up.query, client.query) if q)
    return urlunsplit((scheme, up.netloc, path or "/", query, ""))


class RecordingProxy(ServerAddresses):
    """Relays Realtime connections to ``upstream``, recording each into ``record_dir``.

    ``async with RecordingProxy("wss://api.openai.com/v1", "recordings/") as proxy:`` then
    point a client's websocket base URL at :attr:`ws_base_url`. ``record_audio=False`` keeps
    only the size and duration of audio.
    """

    _server_name = "the proxy"

    def __init__(
        self,
        upstream: str,
        record_dir: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        record_audio: bool = True,
        open_timeout: float = 10.0,
    ) -> None:
        scheme = urlsplit(upstream).scheme
        if scheme not in ("ws", "wss", "http", "https"):
            raise ValueError(
                f"the upstream must be a ws://, wss://, http:// or https:// URL: {upstream!r}"
            )
        self.upstream = upstream
        self.record_dir = Path(record_dir)
        self.host = host
        self._requested_port = port
        self.record_audio = record_audio
        self.open_timeout = open_timeout
        self.recordings: list[Path] = []
        """The recordings written so far, one per connection, oldest first."""
        self._upstreams: dict[int, ClientConnection] = {}
        self._ids = itertools.count(1)
        self._server: Server | None = None
        self._port: int | None = None

    async def __aenter__(self) -> RecordingProxy:
        self.record_dir.mkdir(parents=True, exist_ok=True)
        self._server = await serve(
            self._relay,
            self.host,
            self._requested_port,
            process_request=self._open_upstream,
            select_subprotocol=self._select_subprotocol,
            max_size=_MAX_SIZE,
            compression=None,
        )
        self._port = next(iter(self._server.sockets)).getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        server, self._server = self._server, None
        await stop_server(server)
        for upstream in list(self._upstreams.values()):
            await upstream.close()
        self._upstreams.clear()

    # -- the handshake ---------------------------------------------------------------------

    async def _open_upstream(self, ws: ServerConnection, request: Request) -> Response | None:
        headers = {n: request.headers[n] for n in FORWARDED_HEADERS if n in request.headers}
        offered = [
            Subprotocol(p.strip())
            for value in request.headers.get_all("Sec-WebSocket-Protocol")
            for p in value.split(",")
            if p.strip()
        ]
        target = upstream_url(self.upstream, request.path)
        try:
            upstream = await connect(
                target,
                additional_headers=headers,
                subprotocols=offered or None,
                open_timeout=self.open_timeout,
                max_size=_MAX_SIZE,
                compression=None,
                user_agent_header=request.headers.get("User-Agent"),
            )
        except InvalidStatus as exc:
            response = exc.response
            body = bytes(response.body or b"").decode("utf-8", "replace")
            _log.info("upstream_refused", status=response.status_code)
            return ws.respond(
                response.status_code, body or f"upstream refused: {response.status_code}\n"
            )
        except (OSError, TimeoutError) as exc:
            _log.info("upstream_unreachable", error=type(exc).__name__)
            return ws.respond(502, f"the upstream server is unreachable: {type(exc).__name__}\n")
        self._upstreams[id(ws)] = upstream
        return None

    def _select_subprotocol(
        self, ws: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        upstream = self._upstreams.get(id(ws))
        return None if upstream is None else upstream.subprotocol

    # -- relaying --------------------------------------------------------------------------

    async def _relay(self, ws: ServerConnection) -> None:
        upstream = self._upstreams.pop(id(ws), None)
        if upstream is None:  # pragma: no cover - the handshake always sets it
            await ws.close(1011, "no upstream")
            return
        request = ws.request
        assert request is not None
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = self.record_dir / f"proxy-{stamp}-{next(self._ids):04d}.jsonl"
        secret_headers = dict(request.headers.raw_items())
        recorder = Recorder(
            path,
            url=upstream_url(self.upstream, request.path),
            source="proxy",
            audio=self.record_audio,
            headers=secret_headers,
            secrets=subprotocol_keys(request.headers.get_all("Sec-WebSocket-Protocol")),
        )
        self.recordings.append(path)
        recorder.opened(1)
        to_server = asyncio.create_task(_pump(ws, upstream, recorder, "out"))
        to_client = asyncio.create_task(_pump(upstream, ws, recorder, "in"))
        try:
            done, _ = await asyncio.wait({to_server, to_client}, return_when="FIRST_COMPLETED")
            server_first = to_client in done
            ended, other = (upstream, ws) if server_first else (ws, upstream)
            code, reason = ended.close_code, ended.close_reason or ""
            await other.close(code if code in _SENDABLE else 1000, reason)
            if server_first:
                recorder.marker("disconnect", code=code, reason=reason, will_reconnect=False)
            recorder.close(code=code, reason=reason or None)
        finally:
            for task in (to_server, to_client):
                task.cancel()
            await asyncio.gather(to_server, to_client, return_exceptions=True)
            recorder.close()
            await upstream.close()


async def _pump(source: Any, sink: Any, recorder: Recorder, direction: Direction) -> None:
    """Relay ``source``'s messages to ``sink`` until ``source`` closes."""
    frame = recorder.frame
    try:
        async for message in source:
            frame(direction, message)
            await sink.send(message)
    except ConnectionClosed:
        return
