"""The library's error hierarchy that the protocol layer needs (no I/O, no third-party imports)."""

from __future__ import annotations

__all__ = ["DecodeError", "EncodeError", "RealtimeBusError"]


class RealtimeBusError(Exception):
    """Base class of every error raised by realtime-bus."""


class DecodeError(RealtimeBusError):
    """A frame from the server could not be turned into a typed event.

    The raw frame is kept in :attr:`frame` so nothing is lost: an application can log it,
    record it, or try to make sense of it itself.
    """

    def __init__(self, message: str, frame: bytes | str) -> None:
        super().__init__(message)
        self.message = message
        self.frame = frame
        self.event_type: str | None = None
        self.event_id: str | None = None
        self.unknown_type = False

    def __repr__(self) -> str:
        unit = "bytes" if isinstance(self.frame, bytes) else "chars"
        return f"DecodeError({self.message!r}, frame=<{len(self.frame)} {unit}>)"


class EncodeError(RealtimeBusError):
    """A client event could not be encoded for the wire."""
