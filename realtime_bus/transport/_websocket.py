"""The WebSocket client under the bus: opens connections with deliberate limits and keepalive."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.protocol import State
from websockets.version import version as websockets_version

from ._endpoint import Endpoint
from ._errors import HandshakeRefused

__all__ = ["ConnectOptions", "Connector", "Transport", "abort_transport", "open_websocket"]


class Transport(Protocol):
    """What the bus needs from a connection: frames in, frames out, close."""

    async def recv(self, decode: bool | None = None) -> str | bytes: ...

    async def send(self, message: str | bytes, *, text: bool | None = None) -> None: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


Connector = Callable[[Endpoint, "ConnectOptions"], Awaitable[Transport]]
"""Opens one connection to an endpoint: :func:`open_websocket` by default; a replay transport
(which plays a recording, with no network) in tests. The end of a connection is signalled as
websockets does, by ``ConnectionClosed`` from ``recv`` or ``send``."""


def abort_transport(transport: Transport) -> None:
    """Drop a connection at once, without a closing handshake (a no-op once it is closed)."""
    if isinstance(transport, ClientConnection):
        if transport.state is not State.CLOSED:
            transport.transport.abort()
        return
    abort = getattr(transport, "abort", None)
    if callable(abort):
        abort()


@dataclass(frozen=True)
class ConnectOptions:
    """How connections are opened and kept alive.

    The defaults survive a long model turn: the server's WebSocket stack answers pings whatever
    the model is doing, so a missing pong for ``ping_timeout`` seconds means the link is gone.
    ``max_size`` is raised from the usual 1 MiB because ``conversation.item.retrieved`` can carry
    minutes of audio. Compression is off by default: audio is base64 that deflate barely shrinks,
    at a real CPU cost per frame. ``websocket_options`` passes anything else to
    ``websockets.asyncio.client.connect``.
    """

    open_timeout: float = 10.0
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    close_timeout: float = 2.0
    max_size: int | None = 64 * 1024 * 1024
    max_queue: int | None = 1024
    compression: str | None = None
    websocket_options: dict[str, Any] = field(default_factory=dict)


async def open_websocket(endpoint: Endpoint, options: ConnectOptions) -> ClientConnection:
    """Open a connection; a refused handshake raises :class:`HandshakeRefused`."""
    headers = await endpoint.resolve_headers()
    kwargs: dict[str, Any] = {
        "additional_headers": headers,
        "open_timeout": options.open_timeout,
        "ping_interval": options.ping_interval,
        "ping_timeout": options.ping_timeout,
        "close_timeout": options.close_timeout,
        "max_size": options.max_size,
        "max_queue": options.max_queue,
        "compression": options.compression,
        "user_agent_header": f"realtime-bus websockets/{websockets_version}",
    }
    kwargs.update(options.websocket_options)
    try:
        return await connect(endpoint.url, **kwargs)
    except InvalidStatus as exc:
        response = exc.response
        body = bytes(response.body or b"")[:500].decode("utf-8", "replace")
        raise HandshakeRefused(response.status_code, response.reason_phrase, body) from None
