"""The beta dialect maps onto the GA classes both ways; translation sessions decode their events."""

from __future__ import annotations

import json
from typing import Any, get_args

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime_bus.protocol import (
    SERVER_EVENT_CLASSES,
    TRANSLATION_CLIENT_EVENT_CLASSES,
    TRANSLATION_SERVER_EVENT_CLASSES,
    AudioConfig,
    AudioFormat,
    AudioInputConfig,
    AudioOutputConfig,
    AudioPCM,
    ClientEvent,
    ContentPart,
    ConversationItemCreate,
    FunctionCallItem,
    FunctionCallOutputItem,
    FunctionTool,
    MessageItem,
    NoiseReduction,
    RealtimeSession,
    ResponseAudio,
    ResponseAudioOutput,
    ResponseCreate,
    ResponseCreateParams,
    ResponseDone,
    ResponseFunctionCallArgumentsDone,
    SemanticVad,
    ServerEvent,
    ServerVad,
    SessionCreated,
    SessionUpdate,
    SessionUpdated,
    TranscriptionConfig,
    TranscriptionSession,
    TranscriptionSessionAudio,
    UnknownEvent,
    decode,
    encode,
)
from realtime_bus.protocol.server import BETA_SERVER_RENAMES, ClientDecoder, encode_server

from ._reference import (
    BETA_CLIENT,
    BETA_SERVER,
    TRANSLATION_CLIENT,
    TRANSLATION_SERVER,
    differences,
    literal_values,
    undeclared,
)
from ._reference_strategies import payloads
from ._strategies import Builder, server_builder, texts

_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_GA = {cls.type: cls for cls in SERVER_EVENT_CLASSES}
_b = Builder()
_UNSET = st.just(msgspec.UNSET)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return _UNSET | strategy


# ---------------------------------------------------------------------------------------------
# Beta server events


# Events whose beta payload has the GA shape (the renamed ones among them). Items, responses
# and sessions differ in shape and are tested on their own below.
_SAME_SHAPE = sorted(
    kind
    for kind in BETA_SERVER.types
    if not kind.startswith(("session.", "transcription_session.", "response.created"))
    and kind
    not in {
        "response.done",
        "conversation.item.created",
        "conversation.item.retrieved",
        "response.output_item.added",
        "response.output_item.done",
    }
)


@pytest.mark.parametrize("kind", _SAME_SHAPE)
def test_beta_events_decode_into_the_ga_classes(kind: str) -> None:
    ga_kind = BETA_SERVER_RENAMES.get(kind, kind)

    @_SETTINGS
    @given(payloads(BETA_SERVER.models[kind]))
    def run(payload: dict[str, Any]) -> None:
        frame = json.dumps(payload)
        reference = BETA_SERVER.validate(frame)
        event = decode(frame, protocol="beta")
        assert event.type == ga_kind
        assert isinstance(event, _GA[ga_kind])
        ours = msgspec.to_builtins(event)
        if isinstance(event, ResponseFunctionCallArgumentsDone):
            # Beta servers do not send the function's name here; it reads as empty.
            assert ours.pop("name") == ""
        assert differences(ours, reference.model_dump(exclude_unset=True)) == [], frame

    run()


def test_every_renamed_beta_event_is_covered() -> None:
    assert set(BETA_SERVER_RENAMES) - {"transcription_session.updated"} <= set(_SAME_SHAPE)


