"""Hostile servers, slow consumers and careless applications: the faults a review found.

Each test names the fault; ``docs/reliability.md`` lists them in its fault matrix. Every server
here is real (the simulator, or a few lines of asyncio on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import io
import logging
import ssl
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import structlog
from websockets.asyncio.server import ServerConnection, serve

from realtime_bus import (
    Bus,
    ConnectOptions,
    Disconnected,
    ErrorReport,
    HandshakeRefused,
    RealtimeSession,
    Reconnected,
    UnknownEvent,
)
from realtime_bus.testing import Simulator
from realtime_bus.transport import Endpoint
from tests._sim import make_bus

from .conftest import FAST, poll_until


async def _enter_and_leave(bus: Bus) -> None:
    async with bus:
        pass


# -- secrets -----------------------------------------------------------------------------------

SECRETS = {
    "bearer": ("sk-proj-SECRETabcdef123456", {}),
    "azure": ("AZUREsecretKEY0123456789", {"api-key": "AZUREsecretKEY0123456789"}),
    "ephemeral": ("ek_SECRETephemeral0123456789", {}),
}


def _stdlib_logging() -> tuple[io.StringIO, Callable[[], None]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def undo() -> None:
        root.removeHandler(handler)
        root.setLevel(old_level)

    return out, undo


def _structlog_logging() -> tuple[io.StringIO, Callable[[], None]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=structlog.dev.ConsoleRenderer(colors=False),
            foreign_pre_chain=[structlog.stdlib.add_log_level],
        )
    )
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
    )

    def undo() -> None:
        structlog.reset_defaults()
        root.removeHandler(handler)
        root.setLevel(old_level)

    return out, undo


@pytest.mark.parametrize("setup", ["stdlib", "structlog"])
@pytest.mark.parametrize("form", sorted(SECRETS))
async def test_no_credential_reaches_a_debug_log(sim: Simulator, setup: str, form: str) -> None:
    secret, headers = SECRETS[form]
    out, undo = _stdlib_logging() if setup == "stdlib" else _structlog_logging()
    try:
        if headers:
            bus = Bus(sim.url, headers=headers, query={"model": "gpt-realtime"}, reconnect=False)
        else:
            bus = Bus(sim.url, api_key=secret, query={"model": "gpt-realtime"}, reconnect=False)
        try:
            async with bus:
                await bus.session.update(instructions="hello", wait=True)
        except HandshakeRefused:
            assert form == "ephemeral"  # not one this simulator issued; refused after logging
    finally:
        undo()
    text = out.getvalue()
    assert "> GET /v1/realtime" in text or "websockets.client" in text  # websockets did log
    assert secret not in text
    assert secret[4:20] not in text


def test_safe_url_strips_userinfo_and_query() -> None:
    endpoint = Endpoint(url="wss://alice:s3cret-pass@example.test:8443/v1/realtime?key=k-123")
    assert endpoint.safe_url == "wss://example.test:8443/v1/realtime"
    bus = Bus(endpoint=endpoint)
    assert "s3cret" not in repr(bus)
    assert "alice" not in repr(bus)


@pytest.mark.parametrize(
    "headers",
    [{"X-Trace\r\nInjected": "yes"}, {"X-Trace": "a\r\nInjected: yes"}, {"Bad Name": "v"}],
)
def test_crlf_in_a_header_name_or_value_is_refused_naming_the_header(
    headers: dict[str, str],
) -> None:
    with pytest.raises(ValueError, match="header") as info:
        Bus("ws://127.0.0.1:9/v1/realtime", api_key="sk-x", headers=headers)
    (name,) = headers
    assert repr(name) in str(info.value)
    assert "Injected: yes" not in str(info.value) or "\r\n" in name
    with pytest.raises(ValueError, match="header"):
        Bus.openai(api_key="sk-x", extra_headers=headers)


# -- slow consumers and memory -----------------------------------------------------------------


async def test_a_slow_consumer_keeps_its_link_and_is_told_reading_paused(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    # websockets stops reading once 16 frames wait: the pongs then sit unread in the socket.
    options = ConnectOptions(ping_interval=0.1, ping_timeout=0.5, max_queue=16)
    bus = make_bus(sim, options=options, inbound_maxsize=20, reconnect=FAST)
    seen: list[str] = []
    lifecycle: list[Any] = []
    bus.add_handler("bus.*", lifecycle.append)

    @bus.on(UnknownEvent)
    async def slow(event: UnknownEvent) -> None:
        await asyncio.sleep(0.005)
        seen.append(event.type)

    caplog.set_level(logging.INFO, logger="realtime_bus")
    async with bus:
        for _ in range(300):
            sim.faults.send_unknown_event("test.flood")
        await poll_until(lambda: len(seen) == 300, timeout=20)
        assert bus.is_open
    assert not [e for e in lifecycle if isinstance(e, Disconnected)]
    assert bus.stats.reconnects == 0
    assert "bus.reading_paused" in [e.type for e in lifecycle]
    assert "reading paused" in caplog.text


async def test_a_disconnect_while_paused_is_noticed_at_once_and_told_first(
    sim: Simulator,
) -> None:
    options = ConnectOptions(ping_interval=0.1, ping_timeout=5)
    bus = make_bus(sim, options=options, inbound_maxsize=20, reconnect=FAST)
    seen: list[str] = []
    told_after: list[int] = []
    release = asyncio.Event()

    @bus.on(UnknownEvent)
    async def slow(event: UnknownEvent) -> None:
        await asyncio.sleep(0.02)
        seen.append(event.type)

    @bus.on(Disconnected)
    def disconnected(event: Disconnected) -> None:
        told_after.append(len(seen))
        release.set()

    async with bus:
        for _ in range(200):
            sim.faults.send_unknown_event("test.flood")
        await poll_until(lambda: len(seen) >= 5)  # the backlog is there, reading paused
        sim.faults.drop()
        dropped_at = time.monotonic()
        await poll_until(lambda: not bus.is_open, timeout=3)
        noticed = time.monotonic() - dropped_at
        async with asyncio.timeout(5):
            await release.wait()
    assert noticed < 2.5
    assert told_after[0] < 100  # told while most of the backlog still waited


async def test_inbound_backlog_is_bounded_in_bytes(sim: Simulator) -> None:
    from realtime_bus import ReadingPaused

    budget = 2 * 1024 * 1024
    bus = make_bus(sim, inbound_max_bytes=budget)
    seen: list[int] = []
    paused: list[ReadingPaused] = []
    bus.add_handler(ReadingPaused, paused.append)

    @bus.on(UnknownEvent)
    async def slow(event: UnknownEvent) -> None:
        await asyncio.sleep(0.01)
        seen.append(len(event.payload.get("blob", "")))

    frame = 256 * 1024
    async with bus:
        for _ in range(40):
            sim.faults.send_unknown_event("test.big", blob="x" * frame)
        await poll_until(lambda: len(seen) == 40, timeout=20)
    assert paused
    # An unknown event and its report (which keeps the raw frame) each count the frame.
    assert bus.stats.max_inbound_bytes <= budget + 2 * frame + 1024
    assert seen == [frame] * 40


async def test_a_frame_over_max_size_is_reported_as_1009(sim: Simulator) -> None:
    bus = make_bus(sim, options=ConnectOptions(max_size=4096), reconnect=FAST)
    reports: list[ErrorReport] = []
    bus.on_error(reports.append)
    async with bus:
        disconnected = bus.expect(Disconnected)
        reconnected = bus.expect(Reconnected)
        sim.faults.send_unknown_event("test.big", blob="x" * 10_000)
        event = await disconnected.wait(5)
        await reconnected.wait(5)
    assert event.code == 1009
    assert "1009" in event.cause
    assert "without a close frame" not in event.cause
    assert any(r.kind == "protocol" and "1009" in str(r.error) for r in reports)


# -- connecting and closing --------------------------------------------------------------------


async def _silent_tcp() -> tuple[asyncio.Server, int]:
    """A server that accepts TCP and never answers the opening handshake."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_close_is_prompt_during_a_hung_handshake() -> None:
    server, port = await _silent_tcp()
    async with server:
        bus = Bus(f"ws://127.0.0.1:{port}/v1/realtime", api_key="sk-x")
        task = asyncio.create_task(bus.run())
        await asyncio.sleep(0.3)
        started = time.monotonic()
        async with asyncio.timeout(3):
            await bus.close()
            await asyncio.gather(task, return_exceptions=True)
        assert time.monotonic() - started < 1.0
        assert bus.state.name == "CLOSED"


