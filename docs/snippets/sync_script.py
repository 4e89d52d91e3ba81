from realtime_bus import ResponseDone, ResponseOutputTextDelta, user_message
from realtime_bus.sync import SyncBus

with SyncBus.openai(model="gpt-realtime") as bus:  # a background thread runs the bus
    bus.session.update(output_modalities=["text"])
    bus.conversation.item.create(user_message("Hello!"))
    with bus.stream(ResponseOutputTextDelta, ResponseDone) as events:
        bus.response.create()
        for event in events:
            if isinstance(event, ResponseDone):
                break
            print(event.delta, end="", flush=True)
    print()
