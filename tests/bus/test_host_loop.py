"""The bus uses whatever loop the host runs, uvloop included, and owns no global state."""

from __future__ import annotations

import asyncio

import pytest

from realtime_bus import Bus, ResponseDone, user_message
from realtime_bus.testing import Simulator

uvloop = pytest.importorskip("uvloop")


async def _conversation() -> tuple[str, type[asyncio.AbstractEventLoop]]:
    loop_type = type(asyncio.get_running_loop())
    async with Simulator() as sim, Bus(sim.url, api_key="sk-test") as bus:
        await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
        await bus.conversation.item.create(user_message("hello"))
        done = bus.expect(ResponseDone)
        await bus.response.create()
        status = (await done.wait(10)).response.status or ""
    return status, loop_type


def test_a_conversation_on_uvloop() -> None:
    status, loop_type = uvloop.run(_conversation())
    assert status == "completed"
    assert loop_type.__module__.startswith("uvloop")