def _beta_items(assistant_kinds: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Items a beta conversation holds: messages, function calls and their outputs."""

    def parts(kinds: tuple[str, ...], fields: tuple[str, ...]) -> st.SearchStrategy[Any]:
        part = _b.struct(ContentPart, only=fields, type=_maybe(st.sampled_from(kinds)))
        return st.lists(part, max_size=3)

    messages = st.one_of(
        _b.struct(MessageItem, role=st.just("system"), content=parts(("input_text",), ("text",))),
        _b.struct(
            MessageItem,
            role=st.just("user"),
            content=parts(("input_text", "input_audio"), ("text", "audio", "transcript")),
        ),
        _b.struct(
            MessageItem,
            role=st.just("assistant"),
            content=parts(assistant_kinds, ("text", "audio", "transcript")),
        ),
    )
    return messages | _b.of(FunctionCallItem) | _b.of(FunctionCallOutputItem)


@_SETTINGS
@given(
    _beta_items(("text", "audio")),
    st.sampled_from(["conversation.item.created", "response.output_item.done"]),
)
def test_beta_items_decode_into_the_ga_items(item: Any, kind: str) -> None:
    frame = json.dumps(
        {
            "type": kind,
            "event_id": "event_1",
            "response_id": "resp_1",
            "output_index": 0,
            "item": msgspec.to_builtins(item),
        }
    )
    BETA_SERVER.validate(frame)
    event = decode(frame, protocol="beta")
    assert event.type == kind
    assert event.item == item  # type: ignore[attr-defined]


def test_a_beta_response_done_keeps_status_output_and_usage() -> None:
    frame = json.dumps(
        {
            "type": "response.done",
            "event_id": "event_3",
            "response": {
                "id": "resp_1",
                "object": "realtime.response",
                "status": "completed",
                "status_details": None,
                "output": [
                    {
                        "id": "item_1",
                        "object": "realtime.item",
                        "type": "message",
                        "role": "assistant",
                        "status": "completed",
                        "content": [{"type": "audio", "transcript": "Hello there."}],
                    }
                ],
                "usage": {"total_tokens": 30, "input_tokens": 10, "output_tokens": 20},
                "modalities": ["text", "audio"],
                "voice": "sage",
                "output_audio_format": "pcm16",
                "temperature": 0.8,
            },
        }
    )
    BETA_SERVER.validate(frame)
    event = decode(frame, protocol="beta")
    assert isinstance(event, ResponseDone)
    assert event.response.status == "completed"
    assert event.response.usage is not msgspec.UNSET
    assert event.response.usage is not None
    assert event.response.usage.total_tokens == 30
    assert event.response.output == [
        MessageItem(
            id="item_1",
            object="realtime.item",
            role="assistant",
            status="completed",
            content=[ContentPart(type="audio", transcript="Hello there.")],
        )
    ]


_BETA_SESSION = {
    "id": "sess_1",
    "object": "realtime.session",
    "model": "gpt-4o-realtime-preview",
    "modalities": ["text", "audio"],
    "instructions": "Be brief.",
    "voice": "sage",
    "input_audio_format": "pcm16",
    "output_audio_format": "g711_ulaw",
    "input_audio_transcription": {"model": "whisper-1"},
    "turn_detection": {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
    },
    "tools": [],
    "tool_choice": "auto",
    "temperature": 0.8,
    "max_response_output_tokens": "inf",
    "speed": 1.1,
    "tracing": "auto",
}


@pytest.mark.parametrize("kind", ["session.created", "session.updated"])
def test_a_flat_beta_session_becomes_a_nested_ga_session(kind: str) -> None:
    frame = json.dumps({"type": kind, "event_id": "event_1", "session": _BETA_SESSION})
    BETA_SERVER.validate(frame)
    event = decode(frame, protocol="beta")
    assert type(event) is (SessionCreated if kind == "session.created" else SessionUpdated)
    assert event.session == RealtimeSession(  # type: ignore[attr-defined]
        id="sess_1",
        object="realtime.session",
        model="gpt-4o-realtime-preview",
        output_modalities=["text", "audio"],
        instructions="Be brief.",
        audio=AudioConfig(
            input=AudioInputConfig(
                format=AudioPCM(rate=24000),
                transcription=TranscriptionConfig(model="whisper-1"),
                turn_detection=ServerVad(
                    threshold=0.5, prefix_padding_ms=300, silence_duration_ms=200
                ),
            ),
            output=AudioOutputConfig(
                format=msgspec.convert({"type": "audio/pcmu"}, AudioFormat),
                voice="sage",
                speed=1.1,
            ),
        ),
        tools=[],
        tool_choice="auto",
        max_output_tokens="inf",
        tracing="auto",
    )


def test_a_beta_transcription_session_becomes_a_ga_transcription_session() -> None:
    frame = json.dumps(
        {
            "type": "transcription_session.updated",
            "event_id": "event_2",
            "session": {
                "id": "sess_2",
                "object": "realtime.transcription_session",
                "input_audio_format": "pcm16",
                "input_audio_transcription": {"model": "gpt-4o-transcribe", "language": "en"},
                "turn_detection": {"type": "semantic_vad", "eagerness": "low"},
                "input_audio_noise_reduction": {"type": "near_field"},
                "include": ["item.input_audio_transcription.logprobs"],
                "client_secret": {"value": "ek_secret", "expires_at": 1767225600},
            },
        }
    )
    BETA_SERVER.validate(frame)
    event = decode(frame, protocol="beta")
    assert isinstance(event, SessionUpdated)
    assert event.type == "session.updated"
    assert event.session == TranscriptionSession(
        id="sess_2",
        object="realtime.transcription_session",
        include=["item.input_audio_transcription.logprobs"],
        audio=TranscriptionSessionAudio(
            input=AudioInputConfig(
                format=AudioPCM(rate=24000),
                transcription=TranscriptionConfig(model="gpt-4o-transcribe", language="en"),
                turn_detection=SemanticVad(eagerness="low"),
                noise_reduction=NoiseReduction(type="near_field"),
            )
        ),
    )
    # The ephemeral key of a beta transcription session is not carried into the GA session.
    assert "ek_secret" not in repr(event)


# ---------------------------------------------------------------------------------------------
# Beta client events: GA events encoded for a beta server


_formats = _b.of(AudioFormat)  # never None: a beta format is a plain name, not an object
_turn_detection = (
    st.none()
    # ``idle_timeout_ms`` is GA only.
    | _b.struct(ServerVad, idle_timeout_ms=_UNSET)
    | _b.of(SemanticVad)
)


def _beta_model_names(kind: str, *path: str) -> st.SearchStrategy[str]:
    """The model names a beta client session lists for a field (beta takes no others)."""
    model: Any = BETA_CLIENT.models[kind]
    for name in ("session", *path):
        annotation = model.model_fields[name].annotation
        model = next(a for a in (annotation, *get_args(annotation)) if isinstance(a, type))
    return st.sampled_from(literal_values(model, "model"))


def _audio_input(transcription_models: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    transcription = _b.struct(
        TranscriptionConfig,
        only=("language", "prompt"),  # beta transcription has model, language and prompt only
        model=_b.optional(transcription_models),
    )
    return _b.struct(
        AudioInputConfig,
        format=_maybe(_formats),
        # Beta noise reduction has no ``strength``.
        noise_reduction=_maybe(st.none() | _b.struct(NoiseReduction, only=("type",))),
        transcription=_maybe(st.none() | transcription),
        turn_detection=_maybe(_turn_detection),
    )


_voices = _maybe(texts)  # beta voices are names; custom voice ids are GA only
_tool_choices = _b.optional(st.sampled_from(["none", "auto", "required"]))
_function_tools = _b.optional(st.lists(_b.of(FunctionTool), max_size=2))
_realtime_sessions = _b.struct(
    RealtimeSession,
    only=("instructions", "output_modalities", "tools", "tracing", "max_output_tokens"),
    model=_b.optional(_beta_model_names("session.update")),
    audio=_maybe(
        _b.struct(
            AudioConfig,
            input=_maybe(_audio_input(texts)),
            output=_maybe(_b.struct(AudioOutputConfig, format=_maybe(_formats), voice=_voices)),
        )
    ),
    tools=_function_tools,
    tool_choice=_tool_choices,
)
_transcription_models = _beta_model_names(
    "transcription_session.update", "input_audio_transcription"
)
_transcription_sessions = _b.struct(
    TranscriptionSession,
    only=("include",),
    audio=_maybe(
        _b.struct(TranscriptionSessionAudio, input=_maybe(_audio_input(_transcription_models)))
    ),
)


def _normalised(value: Any) -> Any:
    """A GA session's builtins as they come back from beta: PCM at its one rate, no empties."""
    if isinstance(value, dict):
        out = {k: _normalised(v) for k, v in value.items()}
        if out.get("type") == "audio/pcm":
            out["rate"] = 24000
        return {k: v for k, v in out.items() if v != {} or k not in ("audio", "input", "output")}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


@_SETTINGS
@given(_realtime_sessions | _transcription_sessions)
def test_a_ga_session_update_encodes_as_the_flat_beta_session(session: Any) -> None:
    frame = encode(SessionUpdate(session=session), protocol="beta")
    reference = BETA_CLIENT.validate(frame)
    is_transcription = isinstance(session, TranscriptionSession)
    expected = "transcription_session.update" if is_transcription else "session.update"
    assert reference.type == expected  # type: ignore[attr-defined]
    assert undeclared(reference) == [], frame

    # Played back by a beta server as its session.updated, the session reads as it was sent.
    flat = json.loads(frame)["session"]
    server_session = {**flat, "id": "sess_1", "object": "realtime.session"}
    kind = "session.updated"
    if is_transcription:
        kind = "transcription_session.updated"
        server_session["client_secret"] = {"value": "ek_1", "expires_at": 1}
    server_frame = json.dumps({"type": kind, "event_id": "e", "session": server_session})
    BETA_SERVER.validate(server_frame)
    event = decode(server_frame, protocol="beta")
    assert isinstance(event, SessionUpdated)
    sent = {**msgspec.to_builtins(session), "id": "sess_1", "object": "realtime.session"}
    assert differences(msgspec.to_builtins(event.session), _normalised(sent)) == []


@_SETTINGS
@given(_beta_items(("output_text", "output_audio")))
def test_a_ga_item_encodes_as_a_beta_item(item: Any) -> None:
    frame = encode(ConversationItemCreate(item=item, previous_item_id="root"), protocol="beta")
    reference = BETA_CLIENT.validate(frame)
    assert undeclared(reference) == [], frame
    parts = json.loads(frame)["item"].get("content", [])
    assert not {p.get("type") for p in parts} & {"output_text", "output_audio"}


_response_params = _b.struct(
    ResponseCreateParams,
    only=(
        "instructions",
        "output_modalities",
        "conversation",
        "max_output_tokens",
        "metadata",
    ),
    audio=_maybe(
        _b.struct(
            ResponseAudio,
            output=_maybe(_b.struct(ResponseAudioOutput, format=_maybe(_formats), voice=_voices)),
        )
    ),
    # Beta response input has no assistant audio parts (its content types omit ``audio``).
    input=_b.optional(st.lists(_beta_items(("output_text",)), max_size=2)),
    tools=_function_tools,
    tool_choice=_tool_choices,
)


@_SETTINGS
@given(_b.struct(ResponseCreate, response=_maybe(st.none() | _response_params)))
def test_a_ga_response_create_encodes_for_beta(event: ResponseCreate) -> None:
    frame = encode(event, protocol="beta")
    reference = BETA_CLIENT.validate(frame)
    assert undeclared(reference) == [], frame


# ---------------------------------------------------------------------------------------------
# Translation sessions

_translation_builder = server_builder()


@pytest.mark.parametrize("cls", TRANSLATION_SERVER_EVENT_CLASSES, ids=lambda c: c.__name__)
def test_translation_server_events_round_trip_through_the_reference(
    cls: type[ServerEvent],
) -> None:
    @_SETTINGS
    @given(_translation_builder.of(cls))
    def run(original: ServerEvent) -> None:
        frame = encode_server(original)
        reference = TRANSLATION_SERVER.validate(frame)
        assert undeclared(reference) == [], frame
        event = decode(frame, protocol="translation")
        assert event == original
        theirs = reference.model_dump(exclude_unset=True)
        assert differences(msgspec.to_builtins(event), theirs) == []

    run()


@pytest.mark.parametrize("kind", sorted(TRANSLATION_SERVER.types))
def test_translation_payloads_from_the_reference_decode(kind: str) -> None:
    @_SETTINGS
    @given(payloads(TRANSLATION_SERVER.models[kind]))
    def run(payload: dict[str, Any]) -> None:
        frame = json.dumps(payload)
        reference = TRANSLATION_SERVER.validate(frame)
        event = decode(frame, protocol="translation")
        assert not isinstance(event, UnknownEvent)
        assert event.type == kind
        theirs = reference.model_dump(exclude_unset=True)
        assert differences(msgspec.to_builtins(event), theirs) == []

    run()


@pytest.mark.parametrize("cls", TRANSLATION_CLIENT_EVENT_CLASSES, ids=lambda c: c.__name__)
def test_translation_client_events_validate_with_the_reference(cls: type[ClientEvent]) -> None:
    server_side = ClientDecoder("translation")

    @_SETTINGS
    @given(_b.of(cls))
    def run(event: ClientEvent) -> None:
        frame = encode(event, protocol="translation")
        reference = TRANSLATION_CLIENT.validate(frame)
        assert undeclared(reference) == [], frame
        theirs = reference.model_dump(exclude_unset=True)
        assert differences(msgspec.to_builtins(event), theirs) == []
        assert server_side.decode(frame) == event

    run()


def test_a_translation_session_is_not_a_ga_session() -> None:
    # The same event name carries another payload on a translation connection.
    frame = json.dumps(
        {
            "type": "session.created",
            "event_id": "e",
            "session": {
                "type": "translation",
                "id": "sess_t",
                "model": "gpt-realtime-translate",
                "expires_at": 1767225600,
                "audio": {"output": {"language": "fr"}},
            },
        }
    )
    TRANSLATION_SERVER.validate(frame)
    event = decode(frame, protocol="translation")
    assert event.type == "session.created"
    assert event.session.audio.output.language == "fr"  # type: ignore[attr-defined]


def test_odd_values_in_a_beta_session_are_dropped_not_fatal() -> None:
    # The beta schema types these as free strings (or nullable); the event must still arrive,
    # with its expiry, even when one value has no GA counterpart.
    session = {
        **_BETA_SESSION,
        "id": None,
        "expires_at": 1767225600,
        "input_audio_format": "opus",
        "tool_choice": "lookup_order",
    }
    event = decode(
        json.dumps({"type": "session.created", "event_id": "e", "session": session}),
        protocol="beta",
    )
    assert isinstance(event, SessionCreated)
    assert isinstance(event.session, RealtimeSession)
    assert event.session.expires_at == 1767225600
    assert event.session.id is msgspec.UNSET
    assert event.session.tool_choice is msgspec.UNSET
    assert isinstance(event.session.audio, AudioConfig)
    assert isinstance(event.session.audio.input, AudioInputConfig)
    assert event.session.audio.input.format is msgspec.UNSET
    cleared = decode(
        json.dumps({"type": "session.updated", "event_id": "e", "session": {"tool_choice": None}}),
        protocol="beta",
    )
    assert cleared.session == RealtimeSession(tool_choice=None)  # type: ignore[attr-defined]
