"""An ASGI application served by a real uvicorn on 127.0.0.1, for the tests that need one."""

from __future__ import annotations

import threading
from typing import Any

import uvicorn


class Served:
    """A uvicorn server running ``app`` on a free loopback port, in its own thread."""

    def __init__(self, app: Any, name: str = "uvicorn-test") -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, name=name)
        self.port = 0

    def __enter__(self) -> Served:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                break
            self.thread.join(0.01)
        assert self.server.started, "uvicorn did not start"
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def ws_url(self, path: str) -> str:
        """The WebSocket URL of ``path`` on the server."""
        return f"ws://127.0.0.1:{self.port}{path}"

    def http_url(self, path: str = "") -> str:
        """The HTTP URL of ``path`` on the server (without one, the server's base URL)."""
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        assert not self.thread.is_alive()
