"""The ``openai`` package's GPT-Live models, the test-only reference for our Live structs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import pytest
from openai.types.live import ClientEvent, ServerEvent
from openai.types.live.connect_client_event import ConnectClientEvent
from openai.types.live.connect_server_event import ConnectServerEvent
from openai.types.live.fork_client_event import ForkClientEvent
from openai.types.live.fork_server_event import ForkServerEvent

from realtime_bus.protocol import ClientEvent as ClientEventBase
from realtime_bus.protocol import live

from .._reference import Reference

__all__ = ["CLIENT", "SERVER", "reference_for"]

CLIENT = {
    "primary": Reference(ClientEvent),
    "sideband": Reference(ConnectClientEvent),
    "fork": Reference(ForkClientEvent),
}
SERVER = {
    "primary": Reference(ServerEvent),
    "sideband": Reference(ConnectServerEvent),
    "fork": Reference(ForkServerEvent),
}

# The client events that belong to one kind of connection only.
_CHANNEL_OF = {
    live.ForkSessionStart: "fork",
    live.TransportDtmfSend: "sideband",
}


def reference_for(cls: type[ClientEventBase]) -> Reference:
    """The reference union that a client event class is checked against."""
    return CLIENT[_CHANNEL_OF.get(cls, "primary")]


F = TypeVar("F", bound=Callable[..., object])


def each_kind_sparse_and_dense(references: Mapping[str, Reference]) -> Callable[[F], F]:
    """Parametrize a test by ``channel``, ``kind`` (every event type of each channel's
    reference) and ``dense`` (payloads with only the required fields, or with all of them)."""
    kinds = sorted((channel, kind) for channel, ref in references.items() for kind in ref.types)

    def parametrize(test: F) -> F:
        by_kind = pytest.mark.parametrize(
            ("channel", "kind"), kinds, ids=[f"{c}:{k}" for c, k in kinds]
        )
        return pytest.mark.parametrize("dense", [False, True], ids=["sparse", "dense"])(
            by_kind(test)
        )

    return parametrize
