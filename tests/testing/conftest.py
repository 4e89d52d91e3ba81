"""Fixtures of the simulator's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from realtime_bus.protocol.server import encode_server
from realtime_bus.testing import Simulator

from ._client import Client, connect, validate_event


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as simulator:
        yield simulator
    # Every event the simulator sent in the test validates strictly against the SDK's models.
    for session in simulator.history:
        for event in session.sent:
            validate_event(encode_server(event))


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[Client]:
    c = await connect(sim)
    try:
        yield c
    finally:
        await c.ws.close()
