"""What the bus needs from a connection, whatever carries it (a WebSocket, memory, a replay)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from ._endpoint import Endpoint
from ._errors import TransportClosed
from ._options import ConnectOptions

__all__ = ["Connector", "Transport", "abort_transport"]


class Transport(Protocol):
    """Frames in, frames out, close.

    ``recv`` and ``send`` raise :class:`TransportClosed` once the link is closed; ``close`` and
    ``wait_closed`` return within a bounded time; ``abort`` drops the link at once.
    """

    async def recv(self) -> bytes | str:
        """The next frame (a text frame's UTF-8 bytes, or ``str``)."""
        ...

    async def send(self, frame: bytes | str) -> None:
        """Write one text frame."""
        ...

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a close frame; bounded even if the peer never answers."""
        ...

    def abort(self) -> None:
        """Drop the link now, without a close frame."""
        ...

    async def wait_closed(self) -> TransportClosed:
        """Return, with the reason, once the link is closed (by either side)."""
        ...


Connector = Callable[[Endpoint, ConnectOptions], Awaitable[Transport]]
"""Opens one connection to an endpoint: :func:`open_websocket` by default, an in-memory end or
a replay transport (which plays a recording, with no network) in tests. Raises
:class:`ConnectFailed` or :class:`HandshakeRefused` when it cannot."""


def abort_transport(transport: Transport) -> None:
    """Drop a connection at once, without a closing handshake (a no-op once it is closed)."""
    transport.abort()
