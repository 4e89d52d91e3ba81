"""A test client for the simulator: a raw WebSocket client that checks every event it gets.

Every frame the client receives is validated strictly against the ``openai`` package's model for
its ``type``, so every test also checks that the simulator emits only what the service would.
"""

from __future__ import annotations

import asyncio
import json
import typing
from typing import Any

import pydantic
import websockets
from openai.types.realtime import RealtimeServerEvent
from websockets.asyncio.client import ClientConnection

from realtime_bus.testing import Simulator

_ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(RealtimeServerEvent)
_MODELS: dict[str, Any] = {}
for _member in typing.get_args(typing.get_args(RealtimeServerEvent)[0]):
    for _value in typing.get_args(_member.model_fields["type"].annotation):
        _MODELS[_value] = _member


def validate_event(frame: str | bytes) -> dict[str, Any]:
    """Validate ``frame`` strictly against the openai model for its type; return it as a dict."""
    payload = json.loads(frame)
    model = _MODELS.get(payload.get("type"))
    assert model is not None, f"not a GA server event type: {payload.get('type')!r}"
    model.model_validate_json(frame, strict=True)
    _ADAPTER.validate_json(frame)
    return payload  # type: ignore[no-any-return]


class Client:
    """A bare WebSocket client for tests: send dicts, receive validated dicts."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    async def send(self, event: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(event))

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        event = validate_event(frame)
        self.events.append(event)
        return event

    async def until(self, type_name: str, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Receive events up to and including the first of ``type_name``."""
        seen: list[dict[str, Any]] = []
        while True:
            event = await self.recv(timeout)
            seen.append(event)
            if event["type"] == type_name:
                return seen

    async def until_one_of(self, *type_names: str, timeout: float = 5.0) -> dict[str, Any]:
        """Receive events until one of ``type_names``; return that one."""
        while True:
            event = await self.recv(timeout)
            if event["type"] in type_names:
                return event

    async def expect(self, type_name: str, timeout: float = 5.0) -> dict[str, Any]:
        """Receive one event and check its type."""
        event = await self.recv(timeout)
        assert event["type"] == type_name, event
        return event

    async def update_session(self, session: dict[str, Any]) -> dict[str, Any]:
        """Send a ``session.update`` of ``session``, check that the next event is its
        ``session.updated``, and return the session that event carries."""
        await self.send({"type": "session.update", "session": session})
        updated: dict[str, Any] = (await self.expect("session.updated"))["session"]
        return updated


async def connect(
    sim: Simulator, *, key: str = "sk-test", query: str = "model=gpt-realtime", **options: Any
) -> Client:
    ws = await websockets.connect(
        f"{sim.url}?{query}",
        additional_headers={"Authorization": f"Bearer {key}"},
        max_size=None,
        **options,
    )
    client = Client(ws)
    created = await client.expect("session.created")
    assert created["session"]["type"] in ("realtime", "transcription")
    return client


def text_item(text: str, role: str = "user") -> dict[str, Any]:
    kind = "output_text" if role == "assistant" else "input_text"
    return {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": role, "content": [{"type": kind, "text": text}]},
    }
