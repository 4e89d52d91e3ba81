"""Open string enumerations (voices, transcription models, a response's conversation) are
checked as the service checks them: an unknown value is an ``invalid_request_error`` naming the
parameter, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from realtime_bus.testing import Simulator

from ._client import Client, connect, text_item


async def _update(client: Client, **session: Any) -> dict[str, Any]:
    await client.send(
        {"type": "session.update", "event_id": "u1", "session": {"type": "realtime", **session}}
    )
    return await client.until_one_of("error", "session.updated")


@pytest.mark.parametrize(
    ("session", "param", "value"),
    [
        ({"audio": {"output": {"voice": "robot"}}}, "session.audio.output.voice", "robot"),
        (
            {"audio": {"input": {"transcription": {"model": "gpt-9-transcribe"}}}},
            "session.audio.input.transcription.model",
            "gpt-9-transcribe",
        ),
    ],
)
async def test_unknown_values_are_refused_naming_the_param(
    client: Client, sim: Simulator, session: dict[str, Any], param: str, value: str
) -> None:
    before = sim.connections[0].config
    error = await _update(client, **session)
    assert error["type"] == "error"
    assert error["error"]["type"] == "invalid_request_error"
    assert error["error"]["code"] == "invalid_value"
    assert error["error"]["param"] == param
    assert error["error"]["event_id"] == "u1"
    assert error["error"]["message"].startswith(f"Invalid value: '{value}'. Supported values are:")
    assert sim.connections[0].config == before


async def test_known_voices_and_custom_voice_ids_are_accepted(client: Client) -> None:
    updated = await _update(client, audio={"output": {"voice": "cedar"}})
    assert updated["session"]["audio"]["output"]["voice"] == "cedar"
    updated = await _update(client, audio={"output": {"voice": {"id": "voice_1234"}}})
    assert updated["session"]["audio"]["output"]["voice"] == {"id": "voice_1234"}
    updated = await _update(
        client, audio={"input": {"transcription": {"model": "gpt-4o-mini-transcribe"}}}
    )
    assert updated["type"] == "session.updated"


@pytest.mark.parametrize(
    ("response", "param"),
    [
        ({"conversation": "elsewhere"}, "response.conversation"),
        ({"audio": {"output": {"voice": "robot"}}}, "response.audio.output.voice"),
    ],
)
async def test_a_response_with_unknown_values_is_refused(
    client: Client, response: dict[str, Any], param: str
) -> None:
    await client.send(text_item("hi"))
    await client.until("conversation.item.done")
    await client.send({"type": "response.create", "event_id": "r1", "response": response})
    error = await client.expect("error")
    assert (error["error"]["param"], error["error"]["event_id"]) == (param, "r1")
    # Nothing started: the next response is accepted.
    await client.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
    done = await client.until("response.done")
    assert done[-1]["response"]["status"] == "completed"


async def test_a_transcription_session_checks_its_model(sim: Simulator) -> None:
    client = await connect(sim, query="intent=transcription")
    await client.send(
        {
            "type": "session.update",
            "session": {
                "type": "transcription",
                "audio": {"input": {"transcription": {"model": "nope"}}},
            },
        }
    )
    error = await client.expect("error")
    assert error["error"]["param"] == "session.audio.input.transcription.model"
    await client.ws.close()
