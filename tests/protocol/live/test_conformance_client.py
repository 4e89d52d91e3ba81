"""Every Live client event we encode is one the reference accepts, with the same values."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from realtime_bus.protocol import ClientEvent, live
from realtime_bus.protocol.live import LiveClientDecoder, encode_live

from .._properties import check_examples
from .._reference import differences, undeclared
from .._reference_strategies import payloads
from ._reference import CLIENT, each_kind_sparse_and_dense, reference_for
from ._strategies import live_client_builder

_BUILDERS = {"sparse": live_client_builder(), "dense": live_client_builder(dense=True)}
_EXAMPLES = 30
_SERVER_SIDE = {channel: LiveClientDecoder(channel) for channel in CLIENT}
_CHANNEL_OF = {live.ForkSessionStart: "fork", live.TransportDtmfSend: "sideband"}


def check_client_event(event: ClientEvent) -> None:
    """Encode ``event``; the reference must accept it and read back what we meant."""
    frame = encode_live(event)
    reference = reference_for(type(event)).validate(frame)
    assert reference.type == event.type  # type: ignore[attr-defined]
    assert undeclared(reference) == [], frame
    theirs = reference.model_dump(exclude_unset=True, by_alias=True)
    assert differences(msgspec.to_builtins(event), theirs) == [], frame
    # The server side of our codec (what the simulator runs) reads the same event back.
    channel = _CHANNEL_OF.get(type(event), "primary")
    assert _SERVER_SIDE[channel].decode(frame) == event


@pytest.mark.parametrize("mode", _BUILDERS)
@pytest.mark.parametrize("cls", live.CLIENT_EVENT_CLASSES, ids=lambda cls: cls.__name__)
def test_every_client_event_validates_with_the_reference(cls: type[ClientEvent], mode: str) -> None:
    check_examples(_BUILDERS[mode].of(cls), check_client_event, _EXAMPLES)


@each_kind_sparse_and_dense(CLIENT)
def test_client_payloads_the_reference_accepts_decode_on_the_server_side(
    channel: str, kind: str, dense: bool
) -> None:
    def run(payload: dict[str, Any]) -> None:
        frame = json.dumps(payload)
        reference = CLIENT[channel].validate(frame)
        event = _SERVER_SIDE[channel].decode(frame)
        assert event.type == kind
        theirs = reference.model_dump(exclude_unset=True, by_alias=True)
        ours = msgspec.to_builtins(event)
        if kind == "response.item.create":
            # A Responses API item is carried as the JSON it came as (the reference coerces it).
            assert ours.pop("item") == payload["item"]
            theirs.pop("item")
        assert differences(ours, theirs) == [], frame

    check_examples(payloads(CLIENT[channel].models[kind], dense=dense), run, _EXAMPLES)
