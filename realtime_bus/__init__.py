"""realtime-bus: an asyncio event bus for the OpenAI Realtime protocol."""

from .protocol import DecodeError, EncodeError, RealtimeBusError

__all__ = ["DecodeError", "EncodeError", "RealtimeBusError"]
__version__ = "0.1.0"
