"""docs/phone.md (its blocks are type-checked with every page's, in
tests/docs/test_code_blocks.py): the phone agent answers."""

from __future__ import annotations

import re
import textwrap
import types
from pathlib import Path

import pytest

from realtime_bus.testing import Simulator, synthesize_speech

from ._fake_twilio import FakeTwilio
from .conftest import Served

PAGE = Path(__file__).resolve().parents[2] / "docs" / "phone.md"
MARKER = "<!-- runs in tests/telephony/test_phone_docs.py -->"
_BLOCK = re.compile(r"```python\n(?P<code>.*?)\n```", re.DOTALL)


def python_blocks(text: str) -> list[str]:
    return [textwrap.dedent(m.group("code")) for m in _BLOCK.finditer(text)]


async def test_the_phone_agent_answers_a_call(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = PAGE.read_text()
    (code,) = [
        textwrap.dedent(m.group("code"))
        for m in re.finditer(
            re.escape(MARKER) + r"\n```python\n(?P<code>.*?)\n```", text, re.DOTALL
        )
    ]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docs-test")
    monkeypatch.setenv("OPENAI_BASE_URL", sim.http_url)
    module = types.ModuleType("phone_agent")
    exec(compile(code, str(PAGE), "exec"), module.__dict__)  # not __main__: nothing is served
    with Served(module.app) as served:
        url = served.ws_url("/twilio/media")
        async with FakeTwilio(url, parameters={"From": "+15550100"}) as phone:
            await phone.say(synthesize_speech("two croissants please"), speed=4)
            await phone.wait_until(lambda: phone.heard() == "You said: two croissants please", 15)
    instructions = sim.history[0].config.instructions
    assert instructions == "You answer the phone for a bakery. The caller is +15550100."
