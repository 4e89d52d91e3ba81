"""Fixtures of the simulator's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from realtime_bus.testing import Simulator

from ._client import Client, connect


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as simulator:
        yield simulator


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[Client]:
    c = await connect(sim)
    try:
        yield c
    finally:
        await c.ws.close()
