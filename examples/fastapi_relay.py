"""A browser-to-Realtime relay in FastAPI: the bus embedded in an existing asyncio application.

Each browser that opens the WebSocket ``/realtime`` gets its own :class:`Bus` to the Realtime
server, on the application's own event loop. Client events from the browser are checked and
sent through the bus; server events come back to the browser in order. The API key stays on the
server: the browser never sees it.

The application's lifespan owns what the relays share: where to connect and with which key, the
embedded simulator when no server is given, and the set of live buses, which it closes cleanly
(code 1000) on shutdown.

    python examples/fastapi_relay.py                # simulator; open http://127.0.0.1:8000
    OPENAI_API_KEY=sk-... python examples/fastapi_relay.py \\
        --url "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    REALTIME_URL=... uvicorn examples.fastapi_relay:app
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, WebSocket
from fastapi.responses import HTMLResponse
from starlette.websockets import WebSocketState

from realtime_bus import Bus, Closed, HandshakeRefused, RealtimeBusError, ServerEvent
from realtime_bus.protocol import (
    DecodeError,
    ErrorDetails,
    ErrorEvent,
    UnknownEvent,
)
from realtime_bus.protocol.server import ClientDecoder, encode_server
from realtime_bus.testing import Simulator


@dataclass
class Upstream:
    """What every relay shares, owned by the application's lifespan."""

    url: str
    api_key: str
    buses: set[Bus] = field(default_factory=set)


def create_app(url: str | None = None, api_key: str | None = None) -> FastAPI:
    """The relay application; with no ``url`` it relays to an embedded simulator."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            target = url or (await stack.enter_async_context(Simulator())).url
            key = api_key or os.environ.get("OPENAI_API_KEY", "sk-simulator")
            upstream = app.state.upstream = Upstream(target, key)
            try:
                yield
            finally:
                # Browsers still connected at shutdown: close their buses cleanly first.
                await asyncio.gather(*(bus.close() for bus in list(upstream.buses)))

    app = FastAPI(lifespan=lifespan)

    @app.get("/")
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.websocket("/realtime")
    async def relay(browser: WebSocket) -> None:
        await browser.accept()
        upstream: Upstream = browser.app.state.upstream
        bus = Bus(upstream.url, api_key=upstream.api_key, reconnect=False)

        @bus.on("*")
        async def downstream(event: ServerEvent) -> None:
            # Handlers run one event at a time, so the browser gets events in order; a slow
            # browser holds the bus back (backpressure) rather than piling events up.
            frame = event.raw if isinstance(event, UnknownEvent) else encode_server(event)
            await browser.send_text(frame if isinstance(frame, str) else frame.decode())

        upstream.buses.add(bus)
        code, reason = 1000, ""
        try:
            async with bus:
                code, reason = await serve(browser, bus)
        except HandshakeRefused as exc:  # the server refused our key: tell the browser why
            code, reason = 1011, str(exc)
        except RealtimeBusError as exc:  # the upstream connection was lost
            code, reason = 1011, f"upstream: {exc}"[:120]
        finally:
            upstream.buses.discard(bus)
            if browser.client_state is WebSocketState.CONNECTED:
                with contextlib.suppress(RuntimeError):
                    await browser.close(code, reason)

    return app


async def serve(browser: WebSocket, bus: Bus) -> tuple[int, str]:
    """Relay until the browser leaves or the bus closes; returns the browser's close code."""
    browser_gone = asyncio.create_task(upstream_pump(browser, bus))
    bus_closed = asyncio.create_task(bus.wait_for(Closed))
    try:
        await asyncio.wait({browser_gone, bus_closed}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (browser_gone, bus_closed):
            task.cancel()
        await asyncio.gather(browser_gone, bus_closed, return_exceptions=True)
    if bus_closed.done() and not bus_closed.cancelled() and bus_closed.exception() is None:
        return 1001, "the session ended"
    return 1000, ""


async def upstream_pump(browser: WebSocket, bus: Bus) -> None:
    """Browser frames to client events to the bus, until the browser disconnects."""
    decoder = ClientDecoder()
    async for frame in browser.iter_text():
        try:
            event = decoder.decode(frame)
        except DecodeError as exc:
            # Answered the way the server answers a bad event; the relay keeps going.
            details = ErrorDetails(type="invalid_request_error", message=exc.message)
            if exc.event_id is not None:
                details.event_id = exc.event_id
            await browser.send_text(encode_server(ErrorEvent(error=details)).decode())
            continue
        await bus.send(event)  # waits while the outbound queue is full


PAGE = """<!doctype html>
<meta charset="utf-8"><title>realtime-bus relay</title>
<form id="f"><input id="q" size="60" placeholder="Say something" autofocus>
<button>Send</button></form><pre id="out"></pre>
<script>
const out = document.getElementById("out");
const ws = new WebSocket(`ws://${location.host}/realtime`);
ws.onmessage = (m) => {
  const e = JSON.parse(m.data);
  if (e.type === "session.created") ws.send(JSON.stringify(
    {type: "session.update", session: {type: "realtime", output_modalities: ["text"]}}));
  if (e.type === "response.output_text.delta") out.textContent += e.delta;
  if (e.type === "response.done") out.textContent += "\\n";
  if (e.type === "error") out.textContent += `error: ${e.error.message}\\n`;
};
ws.onclose = (c) => { out.textContent += `closed (${c.code}) ${c.reason}\\n`; };
document.getElementById("f").onsubmit = (ev) => {
  ev.preventDefault();
  const text = document.getElementById("q").value;
  out.textContent += `> ${text}\\n`;
  ws.send(JSON.stringify({type: "conversation.item.create", item: {type: "message",
    role: "user", content: [{type: "input_text", text}]}}));
  ws.send(JSON.stringify({type: "response.create"}));
};
</script>
"""

app = create_app(os.environ.get("REALTIME_URL"))


def main() -> None:
    parser = argparse.ArgumentParser(description="Relay browsers to a Realtime server.")
    parser.add_argument("--url", default=os.environ.get("REALTIME_URL"), help="Realtime server")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    uvicorn.run(create_app(args.url), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