@pytest.fixture
async def silent_ws() -> AsyncIterator[str]:
    """A WebSocket server that completes the handshake and then says nothing."""

    async def quiet(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async with serve(quiet, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/v1/realtime"


async def test_a_silent_server_times_out_naming_the_silence(silent_ws: str) -> None:
    from realtime_bus import SessionTimeout

    bus = Bus(silent_ws, api_key="sk-x", session_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(SessionTimeout, match="wait_for_session=False") as info:
        await asyncio.wait_for(_enter_and_leave(bus), 5)
    assert time.monotonic() - started < 2
    assert "session.created" in str(info.value)


async def test_a_silent_server_is_fine_with_wait_for_session_false(silent_ws: str) -> None:
    bus = Bus(silent_ws, api_key="sk-x", session_timeout=0.3, wait_for_session=False)
    async with bus:
        await asyncio.sleep(0.5)
        assert bus.is_open


async def _plain_http() -> tuple[asyncio.Server, int]:
    """A server that answers anything with plain HTTP at once (a TLS client chokes on it)."""

    async def answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_permanent_connect_errors_fail_at_once(sim: Simulator) -> None:
    from realtime_bus import ConnectFailed

    def bad_token() -> str:
        return "tok\r\nX-Injected: 1"

    plain, port = await _plain_http()
    cases: list[Bus] = [
        # TLS to a server that does not speak it: no retry can fix that.
        Bus(
            f"wss://127.0.0.1:{port}/v1/realtime",
            api_key="sk-x",
            retry_first_connect=True,
            reconnect=FAST,
        ),
        # A TLS context for a ws:// URL: a configuration error.
        Bus(
            sim.url,
            api_key="sk-x",
            retry_first_connect=True,
            reconnect=FAST,
            options=ConnectOptions(websocket_options={"ssl": ssl.create_default_context()}),
        ),
        # A token provider whose token would break the request.
        Bus(
            endpoint=Endpoint(url=sim.url, token_provider=bad_token),
            retry_first_connect=True,
            reconnect=FAST,
        ),
    ]
    for bus in cases:
        started = time.monotonic()
        with pytest.raises(ConnectFailed) as info:
            await asyncio.wait_for(_enter_and_leave(bus), 5)
        assert not info.value.retryable
        assert time.monotonic() - started < 1.5
        assert bus.stats.reconnects == 0
        assert "X-Injected" not in str(info.value)
    plain.close()


async def test_exactly_one_configuration_replay_per_new_connection(sim: Simulator) -> None:
    bus = make_bus(sim, reconnect=FAST, session=RealtimeSession(instructions="keep me"))
    flaps = 0

    @bus.on("bus.reconnecting")
    def flap(_event: Any) -> None:
        nonlocal flaps
        if flaps < 3:  # the next link dies right after session.created
            flaps += 1
            sim.faults.drop_after_events(1)

    async with bus:
        await bus.wait_for("session.updated", timeout=5)
        fifth = bus.expect(Reconnected, check=lambda e: flaps == 3 and e.attempt >= 5)
        sim.faults.drop()
        await fifth.wait(10)
        final = sim.connections[-1]
        await poll_until(lambda: bool(final.received))
        await asyncio.sleep(0.3)  # room for any further copy to arrive
        updates = [e for e in final.received if e.type == "session.update"]
    assert len(updates) == 1
    assert final.config.instructions == "keep me"  # type: ignore[union-attr]
    flapped = sim.history[1:-1]
    assert len(flapped) == 3
    assert all(e.type == "session.update" for s in flapped for e in s.received)


def test_the_replay_has_one_slot_and_takes_no_room() -> None:
    from realtime_bus.bus import OutboundQueue
    from realtime_bus.protocol import ResponseCreate, SessionUpdate

    async def check() -> None:
        queue = OutboundQueue(2)
        queue.put_nowait(ResponseCreate())
        queue.put_nowait(ResponseCreate())
        for n in range(3):
            queue.set_replay(SessionUpdate(session=RealtimeSession(instructions=f"v{n}")))
        assert len(queue) == 3
        first = queue.take()
        assert isinstance(first, SessionUpdate)
        assert first.session.instructions == "v2"  # type: ignore[union-attr]
        assert [queue.take().type, queue.take().type] == ["response.create"] * 2

    asyncio.run(check())


async def test_close_from_a_plain_handler_returning_close_is_prompt(sim: Simulator) -> None:
    bus = make_bus(sim, flush_timeout=5)

    @bus.on("session.updated")
    def stop(_event: Any) -> Any:
        return bus.close()

    task = asyncio.create_task(bus.run())
    await bus.wait_open(5)
    await bus.session.update(instructions="then stop")
    started = time.monotonic()
    async with asyncio.timeout(4):
        await task
    assert time.monotonic() - started < 1.0


# -- API -----------------------------------------------------------------------------------------


async def test_once_with_several_keys_fires_once(sim: Simulator) -> None:
    bus = make_bus(sim)
    calls: list[str] = []
    bus.on("session.updated", "session.updated", "*", once=True)(lambda e: calls.append(e.type))
    async with bus:
        await bus.session.update(instructions="one", wait=True)
        await bus.session.update(instructions="two", wait=True)
    assert calls == ["session.created"]
