"""A real HTTP server on loopback (uvicorn) for an ASGI app, such as a webhook receiver."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from realtime_bus.rest import RealtimeAPI, WebhookError, WebhookEvent

from .conftest import API_KEY


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve ``app`` on a free loopback port; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        else:
            raise RuntimeError("uvicorn did not start")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@contextlib.asynccontextmanager
async def webhook_receiver(
    api: RealtimeAPI,
    webhook_secret: str,
    refused: list[WebhookError],
    on_event: Callable[[bytes, Request, WebhookEvent], Awaitable[None]],
) -> AsyncIterator[str]:
    """Serve a ``/webhook`` app that verifies each delivery; yields its URL.

    A delivery our client refuses is appended to ``refused`` and answered 400; a verified one
    goes to ``on_event`` (body, request, event) and is answered 200.
    """
    verifier = RealtimeAPI(api_key=API_KEY, base_url=api.base_url, webhook_secret=webhook_secret)

    async def webhook(request: Request) -> Response:
        body = await request.body()
        try:
            event = verifier.webhooks.unwrap(body, request.headers)
        except WebhookError as exc:
            refused.append(exc)
            return PlainTextResponse(str(exc), status_code=400)
        await on_event(body, request, event)
        return Response(status_code=200)

    try:
        async with serve(Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])) as url:
            yield url + "/webhook"
    finally:
        await verifier.close()
