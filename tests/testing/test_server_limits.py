"""The simulator as a server people leave running: bounded in memory and in time.

Closed sessions are freed, request bodies are refused on their declared size, and slow or
silent HTTP clients are cut off.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import time
import weakref

import pytest

from realtime_bus.testing import HttpRequest, HttpResponse, Simulator

from ._client import connect

SECOND_OF_AUDIO = base64.b64encode(bytes(48_000)).decode()


async def _session_with_audio(sim: Simulator) -> weakref.ref[object]:
    """Open a session, give it a second of audio, close it; a weak reference to it."""
    client = await connect(sim)
    ref: weakref.ref[object] = weakref.ref(sim.connections[-1])
    await client.send({"type": "input_audio_buffer.append", "audio": SECOND_OF_AUDIO})
    await client.send({"type": "conversation.item.retrieve", "item_id": "nothing"})
    await client.until("error")  # the append was read before this
    await client.ws.close()
    return ref


async def _until(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_closed_sessions_beyond_keep_closed_are_freed() -> None:
    async with Simulator(keep_closed=2) as sim:
        for _ in range(5):
            await _session_with_audio(sim)
        await _until(lambda: not sim.connections)
        assert len(sim.history) == 2
        assert all(s.closed for s in sim.history)
        assert (await sim.wait_for_connection(5)) is sim.history[-1]
        with pytest.raises(LookupError, match="freed"):
            await sim.wait_for_connection(1)


async def test_with_keep_closed_zero_nothing_holds_a_closed_session() -> None:
    async with Simulator(keep_closed=0, record=False) as sim:
        refs = [await _session_with_audio(sim) for _ in range(20)]
        await _until(lambda: not sim.connections)

        def freed() -> bool:  # the closed sessions' tasks finish, then nothing holds them
            gc.collect()
            return all(r() is None for r in refs)

        await _until(freed)
        assert sim.history == []


async def test_a_live_session_stays_in_history_whatever_keep_closed_says() -> None:
    async with Simulator(keep_closed=0) as sim:
        client = await connect(sim)
        assert len(sim.history) == 1
        assert sim.history[0] is sim.connections[0]
        await client.ws.close()


async def _open(sim: Simulator) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", sim.port)


async def _answer_or_eof(reader: asyncio.StreamReader, seconds: float = 5.0) -> bytes:
    return await asyncio.wait_for(reader.read(65536), seconds)


async def test_a_huge_declared_chunk_is_refused_at_once() -> None:
    async with Simulator() as sim:
        seen: list[bytes] = []

        async def sink(request: HttpRequest) -> HttpResponse:
            seen.append(request.body)
            return HttpResponse.text("ok")

        sim.http_routes.add("POST", "/test/sink", sink)
        reader, writer = await _open(sim)
        head = b"POST /test/sink HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        writer.write(head + b"7FFFFFFF\r\n" + b"x" * 1000)
        started = time.monotonic()
        answer = await _answer_or_eof(reader)
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert time.monotonic() - started < 2.0
        assert seen == []
        writer.close()


async def test_a_chunked_body_over_the_limit_in_small_chunks_is_refused() -> None:
    from realtime_bus.testing._http import MAX_BODY_BYTES

    async with Simulator() as sim:
        reader, writer = await _open(sim)
        writer.write(b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"100000\r\n" + b"y" * 0x100000 + b"\r\n"
        for _ in range(MAX_BODY_BYTES // 0x100000 + 1):
            writer.write(chunk)
            if writer.transport.is_closing():
                break
            await asyncio.sleep(0)
        answer = await _answer_or_eof(reader)
        assert answer.startswith(b"HTTP/1.1 413 ")
        writer.close()


async def test_an_endless_chunk_size_line_is_refused() -> None:
    async with Simulator() as sim:
        reader, writer = await _open(sim)
        writer.write(b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        writer.write(b"1" * 5000)
        assert (await _answer_or_eof(reader)).startswith(b"HTTP/1.1 400 ")
        writer.close()


async def test_slow_request_heads_time_out_with_408() -> None:
    async with Simulator(request_timeout=0.3) as sim:
        streams = [await _open(sim) for _ in range(50)]
        for _, writer in streams:
            writer.write(b"POST /v1/realtime/client_secrets HTTP/1.1\r\nHost: h\r\n")
        started = time.monotonic()
        answers = await asyncio.gather(*(_answer_or_eof(reader) for reader, _ in streams))
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers)
        assert time.monotonic() - started < 3.0
        # The server closed every one of them.
        after = await asyncio.gather(*(_answer_or_eof(reader) for reader, _ in streams))
        assert all(rest == b"" for rest in after)
        for _, writer in streams:
            writer.close()


async def test_a_body_that_never_arrives_times_out() -> None:
    async with Simulator(request_timeout=0.3) as sim:
        reader, writer = await _open(sim)
        writer.write(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc")
        assert (await _answer_or_eof(reader)).startswith(b"HTTP/1.1 408 ")
        writer.close()


async def test_idle_connections_are_closed_and_busy_ones_are_not() -> None:
    async with Simulator(request_timeout=0.3) as sim:

        async def slow(request: HttpRequest) -> HttpResponse:
            await asyncio.sleep(0.6)  # longer than the timeout: answering is not idling
            return HttpResponse.text("done")

        sim.http_routes.add("GET", "/test/slow", slow)
        idle_reader, idle_writer = await _open(sim)
        assert await _answer_or_eof(idle_reader) == b""  # closed without an answer

        reader, writer = await _open(sim)
        writer.write(b"GET /test/slow HTTP/1.1\r\nHost: h\r\n\r\n")
        answer = await _answer_or_eof(reader)
        assert answer.startswith(b"HTTP/1.1 200 ")
        assert answer.endswith(b"done")
        # Kept alive after the answer, then closed once idle for the timeout.
        assert await _answer_or_eof(reader) == b""
        for w in (idle_writer, writer):
            w.close()


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="keep_closed"):
        Simulator(keep_closed=-1)
    with pytest.raises(ValueError, match="request_timeout"):
        Simulator(request_timeout=0)
