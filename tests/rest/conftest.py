"""Fixtures of the REST tests: a simulator, its REST side, and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from realtime_bus.rest import RealtimeAPI, RetryPolicy
from realtime_bus.testing import Simulator
from realtime_bus.testing._rest import SimulatedRest, rest_of

API_KEY = "sk-test-0123456789abcdef"

# Short waits keep retry tests quick; the policy's own arithmetic is tested in test_retry.py.
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(api_key=API_KEY) as simulator:
        yield simulator


@pytest.fixture
def rest(sim: Simulator) -> SimulatedRest:
    return rest_of(sim)


@pytest.fixture
async def api(sim: Simulator) -> AsyncIterator[RealtimeAPI]:
    async with RealtimeAPI(api_key=API_KEY, base_url=sim.http_url, retry=FAST_RETRY) as client:
        yield client
