"""Whatever arrives, decoding returns an event or raises DecodeError: nothing else, ever."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realtime_bus.protocol import (
    SERVER_EVENT_CLASSES,
    TRANSLATION_SERVER_EVENT_CLASSES,
    DecodeError,
    Decoder,
    ResponseOutputAudioDelta,
    ServerEvent,
    decode,
)
from realtime_bus.protocol.server import BETA_SERVER_RENAMES, ClientDecoder, encode_server

from ._properties import FUZZ, RANDOM_FRAMES, check_examples
from ._properties import decodes_or_fails_cleanly as check
from ._strategies import json_values, server_builder

_DECODERS = [Decoder("ga"), Decoder("beta"), Decoder("translation")]
_CLIENT_DECODER = ClientDecoder()
_KNOWN_TYPES = sorted(
    {cls.type for cls in (*SERVER_EVENT_CLASSES, *TRANSLATION_SERVER_EVENT_CLASSES)}
    | set(BETA_SERVER_RENAMES)
)
_valid_events = server_builder(dense=True).events(SERVER_EVENT_CLASSES)


def decodes_or_fails_cleanly(frame: bytes | str) -> None:
    """Every dialect either returns an event or raises DecodeError carrying the frame."""
    check(frame, _DECODERS, [_CLIENT_DECODER])


@pytest.mark.parametrize("frames", RANDOM_FRAMES.values(), ids=RANDOM_FRAMES.keys())
def test_random_frames(frames: st.SearchStrategy[bytes | str]) -> None:
    check_examples(frames, decodes_or_fails_cleanly, 150)


_fields = st.sampled_from(
    ["event_id", "item", "response", "session", "delta", "item_id", "output_index", "part"]
) | st.text(max_size=8)


@FUZZ
@given(
    st.sampled_from(_KNOWN_TYPES) | st.text(max_size=20) | json_values,
    st.dictionaries(_fields, json_values, max_size=6),
)
def test_random_objects_under_known_and_unknown_types(kind: Any, fields: dict[str, Any]) -> None:
    decodes_or_fails_cleanly(json.dumps({**fields, "type": kind}))


@FUZZ
@given(_valid_events, st.data())
def test_truncated_valid_frames(event: ServerEvent, data: st.DataObject) -> None:
    frame = encode_server(event)
    cut = data.draw(st.integers(0, len(frame)))
    decodes_or_fails_cleanly(frame[:cut])
    decodes_or_fails_cleanly(frame[:cut].decode(errors="replace"))


def _replace_somewhere(value: Any, data: st.DataObject) -> Any:
    """``value`` with one node (possibly deep inside) replaced by an arbitrary JSON value."""
    children: list[Any] = []
    if isinstance(value, dict):
        children = list(value)
    elif isinstance(value, list):
        children = list(range(len(value)))
    if not children or data.draw(st.integers(0, 3)) == 0:
        return data.draw(json_values)
    key = data.draw(st.sampled_from(children))
    value[key] = _replace_somewhere(value[key], data)
    return value


@FUZZ
@given(_valid_events, st.data())
def test_valid_frames_with_a_field_of_the_wrong_type(
    event: ServerEvent, data: st.DataObject
) -> None:
    payload = msgspec.to_builtins(event)
    key = data.draw(st.sampled_from(sorted(payload)))
    payload[key] = _replace_somewhere(payload[key], data)
    decodes_or_fails_cleanly(json.dumps(payload))


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["response.output_audio.delta", "session.teleported", "response.done"]),
    st.integers(0, 2_000_000),
    st.sampled_from(["A", "é", "\\u0000", '\\"']),
)
def test_huge_strings(kind: str, size: int, unit: str) -> None:
    frame = (
        f'{{"type":"{kind}","event_id":"e","response_id":"r","item_id":"i","output_index":0,'
        f'"content_index":0,"delta":"{unit * size}"}}'
    ).encode()
    decodes_or_fails_cleanly(frame)


def test_a_huge_audio_delta_decodes_whole() -> None:
    delta = "A" * 16_000_000  # 12 MB of audio in one chunk
    frame = encode_server(
        ResponseOutputAudioDelta(
            response_id="r", item_id="i", output_index=0, content_index=0, delta=delta
        )
    )
    event = decode(frame)
    assert isinstance(event, ResponseOutputAudioDelta)
    assert event.delta == delta
    beta = decode(
        frame.replace(b"response.output_audio.delta", b"response.audio.delta"), protocol="beta"
    )
    assert isinstance(beta, ResponseOutputAudioDelta)
    assert beta.delta == delta


def _nested(depth: int, shape: str) -> str:
    open_, close = ("[", "]") if shape == "array" else ('{"a":', "}")
    return open_ * depth + "0" + close * depth


@pytest.mark.parametrize("shape", ["array", "object"])
@pytest.mark.parametrize("depth", [10, 500, 10_000, 100_000])
def test_deep_nesting(shape: str, depth: int) -> None:
    deep = _nested(depth, shape)
    frames = [
        deep,
        f'{{"type":"session.teleported","event_id":"e","x":{deep}}}',
        f'{{"type":"response.done","event_id":"e","response":{deep}}}',
        # Deep inside a free-form field (a tool's JSON Schema) of a known event.
        '{"type":"session.updated","event_id":"e","session":{"type":"realtime",'
        f'"tools":[{{"type":"function","name":"f","parameters":{deep}}}]}}}}',
    ]
    for frame in frames:
        decodes_or_fails_cleanly(frame)
        decodes_or_fails_cleanly(frame.encode())
    if depth >= 10_000:
        with pytest.raises(DecodeError, match="nested too deeply"):
            decode(frames[2])
