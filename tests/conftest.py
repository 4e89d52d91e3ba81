"""Shared test configuration: async tests run on asyncio through anyio's pytest plugin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture
def anyio_backend() -> str:
    """The bus is asyncio-native (the websockets client is asyncio only)."""
    return "asyncio"


@pytest.fixture(autouse=True)
def _structlog_as_an_application_left_it() -> Iterator[None]:
    """Each test starts with structlog unconfigured, as in an application that never set it up.

    ``structlog.testing.capture_logs`` configures structlog and leaves it marked configured;
    without this, which logging path the library takes would depend on test order.
    """
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
