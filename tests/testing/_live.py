"""The simulator's GPT-Live sessions, checked against the ``openai`` package's models."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pydantic
from openai.types.live.connect_server_event import ConnectServerEvent

from realtime_bus.protocol.live import encode_live_server
from realtime_bus.testing import LiveConnection, Simulator

_STRICT: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(ConnectServerEvent)


@contextlib.asynccontextmanager
async def checked_simulator(**options: Any) -> AsyncIterator[Simulator]:
    """A running simulator; after the block, every GPT-Live event it sent validates strictly
    against the SDK's models."""
    async with Simulator(**options) as simulator:
        yield simulator
    for connection in simulator.history:
        if isinstance(connection, LiveConnection):
            for event in connection.sent:
                _STRICT.validate_json(encode_live_server(event), strict=True)
