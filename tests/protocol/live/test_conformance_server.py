"""Every Live server payload the reference accepts decodes into our class, same values.

Payloads come from both sides: built from our structs (and checked to be ones the reference
accepts), and built from the reference's own models (shapes our types might not express).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from realtime_bus.protocol import ServerEvent, live
from realtime_bus.protocol.live import decode_live, encode_live_server

from .._properties import check_examples
from .._reference import differences, undeclared
from .._reference_strategies import payloads
from ._reference import SERVER, each_kind_sparse_and_dense
from ._strategies import live_server_builder

_BUILDERS = {"sparse": live_server_builder(), "dense": live_server_builder(dense=True)}
_CLASSES = {cls.type: cls for cls in live.SERVER_EVENT_CLASSES}
_EXAMPLES = 20
_SIDEBAND = SERVER["sideband"]  # the widest union: every Live server event


def check_server_frame(frame: bytes | str, channel: str = "sideband") -> ServerEvent:
    """Decode ``frame``, which the reference accepts, and compare every field with it."""
    reference = SERVER[channel].validate(frame)
    event = decode_live(frame)
    assert not isinstance(event, live.UnknownEvent), frame
    assert event.type == reference.type  # type: ignore[attr-defined]
    assert type(event) is _CLASSES[event.type]
    ours: dict[str, Any] = msgspec.to_builtins(event)
    theirs = reference.model_dump(exclude_unset=True, by_alias=True)
    assert differences(ours, theirs) == [], frame
    return event


@pytest.mark.parametrize("mode", _BUILDERS)
@pytest.mark.parametrize("cls", live.SERVER_EVENT_CLASSES, ids=lambda cls: cls.type)
def test_server_events_we_build_validate_and_decode_the_same(
    cls: type[ServerEvent], mode: str
) -> None:
    def run(original: ServerEvent) -> None:
        frame = encode_live_server(original)
        assert undeclared(_SIDEBAND.validate(frame)) == [], frame
        assert check_server_frame(frame) == original

    check_examples(_BUILDERS[mode].of(cls), run, _EXAMPLES)


@each_kind_sparse_and_dense(SERVER)
def test_payloads_built_from_the_reference_models_decode_the_same(
    channel: str, kind: str, dense: bool
) -> None:
    def run(payload: dict[str, Any]) -> None:
        check_server_frame(json.dumps(payload), channel)

    check_examples(payloads(SERVER[channel].models[kind], dense=dense), run, _EXAMPLES)
