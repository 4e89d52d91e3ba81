"""Frames over a connection: the transport protocol, the WebSocket client, endpoints, keys."""

from .._secrets import RedactingLogger, redact_text
from ._base import Connector, Transport, abort_transport
from ._endpoint import (
    Endpoint,
    MissingCredentials,
    TokenProvider,
    azure_endpoint,
    check_headers,
    endpoint_for_url,
    openai_endpoint,
)
from ._errors import (
    ConfigurationError,
    ConnectFailed,
    ConnectionLost,
    HandshakeRefused,
    TransportClosed,
)
from ._memory import MemoryTransport, memory_pair
from ._options import ConnectOptions
from ._websocket import WebSocketTransport, open_websocket

__all__ = [
    "ConfigurationError",
    "ConnectFailed",
    "ConnectOptions",
    "ConnectionLost",
    "Connector",
    "Endpoint",
    "HandshakeRefused",
    "MemoryTransport",
    "MissingCredentials",
    "RedactingLogger",
    "TokenProvider",
    "Transport",
    "TransportClosed",
    "WebSocketTransport",
    "abort_transport",
    "azure_endpoint",
    "check_headers",
    "endpoint_for_url",
    "memory_pair",
    "open_websocket",
    "openai_endpoint",
    "redact_text",
]
