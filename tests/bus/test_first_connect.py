"""The first connect fails fast and says why; reconnects are for sessions that were established."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

import pytest

from realtime_bus import Bus, ConnectionLost, ReconnectFailed, ReconnectPolicy
from realtime_bus.testing import Simulator


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("reconnect", [True, False])
async def test_an_unreachable_server_fails_the_first_connect_at_once(
    reconnect: bool, caplog: pytest.LogCaptureFixture
) -> None:
    from realtime_bus import ConnectFailed

    port = _free_port()
    bus = Bus(f"ws://127.0.0.1:{port}/v1/realtime", api_key="sk-x", reconnect=reconnect)
    caplog.set_level(logging.INFO, logger="realtime_bus")
    started = time.monotonic()
    with pytest.raises(ConnectFailed) as info:
        async with bus:
            pass
    assert time.monotonic() - started < 2.0  # it used to take 28 s of reconnect attempts
    assert isinstance(info.value, ConnectionLost)  # what the docs promise
    text = str(info.value)
    assert text.startswith(f"could not connect to ws://127.0.0.1:{port}/v1/realtime")
    assert "ConnectionRefusedError" in text
    assert "gave up" not in text
    assert "reconnecting" not in caplog.text
    assert bus.state.name == "CLOSED"


async def test_retry_first_connect_keeps_trying_until_the_server_is_up() -> None:
    port = _free_port()
    policy = ReconnectPolicy(base_delay=0.05, max_delay=0.1, max_attempts=50, max_elapsed=20)
    bus = Bus(
        f"ws://127.0.0.1:{port}/v1/realtime",
        api_key="sk-x",
        query={"model": "gpt-realtime"},
        reconnect=policy,
        retry_first_connect=True,
    )
    attempts: list[Any] = []
    bus.add_handler("bus.reconnecting", attempts.append)
    task = asyncio.create_task(bus.run())
    await asyncio.sleep(0.3)
    assert bus.state.name == "CONNECTING"
    async with Simulator(port=port):
        await bus.wait_open(5)
        assert bus.is_open
        await bus.close()
    await task
    assert attempts


async def test_retry_first_connect_gives_up_by_the_policy() -> None:
    port = _free_port()
    policy = ReconnectPolicy(base_delay=0.01, max_delay=0.02, max_attempts=2)
    bus = Bus(
        f"ws://127.0.0.1:{port}/v1/realtime",
        api_key="sk-x",
        reconnect=policy,
        retry_first_connect=True,
    )
    with pytest.raises(ReconnectFailed, match="gave up after 2 reconnect attempts"):
        async with bus:
            pass


async def test_a_drop_of_an_established_session_still_reconnects() -> None:
    async with Simulator() as sim:
        policy = ReconnectPolicy(base_delay=0.01, max_delay=0.02, max_attempts=5)
        bus = Bus(sim.url, api_key="sk-x", query={"model": "gpt-realtime"}, reconnect=policy)
        async with bus:
            reconnected = bus.expect("bus.reconnected")
            sim.faults.drop()
            await reconnected.wait(5)
            assert bus.is_open
