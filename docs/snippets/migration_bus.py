import asyncio
import json

from realtime_bus import (
    Bus,
    ErrorEvent,
    FunctionCallItem,
    FunctionTool,
    ResponseDone,
    ResponseOutputTextDelta,
    function_output,
    user_message,
)

WEATHER = FunctionTool(
    name="get_weather",
    description="The current weather in a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}},
)


def get_weather(city: str) -> dict[str, object]:
    return {"city": city, "sky": "sunny", "temp_c": 21}


def calls_in(event: ResponseDone) -> list[FunctionCallItem]:
    return [item for item in event.response.output if isinstance(item, FunctionCallItem)]


async def main() -> None:
    bus = Bus.openai(model="gpt-realtime")  # reads OPENAI_API_KEY

    @bus.on(ResponseOutputTextDelta)  # one handler per event type, typed
    def show(event: ResponseOutputTextDelta) -> None:
        print(event.delta, end="", flush=True)

    @bus.on(ErrorEvent)
    def error(event: ErrorEvent) -> None:
        print("error:", event.error.message)

    @bus.on(ResponseDone)
    async def run_tools(event: ResponseDone) -> None:
        for call in calls_in(event):
            result = get_weather(**json.loads(call.arguments))
            await bus.conversation.item.create(function_output(call.call_id, result))
        if calls_in(event):
            await bus.response.create()

    async with bus:
        await bus.session.update(output_modalities=["text"], tools=[WEATHER])
        await bus.conversation.item.create(user_message("What's the weather in Paris?"))
        answered = bus.expect(ResponseDone, check=lambda event: not calls_in(event))
        await bus.response.create()
        await answered.wait(timeout=60)
    print()


asyncio.run(main())
