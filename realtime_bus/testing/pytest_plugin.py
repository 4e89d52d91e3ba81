"""pytest plugin registered by the package (entry point ``pytest11``): simulator fixtures.

Installing realtime-bus gives every test suite these fixtures:

``realtime_simulator``
    An async fixture: a running :class:`~realtime_bus.testing.Simulator` on a free loopback
    port, stopped after the test. Use it from async tests run by anyio's pytest plugin
    (``@pytest.mark.anyio``) on the asyncio backend::

        @pytest.mark.anyio
        async def test_agent(realtime_simulator):
            client = AsyncOpenAI(api_key="sk-test",
                                 websocket_base_url=realtime_simulator.ws_base_url)
            ...

``realtime_simulator_thread``
    A simulator running on its own event loop in a background thread, for synchronous tests.
    Act on it from the test with ``sim.call(...)`` (thread-safe).

``realtime_simulator_url``
    The WebSocket URL of a ``realtime_simulator_thread`` (``ws://127.0.0.1:PORT/v1/realtime``).

Configure a test's simulator with the ``realtime_simulator`` marker, whose keyword arguments go
to :class:`~realtime_bus.testing.Simulator`::

    @pytest.mark.realtime_simulator(api_key="sk-only-this", realtime_factor=1.0)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from ._simulator import Simulator

__all__ = ["realtime_simulator", "realtime_simulator_thread", "realtime_simulator_url"]

_MARKER = "realtime_simulator"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**options): options of the test's realtime simulator "
        "(api_key, responder, realtime_factor, max_session_seconds, ...)",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker(_MARKER)
    return dict(marker.kwargs) if marker is not None else {}


@pytest.fixture
async def realtime_simulator(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    """A running simulator on a free loopback port (async tests, asyncio backend)."""
    async with Simulator(**_options(request)) as sim:
        yield sim


@pytest.fixture
def realtime_simulator_thread(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    """A simulator running in a background thread (synchronous tests)."""
    with Simulator(**_options(request)).run_in_thread() as sim:
        yield sim


@pytest.fixture
def realtime_simulator_url(realtime_simulator_thread: Simulator) -> str:
    """The WebSocket URL of a simulator running in a background thread."""
    return realtime_simulator_thread.url
