import asyncio

from realtime_bus import Bus, ResponseDone, ResponseOutputTextDelta, user_message

bus = Bus.openai(model="gpt-realtime")  # reads OPENAI_API_KEY


@bus.on(ResponseOutputTextDelta)  # typed: the checker knows the event
def show(event: ResponseOutputTextDelta) -> None:
    print(event.delta, end="", flush=True)


async def main() -> None:
    async with bus:
        await bus.session.update(output_modalities=["text"])
        await bus.conversation.item.create(user_message("Hello!"))
        done = bus.expect(ResponseDone)  # armed before sending
        await bus.response.create()
        await done.wait(timeout=30)
        print()


asyncio.run(main())
