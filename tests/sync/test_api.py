"""The sync facade mirrors the async API, over a real socket to the simulator."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import pytest

from realtime_bus import (
    Bus,
    ConversationItemAdded,
    ErrorReport,
    FunctionCallItem,
    RealtimeSession,
    ResponseCreate,
    ResponseCreated,
    ResponseDone,
    ResponseOutputTextDelta,
    SessionUpdated,
    function_output,
    user_message,
)
from realtime_bus.sync import SyncBus, SyncNamespace
from realtime_bus.testing import Simulator
from tests._sim import WEATHER

from .conftest import make_bus


def test_text_turn_with_typed_helpers_and_handlers(bus: SyncBus) -> None:
    deltas: list[str] = []

    @bus.on(ResponseOutputTextDelta)
    def collect(event: ResponseOutputTextDelta) -> None:
        deltas.append(event.delta)

    with bus:
        updated = bus.session.update(output_modalities=["text"], wait=True)
        assert isinstance(updated, SessionUpdated)
        assert updated.session.output_modalities == ["text"]
        sent = bus.conversation.item.create(user_message("hello there"))
        assert isinstance(sent.event_id, str)
        done = bus.expect(ResponseDone)
        bus.response.create()
        event = done.wait(timeout=5)
    assert event.response.status == "completed"
    assert "".join(deltas) == "You said: hello there"


def test_function_call_conversation(sim: Simulator) -> None:
    with make_bus(sim) as bus:
        bus.session.update(tools=[WEATHER], output_modalities=["text"])
        bus.conversation.item.create(user_message("What's the weather in Paris?"))
        first = bus.expect(ResponseDone)
        bus.response.create()
        call = first.wait(timeout=5).response.output[0]
        assert isinstance(call, FunctionCallItem)
        assert call.name == "get_weather"
        bus.conversation.item.create(function_output(call.call_id, {"temp_c": 21}), wait=True)
        second = bus.expect(ResponseDone)
        bus.response.create()
        answer = second.wait(timeout=5).response.output[0]
    assert answer.content[0].text == 'get_weather returned: {"temp_c": 21}'


def test_request_returns_the_acknowledgement(sim: Simulator) -> None:
    with make_bus(sim) as bus:
        added = bus.request(_create())
        assert isinstance(added, ConversationItemAdded)
        done = bus.expect(ResponseDone)
        created = bus.request(ResponseCreate())
        assert isinstance(created, ResponseCreated)
        assert done.wait(timeout=5).response.id == created.response.id


def _create() -> Any:
    from realtime_bus import ConversationItemCreate

    return ConversationItemCreate(item=user_message("hi"))


def test_send_and_send_nowait_give_event_ids(sim: Simulator) -> None:
    with make_bus(sim) as bus:
        first = bus.send(_create())
        added = bus.expect("conversation.item.added")
        second = bus.send_nowait(_create())
        assert isinstance(first.event_id, str)
        assert isinstance(second.event_id, str)
        assert first.event_id != second.event_id
        added.wait(timeout=5)


def test_stream_with_block_and_bare_for(sim: Simulator) -> None:
    with make_bus(sim) as bus:
        bus.session.update(output_modalities=["text"])
        bus.conversation.item.create(user_message("one two three"))
        with bus.stream(ResponseOutputTextDelta, ResponseDone) as events:
            bus.response.create()
            text = ""
            for event in events:
                if isinstance(event, ResponseDone):
                    break
                text += event.delta
        assert text == "You said: one two three"

        # Armed when created: events before the loop starts are buffered, not missed.
        stream = bus.stream("response.*")
        done = bus.expect(ResponseDone)
        bus.response.create()
        done.wait(timeout=5)
        seen = []
        for event in stream:
            seen.append(event.type)
            if event.type == "response.done":
                break
        assert seen[0] == "response.created"
        assert seen[-1] == "response.done"
        # Leaving the loop released the stream: later events no longer go to it.
        assert bus.async_bus._dispatcher.streams == []


def test_stream_ends_when_the_bus_closes(sim: Simulator) -> None:
    bus = make_bus(sim).connect()
    stream = bus.stream("response.output_text.delta")
    closer = threading.Timer(0.2, bus.close)
    closer.start()
    try:
        assert list(stream) == []
    finally:
        closer.join()
    bus.close()


def test_on_wildcards_once_off_and_check(bus: SyncBus) -> None:
    every: list[str] = []
    response_events: list[str] = []
    firsts: list[str] = []
    completed: list[str] = []

    @bus.on("*")
    def everything(event: Any) -> None:
        every.append(event.type)

    @bus.on("response.*")
    async def responses(event: Any) -> None:
        response_events.append(event.type)

    @bus.once("response.output_text.delta")
    def first_delta(event: Any) -> None:
        firsts.append(event.delta)

    @bus.on(ResponseDone, check=lambda e: e.response.status == "completed")
    def done(event: ResponseDone) -> None:
        completed.append(event.response.id)

    with bus:
        assert bus.off(everything) is True
        assert bus.off(everything) is False
        bus.conversation.item.create(user_message("hi"))
        with bus.expect(ResponseDone) as done:
            bus.response.create(output_modalities=["text"])
            done.wait(timeout=5)
    assert every[:1] == ["session.created"]
    assert "response.created" not in every
    assert response_events[0] == "response.created"
    assert response_events[-1] == "response.done"
    assert len(firsts) == 1
    assert len(completed) == 1


def test_add_handler_and_on_error_get_handler_failures(bus: SyncBus) -> None:
    reports: list[ErrorReport] = []

    def broken(event: Any) -> None:
        raise ValueError("handler bug")

    bus.add_handler("response.created", broken)
    bus.on_error(reports.append)
    with bus:
        bus.conversation.item.create(user_message("hi"))
        done = bus.expect(ResponseDone)
        bus.response.create()
        done.wait(timeout=5)  # the bus survived the failing handler
    assert len(reports) == 1
    assert reports[0].kind == "handler"
    assert str(reports[0].error) == "handler bug"
    assert reports[0].event.type == "response.created"


def test_before_connect_only_handlers_and_the_constructor_session(sim: Simulator) -> None:
    bus = make_bus(sim, session=RealtimeSession(instructions="Answer in French."))
    updated = threading.Event()
    bus.on(SessionUpdated)(lambda event: updated.set())
    for call in (
        lambda: bus.send(_create()),
        lambda: bus.send_nowait(_create()),
        lambda: bus.session.update(instructions="too early"),
        lambda: bus.wait_for(ResponseDone, timeout=1),
        lambda: bus.expect(ResponseDone),
        lambda: bus.stream(ResponseDone),
    ):
        with pytest.raises(RuntimeError, match="not connected yet"):
            call()
    with bus:
        assert updated.wait(timeout=5)
        assert sim.connections[0].config.instructions == "Answer in French."


def _count_twins(namespace: object, view: SyncNamespace, path: str) -> int:
    """Check every helper of ``namespace`` against its blocking twin in ``view``; count them."""
    count = 0
    for name in dir(namespace):
        if name.startswith("_"):
            continue
        value = getattr(namespace, name)
        if inspect.iscoroutinefunction(value):
            twin = getattr(view, name)
            assert not inspect.iscoroutinefunction(twin), f"{path}.{name}"
            assert inspect.signature(twin) == inspect.signature(value), f"{path}.{name}"
            assert twin.__doc__ == value.__doc__
            count += 1
        elif not callable(value):
            count += _count_twins(value, getattr(view, name), f"{path}.{name}")
    # And nothing the async namespace lacks.
    assert set(dir(view)) == {n for n in dir(namespace) if not n.startswith("_")}, path
    return count


def test_every_async_helper_has_a_blocking_twin(sim: Simulator, bus: SyncBus) -> None:
    async_bus = Bus(sim.url, api_key="sk-test-key")
    names = ["session", "response", "input_audio_buffer", "conversation", "output_audio_buffer"]
    assert {n for n in vars(async_bus) if not n.startswith("_")} >= set(names)
    total = sum(_count_twins(getattr(async_bus, n), getattr(bus, n), n) for n in names)
    assert total >= 11
    assert sorted(dir(bus.conversation)) == ["item"]
    assert "conversation.item" in repr(bus.conversation.item)
    with pytest.raises(AttributeError):
        _ = bus.response.nothing_like_this  # type: ignore[attr-defined]
    bus.close()


def test_every_live_helper_has_a_blocking_twin() -> None:
    options: dict[str, Any] = {"api_key": "sk-test", "websocket_base_url": "ws://127.0.0.1:1"}
    primary, sideband = SyncBus.live(**options), SyncBus.live_sideband("sess_1", **options)
    names = ["session", "response", "decision"]
    total = sum(_count_twins(getattr(primary.async_bus, n), getattr(primary, n), n) for n in names)
    assert total >= 11
    assert primary.transport is None
    assert sideband.transport is not None
    assert sideband.async_bus.transport is not None
    assert _count_twins(sideband.async_bus.transport, sideband.transport, "transport") == 1
    primary.close()
    sideband.close()


def test_state_properties_and_repr_hide_the_key(sim: Simulator) -> None:
    bus = make_bus(sim, api_key="sk-secret-value")
    assert bus.state.name == "NEW"
    assert bus.thread is None
    with bus:
        assert bus.is_open
        assert bus.session_id is not None
        assert bus.session_id.startswith("sess_")
        assert bus.expires_at is not None
        assert bus.thread is not None
        assert bus.thread.name == f"realtime-bus-{bus.name}"
        assert bus.stats.events_received >= 1
        assert "sk-secret-value" not in repr(bus)
        assert bus.endpoint.safe_url == sim.url
    assert bus.failure is None
    assert bus.state.name == "CLOSED"


def test_wrapping_an_existing_bus(sim: Simulator) -> None:
    inner = Bus(sim.url, api_key="sk-test-key")
    with pytest.raises(TypeError, match="either"):
        SyncBus(sim.url, bus=inner)
    with SyncBus(bus=inner) as bus:
        assert bus.async_bus is inner
        assert inner.is_open


def test_openai_and_azure_constructors(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key")
    with SyncBus.openai("gpt-realtime", websocket_base_url=sim.ws_base_url) as bus:
        assert bus.is_open
        assert sim.connections[-1].query.get("model") == "gpt-realtime"
    azure = SyncBus.azure(
        endpoint="https://example.invalid", deployment="gpt-realtime", api_key="k"
    )
    assert azure.endpoint.url.startswith("wss://example.invalid/openai/v1/realtime")
    azure.close()


def test_wait_idle_blocks_until_the_handlers_saw_what_arrived(bus: SyncBus) -> None:
    gate, held = threading.Event(), threading.Event()
    seen: list[str] = []

    @bus.on(ResponseDone)
    async def slow(event: ResponseDone) -> None:
        held.set()
        await asyncio.to_thread(gate.wait, 10)  # holds up the dispatcher, not the loop (bounded)
        seen.append(event.response.status or "")

    with bus:
        bus.session.update(output_modalities=["text"], wait=True)
        bus.conversation.item.create(user_message("hello there"))
        bus.response.create()
        assert held.wait(10)
        with pytest.raises(TimeoutError):
            bus.wait_idle(timeout=0.2)
        assert seen == []
        gate.set()
        bus.wait_idle(timeout=10)
        assert seen == ["completed"]


def test_call_runs_a_coroutine_on_the_bus_loop(bus: SyncBus) -> None:
    refused: list[BaseException] = []

    async def on_loop(text: str) -> tuple[str, bool]:
        acknowledged = await bus.async_bus.session.update(output_modalities=["text"], wait=True)
        return text, threading.current_thread() is bus.thread and acknowledged is not None

    async def fails() -> None:
        raise LookupError("from the loop")

    @bus.on(SessionUpdated, once=True)
    def from_handler(event: SessionUpdated) -> None:
        try:
            bus.call(lambda: on_loop("no"), timeout=1)
        except RuntimeError as error:
            refused.append(error)

    with bus:
        assert bus.call(lambda: on_loop("yes"), timeout=10) == ("yes", True)
        with pytest.raises(LookupError, match="from the loop"):
            bus.call(fails)
        with pytest.raises(TimeoutError):
            bus.call(lambda: asyncio.sleep(5), timeout=0.05)
        bus.wait_idle(timeout=10)
    assert len(refused) == 1  # the handler runs on the bus's thread, which call would block
