"""Every client event we encode is one the reference accepts, with the same field values."""

from __future__ import annotations

import json
from typing import Any, get_args

import msgspec
import pytest
from hypothesis import strategies as st

from realtime_bus.protocol import (
    CLIENT_EVENT_CLASSES,
    AudioConfig,
    AudioInputConfig,
    ClientEvent,
    ConversationItem,
    ConversationItemCreate,
    RealtimeSession,
    ResponseCreate,
    ResponseCreateParams,
    SessionUpdate,
    Tool,
    ToolChoice,
    TranscriptionSession,
    TranscriptionSessionAudio,
    TurnDetection,
    encode,
)
from realtime_bus.protocol.server import ClientDecoder

from ._properties import check_examples
from ._reference import GA_CLIENT, differences, undeclared
from ._reference_strategies import payloads
from ._strategies import client_builder

_BUILDERS = {"sparse": client_builder(), "dense": client_builder(dense=True)}
_EXAMPLES = 40
_server_side = ClientDecoder()


def check_client_event(event: ClientEvent) -> None:
    """Encode ``event``; the reference must accept it and read back what we meant."""
    frame = encode(event)
    reference = GA_CLIENT.validate(frame)
    assert reference.type == event.type  # type: ignore[attr-defined]
    assert undeclared(reference) == [], frame
    theirs = reference.model_dump(exclude_unset=True)
    assert differences(msgspec.to_builtins(event), theirs) == [], frame
    # The server side of our codec (what the simulator runs) reads the same event back.
    assert _server_side.decode(frame) == event


@pytest.mark.parametrize("mode", _BUILDERS)
@pytest.mark.parametrize("cls", CLIENT_EVENT_CLASSES, ids=lambda cls: cls.type)
def test_every_client_event_validates_with_the_reference(cls: type[ClientEvent], mode: str) -> None:
    check_examples(_BUILDERS[mode].of(cls), check_client_event, _EXAMPLES)


def _session_updates_with(turn_detection: type[Any]) -> st.SearchStrategy[SessionUpdate]:
    b = _BUILDERS["sparse"]
    audio_input = b.struct(AudioInputConfig, turn_detection=b.of(turn_detection))
    realtime = b.struct(RealtimeSession, audio=b.struct(AudioConfig, input=audio_input))
    transcription = b.struct(
        TranscriptionSession, audio=b.struct(TranscriptionSessionAudio, input=audio_input)
    )
    return b.struct(SessionUpdate, session=realtime | transcription)


def _tool_use() -> st.SearchStrategy[ClientEvent]:
    b = _BUILDERS["sparse"]
    given = {
        "tools": st.lists(b.of(Tool), min_size=1, max_size=3),
        "tool_choice": b.of(ToolChoice),
    }
    session = b.struct(SessionUpdate, session=b.struct(RealtimeSession, **given))
    response = b.struct(ResponseCreate, response=b.struct(ResponseCreateParams, **given))
    return session | response


_FOCUSED: dict[str, st.SearchStrategy[Any]] = {
    **{
        f"session.update with {vad.__name__}": _session_updates_with(vad)
        for vad in get_args(TurnDetection)
    },
    **{
        f"conversation.item.create with {item.__name__}": _BUILDERS["sparse"].struct(
            ConversationItemCreate, item=_BUILDERS["sparse"].of(item)
        )
        for item in get_args(ConversationItem)
    },
    "session.update and response.create with tools": _tool_use(),
    "response.create with input items": _BUILDERS["dense"].struct(
        ResponseCreate,
        response=_BUILDERS["sparse"].struct(
            ResponseCreateParams,
            input=st.lists(_BUILDERS["sparse"].of(ConversationItem), min_size=1, max_size=3),
        ),
    ),
}


@pytest.mark.parametrize("name", _FOCUSED)
def test_focused_client_events_validate_with_the_reference(name: str) -> None:
    check_examples(_FOCUSED[name], check_client_event, _EXAMPLES)


@pytest.mark.parametrize("dense", [False, True], ids=["sparse", "dense"])
@pytest.mark.parametrize("kind", sorted(GA_CLIENT.types))
def test_client_payloads_the_reference_accepts_decode_on_the_server_side(
    kind: str, dense: bool
) -> None:
    def run(payload: dict[str, Any]) -> None:
        frame = json.dumps(payload)
        reference = GA_CLIENT.validate(frame)
        event = _server_side.decode(frame)
        assert event.type == kind
        theirs = reference.model_dump(exclude_unset=True)
        assert differences(msgspec.to_builtins(event), theirs) == [], frame

    check_examples(payloads(GA_CLIENT.models[kind], dense=dense), run, _EXAMPLES)
