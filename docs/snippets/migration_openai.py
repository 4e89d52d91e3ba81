import asyncio
import json

from openai import AsyncOpenAI

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def get_weather(city: str) -> dict[str, object]:
    return {"city": city, "sky": "sunny", "temp_c": 21}


async def main() -> None:
    client = AsyncOpenAI()  # reads OPENAI_API_KEY
    async with client.realtime.connect(model="gpt-realtime") as connection:
        await connection.session.update(
            session={"type": "realtime", "output_modalities": ["text"], "tools": [WEATHER]}
        )
        await connection.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "What's the weather in Paris?"}],
            }
        )
        await connection.response.create()
        async for event in connection:  # one loop handles every event type
            if event.type == "response.output_text.delta":
                print(event.delta, end="", flush=True)
            elif event.type == "error":
                print("error:", event.error.message)
            elif event.type == "response.done":
                output = event.response.output or []
                calls = [item for item in output if item.type == "function_call"]
                if not calls:
                    break
                for call in calls:
                    result = get_weather(**json.loads(call.arguments or "{}"))
                    await connection.conversation.item.create(
                        item={
                            "type": "function_call_output",
                            "call_id": call.call_id or "",
                            "output": json.dumps(result),
                        }
                    )
                await connection.response.create()
    print()


asyncio.run(main())
