"""Function tools from Python functions, end to end against the simulator."""

from __future__ import annotations

import json
from typing import Any, Literal

from realtime_bus import Bus, ErrorReport, FunctionCallOutputItem, ResponseDone, user_message
from realtime_bus.extras import ToolError, Tools
from realtime_bus.testing import ScriptedResponder, Simulator, ToolCall


def test_schema_comes_from_the_signature() -> None:
    tools = Tools(Bus("ws://127.0.0.1:1/v1/realtime"))

    @tools.register
    def book(city: str, nights: int, kind: Literal["hotel", "hostel"] = "hotel") -> str:
        """Book a room."""
        return "ok"

    (tool,) = tools.definitions
    assert tool.name == "book"
    assert tool.description == "Book a room."
    assert tool.parameters == {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "nights": {"type": "integer"},
            "kind": {"enum": ["hostel", "hotel"], "default": "hotel"},
        },
        "required": ["city", "nights"],
        "additionalProperties": False,
    }


async def _converse(sim: Simulator, tools_for: Any, text: str, responses: int) -> list[Any]:
    bus = Bus(sim.url, api_key="sk-test")
    tools = Tools(bus)
    tools_for(tools)
    reports: list[ErrorReport] = []
    bus.on_error(reports.append)
    async with bus:
        await tools.install()
        await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
        await bus.conversation.item.create(user_message(text))
        dones = [bus.expect(ResponseDone)]
        await bus.response.create()
        results = [await dones[0].wait(10)]
        for _ in range(responses - 1):
            results.append(await bus.wait_for(ResponseDone, timeout=10))
    return [results, reports, sim.history[-1]]


async def test_a_call_runs_the_function_and_the_model_goes_on(
    realtime_simulator: Simulator,
) -> None:
    calls: list[tuple[str, str]] = []

    def setup(tools: Tools) -> None:
        @tools.register
        async def get_weather(location: str, unit: Literal["c", "f"] = "c") -> dict[str, Any]:
            """The weather in a city."""
            calls.append((location, unit))
            return {"location": location, "temperature": 21}

    question = "What's the weather in Oslo?"
    results, reports, session = await _converse(realtime_simulator, setup, question, 2)
    assert calls == [("Oslo", "c")]
    assert [r.response.status for r in results] == ["completed", "completed"]
    outputs = [i for i in session.items if isinstance(i, FunctionCallOutputItem)]
    assert json.loads(outputs[0].output) == {"location": "Oslo", "temperature": 21}
    assert reports == []


async def test_bad_arguments_and_failures_reach_the_model_and_the_app() -> None:
    script = ScriptedResponder(
        ToolCall(name="divide", arguments={"a": 1, "b": "zero"}),
        "noted",
        ToolCall(name="divide", arguments={"a": 1, "b": 0}),
        "noted",
        ToolCall(name="lookup", arguments={"key": "x"}),
        "noted",
    )
    async with Simulator(responder=script) as sim:
        bus = Bus(sim.url, api_key="sk-test")
        tools = Tools(bus)
        reports: list[ErrorReport] = []
        bus.on_error(reports.append)

        @tools.register
        def divide(a: int, b: int) -> float:
            """Divide a by b."""
            return a / b

        @tools.register
        def lookup(key: str) -> str:
            """Look a key up."""
            raise ToolError(f"no entry for {key}")

        async with bus:
            await tools.install()
            await bus.session.update(output_modalities=["text"], turn_detection=None, wait=True)
            for _ in range(3):
                await bus.conversation.item.create(user_message("go"))
                first = bus.expect(ResponseDone)
                await bus.response.create()
                await first.wait(10)
                await bus.wait_for(ResponseDone, timeout=10)
        outputs = [
            json.loads(i.output)
            for i in sim.history[-1].items
            if isinstance(i, FunctionCallOutputItem)
        ]
    assert outputs[0]["error"].startswith("invalid arguments")
    assert outputs[1] == {"error": "divide failed"}
    assert outputs[2] == {"error": "no entry for x"}
    assert [r.kind for r in reports] == ["handler"]
    assert isinstance(reports[0].error, ZeroDivisionError)
