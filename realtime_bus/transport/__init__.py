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
from ._websocket import ConnectOptions, Transport, open_websocket

__all__ = [
    "ConnectOptions",
    "Endpoint",
    "HandshakeRefused",
    "MissingCredentials",
    "TokenProvider",
    "Transport",
    "azure_endpoint",
    "endpoint_for_url",
    "open_websocket",
    "openai_endpoint",
]
