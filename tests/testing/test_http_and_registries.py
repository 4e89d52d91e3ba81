"""Plain HTTP next to the WebSocket on one port, and the state the REST endpoints share:
issued client secrets accepted at the handshake, calls a WebSocket attaches to."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from realtime_bus.protocol import RealtimeSession
from realtime_bus.testing import HttpRequest, HttpResponse, Simulator

from ._client import connect


async def http(sim: Simulator, raw: bytes, responses: int = 1) -> list[bytes]:
    """Send raw HTTP/1.1 bytes on one connection; read ``responses`` responses."""
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    writer.write(raw)
    await writer.drain()
    out = []
    for _ in range(responses):
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        out.append(head + await reader.readexactly(length))
    writer.close()
    return out


async def test_routes_keep_alive_chunked_404_and_405(sim: Simulator) -> None:
    async def echo(request: HttpRequest) -> HttpResponse:
        return HttpResponse.json(
            {
                "name": request.path_params["name"],
                "q": request.query,
                "body": request.body.decode(),
                "auth": request.header("AUTHORIZATION"),
            },
            status=201,
        )

    sim.http_routes.add("POST", "/test/echo/{name}", echo)
    first = b"POST /test/echo/a%20b?x=1 HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer k\r\n"
    first += b"Content-Length: 5\r\n\r\nhello"
    second = b"POST /test/echo/c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    second += b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    one, two = await http(sim, first + second, responses=2)
    assert one.startswith(b"HTTP/1.1 201 Created\r\n")
    body = json.loads(one.split(b"\r\n\r\n", 1)[1])
    assert body == {"name": "a b", "q": {"x": "1"}, "body": "hello", "auth": "Bearer k"}
    assert json.loads(two.split(b"\r\n\r\n", 1)[1])["body"] == "abcde"
    (missing,) = await http(sim, b"GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n")
    assert missing.startswith(b"HTTP/1.1 404 ")
    assert json.loads(missing.split(b"\r\n\r\n", 1)[1])["error"]["type"] == "invalid_request_error"
    (wrong,) = await http(sim, b"GET /test/echo/x HTTP/1.1\r\nHost: h\r\n\r\n")
    assert wrong.startswith(b"HTTP/1.1 405 ")
    assert b"Allow: POST" in wrong


async def test_a_failing_handler_is_a_500_and_the_server_lives(sim: Simulator) -> None:
    async def broken(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("bug")

    sim.http_routes.add("GET", "/test/broken", broken)
    (response,) = await http(sim, b"GET /test/broken HTTP/1.1\r\nHost: h\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 500 ")
    client = await connect(sim)
    await client.ws.close()


async def test_issued_client_secret_opens_a_session_with_its_configuration(
    sim: Simulator,
) -> None:
    secret = sim.client_secrets.issue(
        RealtimeSession(instructions="From the secret.", output_modalities=["text"])
    )
    assert secret.value.startswith("ek_")
    assert secret.value not in repr(secret)
    client = await connect(sim, key=secret.value)
    session = client.events[0]["session"]
    assert session["instructions"] == "From the secret."
    assert session["output_modalities"] == ["text"]
    assert sim.connections[0].client_secret == secret.value
    await client.ws.close()


async def test_unknown_or_expired_client_secrets_are_refused_with_401(sim: Simulator) -> None:
    expired = sim.client_secrets.issue(expires_after_seconds=-1)
    for key in ("ek_never_issued", expired.value):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await connect(sim, key=key)
        assert refused.value.response.status_code == 401
    assert expired.expires_at <= time.time()


async def test_a_websocket_with_call_id_attaches_to_the_call(sim: Simulator) -> None:
    call = sim.calls.create(session=RealtimeSession(instructions="Answer the phone."))
    call.state = "accepted"
    client = await connect(sim, query=f"call_id={call.call_id}")
    assert client.events[0]["session"]["instructions"] == "Answer the phone."
    assert call.sessions == [sim.connections[0]]
    assert sim.connections[0].call_id == call.call_id
    call.end()
    with pytest.raises(websockets.ConnectionClosedOK):
        await client.recv(timeout=3)
    with pytest.raises(websockets.InvalidStatus) as gone:
        await connect(sim, query=f"call_id={call.call_id}")
    assert gone.value.response.status_code == 404
    with pytest.raises(websockets.InvalidStatus) as unknown:
        await connect(sim, query="call_id=rtc_unknown")
    assert unknown.value.response.status_code == 404
