"""Shared test configuration: async tests run on asyncio through anyio's pytest plugin (its
auto mode, set in pyproject.toml, so no test module needs a marker)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import structlog
from hypothesis import settings

from realtime_bus.testing import Simulator

# In CI the property tests use a fixed seed, so a red run can be replayed and a green one
# cannot turn red on its own; locally they explore new examples every run.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def anyio_backend() -> str:
    """The bus is asyncio-native (the websockets client is asyncio only)."""
    return "asyncio"


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A simulator on 127.0.0.1 with its default settings (a folder's conftest may override)."""
    async with Simulator() as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def _structlog_as_an_application_left_it() -> Iterator[None]:
    """Each test starts with structlog unconfigured, as in an application that never set it up.

    ``structlog.testing.capture_logs`` configures structlog and leaves it marked configured;
    without this, which logging path the library takes would depend on test order.
    """
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
