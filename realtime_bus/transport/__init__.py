"""Frames over a WebSocket: endpoints, credentials, and the connection under the bus."""

from ._endpoint import (
    Endpoint,
    MissingCredentials,
    TokenProvider,
    azure_endpoint,
    endpoint_for_url,
    openai_endpoint,
)
from ._errors import HandshakeRefused
from ._websocket import ConnectOptions, Connector, Transport, abort_transport, open_websocket

__all__ = [
    "ConnectOptions",
    "Connector",
    "Endpoint",
    "HandshakeRefused",
    "MissingCredentials",
    "TokenProvider",
    "Transport",
    "abort_transport",
    "azure_endpoint",
    "endpoint_for_url",
    "open_websocket",
    "openai_endpoint",
]
