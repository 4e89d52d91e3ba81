"""The addresses a local server is reached at, once it listens.

The simulator and the replay server serve the Realtime WebSocket on ``ws://HOST:PORT/v1``; their
``port``, ``url`` and ``ws_base_url`` are the same rule, kept here, outside ``testing``, so that
the recording proxy (which serves the same endpoint) can share it.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["ServerAddresses"]


class ServerAddresses:
    """``port``, ``url`` and ``ws_base_url`` of a server that sets ``host`` and ``_port``."""

    __slots__ = ()

    host: str
    _port: int | None
    _server_name: ClassVar[str] = "the server"
    """How the error of a server not yet listening names it."""

    @property
    def port(self) -> int:
        """The TCP port (known once started)."""
        if self._port is None:
            raise RuntimeError(f"{self._server_name} is not running")
        return self._port

    @property
    def url(self) -> str:
        """The Realtime WebSocket endpoint, ``ws://HOST:PORT/v1/realtime`` (add ``?model=``)."""
        return f"{self.ws_base_url}/realtime"

    @property
    def ws_base_url(self) -> str:
        """``ws://HOST:PORT/v1``: the ``websocket_base_url`` of the ``openai`` SDK."""
        return f"ws://{self.host}:{self.port}/v1"
