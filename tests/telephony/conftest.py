"""A simulator paced in real time, and the Twilio bridge served by uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from realtime_bus import Bus, TranscriptionConfig
from realtime_bus.telephony.twilio import TwilioApp, TwilioCall, TwilioDtmf
from realtime_bus.testing import Simulator
from tests._served import Served


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(realtime_factor=1.0) as simulator:
        yield simulator


@dataclass
class Calls:
    """What the application saw on the bridge's buses (written from the server's thread)."""

    transcripts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    digits: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    parameters: dict[str, dict[str, str]] = field(default_factory=dict)
    ready: set[str] = field(default_factory=set)
    """Calls whose ``on_call`` has returned: set up, media flowing."""
    finished: dict[str, TwilioCall] = field(default_factory=dict)


@dataclass
class Bridge:
    app: TwilioApp
    served: Served
    calls: Calls

    @property
    def media_url(self) -> str:
        return self.served.ws_url("/twilio/media")

    @property
    def http_url(self) -> str:
        return self.served.http_url()


def make_app(sim: Simulator, calls: Calls, **kwargs: Any) -> TwilioApp:
    def connect(call: TwilioCall) -> Bus:
        return Bus(sim.url, api_key="sk-test", name=f"call-{call.call_sid[-4:]}")

    async def on_call(call: TwilioCall) -> None:
        assert call.bus is not None
        calls.parameters[call.call_sid] = call.parameters
        await call.bus.session.update(
            transcription=TranscriptionConfig(model="gpt-4o-transcribe"), wait=True
        )

        @call.bus.on("conversation.item.input_audio_transcription.completed")
        def heard(event: Any) -> None:
            calls.transcripts[call.call_sid].append(event.transcript)

        @call.bus.on(TwilioDtmf)
        async def pressed(event: TwilioDtmf) -> None:
            calls.digits[event.call.call_sid].append(event.digit)
            if event.digit == "*":
                await event.call.hang_up()

        @call.bus.on("agent.twilio.stop")
        def stopped(event: Any) -> None:
            calls.finished[call.call_sid] = event.call

        calls.ready.add(call.call_sid)

    return TwilioApp(connect, on_call=on_call, **kwargs)


@pytest.fixture
def bridge(sim: Simulator) -> Iterator[Bridge]:
    calls = Calls()
    app = make_app(sim, calls)
    with Served(app) as served:
        yield Bridge(app, served, calls)
