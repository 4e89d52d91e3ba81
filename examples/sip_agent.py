"""A phone agent: answer SIP calls to the Realtime API, one bus per call.

A call to your SIP trunk reaches this app as a signed ``realtime.call.incoming`` webhook. The
app checks the signature, accepts the call with a session configuration, opens a bus on the
call's ``call_id``, greets the caller, and hangs up once the model calls ``hang_up`` (the
caller said goodbye). If the caller hangs up first, the bus simply ends.

Against the real service (point the project's webhook at ``https://YOUR-HOST/webhook``)::

    OPENAI_API_KEY=sk-... OPENAI_WEBHOOK_SECRET=whsec_... uvicorn examples.sip_agent:app

Offline, ``create_app(api=..., api_key=..., websocket_base_url=...)`` points it at the
simulator; ``tests/rest/test_sip_agent_example.py`` runs a whole call that way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response

from realtime_bus import Bus, ConnectionLost
from realtime_bus.protocol import (
    FunctionCallItem,
    FunctionTool,
    MessageItem,
    RealtimeSession,
    ResponseDone,
)
from realtime_bus.rest import APIError, RealtimeAPI, RealtimeCallIncoming, WebhookError

HANG_UP = FunctionTool(
    name="hang_up",
    description="End the call. Use it when the caller says goodbye or asks you to hang up.",
    parameters={"type": "object", "properties": {}},
)

AGENT = RealtimeSession(
    model="gpt-realtime",
    instructions=(
        "You answer the phone for Example Dental. Be brief and friendly. Opening hours are "
        "9 to 5 on weekdays. When the caller is done, say goodbye and call hang_up."
    ),
    tools=[HANG_UP],
    tool_choice="auto",
)

MAX_CALL_SECONDS = 15 * 60


@dataclass
class CallRecord:
    """One call as the app saw it."""

    call_id: str
    caller: str | None
    transcript: list[str] = field(default_factory=list)
    ended_by: str | None = None
    """``"agent"`` (the model called ``hang_up``) or ``"caller"`` (the line went down)."""


def _spoken(item: MessageItem) -> str:
    parts = (part.transcript or part.text for part in item.content)
    return " ".join(p for p in parts if isinstance(p, str))


async def handle_call(
    api: RealtimeAPI, record: CallRecord, *, api_key: str | None, websocket_base_url: str | None
) -> None:
    """Talk on an accepted call until the model ends it or the caller hangs up."""
    ended = asyncio.Event()
    # No reconnect: once a call's socket closes, the call is over.
    bus = Bus.openai(
        call_id=record.call_id,
        api_key=api_key,
        websocket_base_url=websocket_base_url,
        reconnect=False,
    )

    @bus.on(ResponseDone)
    async def on_response(event: ResponseDone) -> None:
        output = event.response.output
        for item in output if isinstance(output, list) else []:
            if isinstance(item, MessageItem) and item.role == "assistant":
                record.transcript.append(_spoken(item))
            elif isinstance(item, FunctionCallItem) and item.name == HANG_UP.name:
                record.ended_by = "agent"
                ended.set()

    @bus.on("bus.disconnected")
    def on_disconnected(_event: object) -> None:
        record.ended_by = record.ended_by or "caller"
        ended.set()

    try:
        async with bus:
            await bus.response.create(instructions="Greet the caller and offer help.")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ended.wait(), MAX_CALL_SECONDS)
    except ConnectionLost:
        pass  # the caller hung up
    if record.ended_by != "caller":
        with contextlib.suppress(APIError):  # already over: nothing to hang up
            await api.calls.hangup(record.call_id)


def create_app(
    *,
    api: RealtimeAPI | None = None,
    api_key: str | None = None,
    websocket_base_url: str | None = None,
) -> FastAPI:
    """The webhook app. ``api`` defaults to ``RealtimeAPI()`` (``OPENAI_API_KEY``,
    ``OPENAI_WEBHOOK_SECRET``); ``api_key`` and ``websocket_base_url`` go to each call's bus.
    """
    calls: dict[str, CallRecord] = {}
    tasks: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = api or RealtimeAPI()
        app.state.api = client
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if api is None:
                await client.close()

    app = FastAPI(lifespan=lifespan)
    app.state.calls = calls

    @app.post("/webhook")
    async def webhook(request: Request) -> Response:
        client: RealtimeAPI = request.app.state.api
        try:
            event = client.webhooks.unwrap(await request.body(), request.headers)
        except WebhookError as exc:
            return Response(str(exc), status_code=400)
        if not isinstance(event, RealtimeCallIncoming):
            return Response(status_code=200)  # another kind of event: not ours
        await client.calls.accept(event.call_id, session=AGENT)
        record = calls[event.call_id] = CallRecord(event.call_id, event.sip_header("From"))
        task = asyncio.create_task(
            handle_call(
                client,
                record,
                api_key=api_key or os.environ.get("OPENAI_API_KEY"),
                websocket_base_url=websocket_base_url,
            )
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        app.state.tasks = tasks
        return Response(status_code=200)

    app.state.tasks = tasks
    return app


app = create_app()
