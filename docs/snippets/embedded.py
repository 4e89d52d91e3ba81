import asyncio

from realtime_bus import Bus, MessageItem, ResponseDone, user_message


async def main() -> None:  # your application, already async
    bus = Bus.openai(model="gpt-realtime")
    answers: asyncio.Queue[str] = asyncio.Queue()

    @bus.on(ResponseDone)
    async def answered(event: ResponseDone) -> None:
        for item in event.response.output:
            if isinstance(item, MessageItem):
                texts = [part.text for part in item.content if isinstance(part.text, str)]
                await answers.put("".join(texts))

    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(bus.run())  # the bus is one more task of the app
        await bus.session.update(output_modalities=["text"])  # sent once connected
        await bus.conversation.item.create(user_message("Hello!"))
        await bus.response.create()
        print(await answers.get())
        await bus.close()  # run() returns and the task group ends


asyncio.run(main())
