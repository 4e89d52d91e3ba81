"""Every server payload the reference accepts decodes into our matching class, same values.

Payloads come from both sides: built from our structs (and checked to be ones the reference
accepts), and built from the reference's own models (so that shapes our types might not
express are tried too), plus a corpus of simulated conversations.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from realtime_bus.protocol import (
    SERVER_EVENT_CLASSES,
    InputAudioBufferDtmfEventReceived,
    ServerEvent,
    UnknownEvent,
    decode,
)
from realtime_bus.protocol.server import encode_server

from ._properties import check_examples
from ._reference import GA_SERVER, differences, undeclared
from ._reference_strategies import payloads
from ._strategies import server_builder

_BUILDERS = {"sparse": server_builder(), "dense": server_builder(dense=True)}
_CLASSES = {cls.type: cls for cls in SERVER_EVENT_CLASSES}
_EXAMPLES = 20

# Fields the live service sends beyond the reference's models, which we declare on purpose.
_DECLARED_EXTRAS = {"$.session.id", "$.session.object", "$.session.expires_at", "$.obfuscation"}


def check_server_frame(frame: bytes | str) -> ServerEvent:
    """Decode ``frame``, which the reference accepts, and compare every field with it."""
    reference = GA_SERVER.validate(frame)
    event = decode(frame)
    assert not isinstance(event, UnknownEvent), frame
    assert event.type == reference.type  # type: ignore[attr-defined]
    assert type(event) is _CLASSES[event.type]
    ours: dict[str, Any] = msgspec.to_builtins(event)
    theirs = reference.model_dump(exclude_unset=True)
    if "event_id" not in theirs and ours["event_id"] == "":
        # The one event without an event_id (DTMF) reads as an empty one.
        del ours["event_id"]
    assert differences(ours, theirs) == [], frame
    return event


@pytest.mark.parametrize("mode", _BUILDERS)
@pytest.mark.parametrize("cls", SERVER_EVENT_CLASSES, ids=lambda cls: cls.type)
def test_server_events_we_build_validate_and_decode_the_same(
    cls: type[ServerEvent], mode: str
) -> None:
    def run(original: ServerEvent) -> None:
        frame = encode_server(original)
        extras = set(undeclared(GA_SERVER.validate(frame)))
        if cls is InputAudioBufferDtmfEventReceived:
            # The reference gives this one event no event_id; ours always has the field.
            extras.discard("$.event_id")
        assert extras <= _DECLARED_EXTRAS, frame
        assert check_server_frame(frame) == original

    check_examples(_BUILDERS[mode].of(cls), run, _EXAMPLES)


@pytest.mark.parametrize("dense", [False, True], ids=["sparse", "dense"])
@pytest.mark.parametrize("kind", sorted(GA_SERVER.types))
def test_payloads_built_from_the_reference_models_decode_the_same(kind: str, dense: bool) -> None:
    def run(payload: dict[str, Any]) -> None:
        check_server_frame(json.dumps(payload))

    check_examples(payloads(GA_SERVER.models[kind], dense=dense), run, _EXAMPLES)


def test_reference_and_our_catalog_cover_the_same_server_events() -> None:
    # Guards the parametrizations above: both walk every event.
    assert GA_SERVER.types == set(_CLASSES)


def test_corpus_frames_all_decode_typed(corpus: list[str]) -> None:
    seen = set()
    for frame in corpus:
        event = decode(frame)
        assert not isinstance(event, UnknownEvent), frame
        seen.add(event.type)
    # The corpus is whole conversations: it must have exercised many classes.
    assert len(seen) >= 20


def test_corpus_frames_match_the_reference(corpus: list[str]) -> None:
    # One frame of each type, field by field (the corpus is validated as it is made).
    first: dict[str, str] = {}
    for frame in corpus:
        first.setdefault(msgspec.json.decode(frame)["type"], frame)
    for frame in first.values():
        check_server_frame(frame)
