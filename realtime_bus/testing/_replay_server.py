"""Serving a recording: a Realtime server that answers with a recorded session's frames.

Each client connection gets the recorded connections in turn. The server frames recorded
before the client's first event go out at once; each later burst goes out when the client has
sent what the recorded client had sent before it (see :mod:`realtime_bus.recording._gates`),
so a real session's traffic tests any client. A connection the server ended in the recording
is ended the same way once its frames are out; otherwise it stays open until the client closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Sequence
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .._address import ServerAddresses
from .._log import get_logger
from ..recording import Connection, Recording, load_recording
from ..recording._gates import ClientCount, client_event_of, gates_for
from ..recording._proxy import stop_server
from ..recording._secrets import KEY_SUBPROTOCOL

__all__ = ["ReplayServer"]

_log = get_logger("realtime_bus.testing.replay_server")


class ReplayServer(ServerAddresses):
    """Serves ``recording`` on ``host:port`` (0: a free port); ``async with`` starts and stops it.

    ``pace`` scales the recorded time between frames of a burst (``0``: at once);
    ``gate_timeout`` bounds the wait for the client's event before a burst plays anyway.
    """

    _server_name = "the replay server"

    def __init__(
        self,
        recording: Recording | str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        pace: float = 0.0,
        gate_timeout: float = 30.0,
    ) -> None:
        self.recording = (
            recording if isinstance(recording, Recording) else load_recording(recording)
        )
        self._connections = self.recording.connections()
        self.host = host
        self._requested_port = port
        self.pace = pace
        self.gate_timeout = gate_timeout
        self.served = 0
        """Client connections served so far."""
        self.stalls: list[str] = []
        """Bursts that played after ``gate_timeout`` without the client's event."""
        self._server: Server | None = None
        self._port: int | None = None

    async def __aenter__(self) -> ReplayServer:
        self._server = await serve(
            self._handle,
            self.host,
            self._requested_port,
            process_request=_require_key,
            select_subprotocol=_select_subprotocol,
            max_size=64 * 1024 * 1024,
        )
        self._port = next(iter(self._server.sockets)).getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        server, self._server = self._server, None
        await stop_server(server)

    async def _handle(self, ws: ServerConnection) -> None:
        if not self._connections:
            await ws.close(1011, "the recording has no connection")
            return
        connection = self._connections[self.served % len(self._connections)]
        self.served += 1
        try:
            await self._play(ws, connection)
        except ConnectionClosed:
            pass

    async def _play(self, ws: ServerConnection, connection: Connection) -> None:
        count = ClientCount()
        progress = asyncio.Event()

        async def read() -> None:
            async for message in ws:
                data = message.encode() if isinstance(message, str) else message
                count.add(*client_event_of(data))
                progress.set()

        reader = asyncio.create_task(read())
        try:
            start = connection.frames[0].t if connection.frames else 0.0
            gates = iter(gates_for(connection.frames, start))
            released: Any = None
            released_at = time.monotonic()
            for frame in connection.frames:
                if frame.dir != "in":
                    continue
                gate = next(gates)
                if gate is not released:
                    deadline = time.monotonic() + self.gate_timeout
                    while not count.covers(gate) and not reader.done():
                        left = deadline - time.monotonic()
                        if left <= 0:
                            self.stalls.append(f"waited for {count.missing(gate)}; played on")
                            break
                        progress.clear()
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(progress.wait(), left)
                    if reader.done():
                        return
                    released, released_at = gate, time.monotonic()
                if self.pace > 0:
                    delay = released_at + (frame.t - gate.anchor) * self.pace - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                await ws.send(frame.data().decode("utf-8", "replace"))
            end = connection.end
            if connection.server_closed and end is not None:
                await ws.close(end.code or 1000, end.reason or "")
            else:
                await reader
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)


def _select_subprotocol(ws: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
    """``realtime`` when the client offers it (browsers do), else none."""
    return Subprotocol("realtime") if "realtime" in offered else None


def _require_key(ws: ServerConnection, request: Request) -> Response | None:
    """As the service: no key, no session (any non-empty key is accepted)."""
    auth = request.headers.get("Authorization", "")
    offered = ",".join(request.headers.get_all("Sec-WebSocket-Protocol"))
    if (
        (auth.startswith("Bearer ") and auth[7:].strip())
        or request.headers.get("api-key")
        or KEY_SUBPROTOCOL in offered
    ):
        return None
    _log.info("replay_handshake_refused", reason="no key")
    return ws.respond(401, "Missing bearer or basic authentication in header.\n")
