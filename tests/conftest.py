"""Shared test configuration: async tests run on asyncio through anyio's pytest plugin."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """The bus is asyncio-native (the websockets client is asyncio only)."""
    return "asyncio"
