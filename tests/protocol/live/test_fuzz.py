"""Whatever arrives, the Live decoders return an event or raise DecodeError: nothing else."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from realtime_bus.protocol import ServerEvent, live
from realtime_bus.protocol.live import LiveClientDecoder, LiveDecoder

from .._properties import FUZZ, RANDOM_FRAMES, check_examples
from .._properties import decodes_or_fails_cleanly as check
from .._strategies import json_values
from ._strategies import live_server_builder

_DECODER = LiveDecoder()
_CLIENT_DECODERS = [LiveClientDecoder(c) for c in ("primary", "sideband", "fork")]
_KNOWN = sorted({cls.type for cls in (*live.SERVER_EVENT_CLASSES, *live.CLIENT_EVENT_CLASSES)})
_valid = live_server_builder(dense=True).events(live.SERVER_EVENT_CLASSES)


def decodes_or_fails_cleanly(frame: bytes | str) -> None:
    check(frame, [_DECODER], _CLIENT_DECODERS)


@pytest.mark.parametrize("frames", RANDOM_FRAMES.values(), ids=RANDOM_FRAMES.keys())
def test_random_frames(frames: st.SearchStrategy[bytes | str]) -> None:
    check_examples(frames, decodes_or_fails_cleanly, 150)


@FUZZ
@given(
    st.sampled_from(_KNOWN) | st.text(max_size=10),
    st.dictionaries(
        st.sampled_from(["event_id", "session", "item", "delta", "usage", "error", "event"])
        | st.text(max_size=6),
        json_values,
        max_size=5,
    ),
)
def test_objects_with_known_and_unknown_types(kind: str, fields: dict[str, Any]) -> None:
    decodes_or_fails_cleanly(json.dumps({**fields, "type": kind}))


@FUZZ
@given(_valid, st.data())
def test_valid_events_with_one_field_broken(event: ServerEvent, data: st.DataObject) -> None:
    payload = msgspec.to_builtins(event)
    key = data.draw(st.sampled_from(sorted(payload)))
    payload[key] = data.draw(json_values)
    decodes_or_fails_cleanly(json.dumps(payload))


@FUZZ
@given(_valid, st.integers(0, 2000))
def test_valid_events_cut_short(event: ServerEvent, cut: int) -> None:
    frame = live.encode_live_server(event)
    decodes_or_fails_cleanly(frame[: cut % (len(frame) + 1)])
