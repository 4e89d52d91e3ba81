"""The Python Agents SDK (``openai-agents``) against the simulator, at real-time pacing.

The scenario is the one ``interop/`` runs with every framework: a text turn, a tool call, an
audio turn with server VAD, and ``session.interrupt()`` during a spoken reply (the SDK truncates
the item being played, without ``response.cancel``) followed by a new turn that is answered.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from realtime_bus.protocol.server import encode_server
from realtime_bus.testing import Simulator, silence, synthesize_speech
from tests._scripts import load_script

from ._client import validate_event

pytestmark = pytest.mark.timeout(120)

SCENARIO = Path(__file__).parents[2] / "interop" / "openai_agents_scenario.py"


def _scenario(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # The scenario imports what every scenario shares (_scenario.py) from its own folder, as it
    # does when interop/ runs it as a script.
    monkeypatch.syspath_prepend(str(SCENARIO.parent))
    return load_script(SCENARIO, "openai_agents_scenario", register=True)


async def test_the_agents_sdk_text_tool_audio_and_interrupt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = _scenario(monkeypatch)
    async with Simulator(realtime_factor=1.0) as sim:
        speech = synthesize_speech("what time is it") + silence(800)
        results = await scenario.run(f"{sim.url}?model=gpt-realtime", speech)
        session = sim.history[0]
    assert results == {"text": "ok", "tool": "ok", "audio": "ok", "interrupt": "ok"}
    received = [event.type for event in session.received]
    # The interrupt is a truncate of the playing item, with no response.cancel: the case that
    # used to leave the session with a response that never ended.
    assert "conversation.item.truncate" in received
    assert "response.cancel" not in received
    sent = session.sent_types()
    assert sent.count("response.created") == sent.count("response.done")
    assert "error" not in sent
    for event in session.sent:
        validate_event(encode_server(event))
