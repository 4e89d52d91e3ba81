"""The ``openai`` package's GPT-Live models, the test-only reference for our Live structs."""

from __future__ import annotations

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
