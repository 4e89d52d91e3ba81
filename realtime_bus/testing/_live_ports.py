"""The narrow interfaces between the parts of the simulator's GPT-Live side.

A Live session talks to its connections through :class:`LivePeer`, to the Live side of the
simulator through :class:`LiveHost`, and its model works on it through :class:`LiveSessionPort`;
none of these modules imports another's classes, so they form no import circle.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..protocol import ServerEvent
from ..protocol import live as L
from ._live_responder import LiveContext, LiveEntry, LiveResponder
from ._port import SimulatorSettings

__all__ = ["LiveHost", "LivePeer", "LiveSessionPort", "LiveSimulator"]


class Refusals(Protocol):
    """The fault switch a Live upgrade consults."""

    def take_refusal(self) -> int | None:
        """The status of a refusal that was asked for, if any."""
        ...


class LiveSimulator(SimulatorSettings, Protocol):
    """What the Live side uses of the simulator (its settings, read at each use)."""

    @property
    def api_key(self) -> str | None:
        """The only key accepted, or None (any non-empty key)."""
        ...

    @property
    def faults(self) -> Refusals:
        """The fault switches."""
        ...


class LivePeer(Protocol):
    """One connection of a Live session, as the session sees it."""

    @property
    def channel(self) -> L.LiveChannel:
        """``primary``, ``sideband`` or ``fork``."""
        ...

    def send(self, event: ServerEvent, frame: bytes) -> None:
        """Send one server event, already encoded."""
        ...

    def close_link(self, code: int, reason: str) -> None:
        """Close the WebSocket (nothing more is sent)."""
        ...


class LiveHost(Protocol):
    """The Live side of the simulator, as a session sees it."""

    @property
    def sim(self) -> LiveSimulator:
        """The simulator."""
        ...

    @property
    def responder(self) -> LiveResponder:
        """What the simulated model says, delegates and decides."""
        ...

    @property
    def context_window_tokens(self) -> int:
        """The context size usage is reported against."""
        ...

    def add(self, session: Any) -> None:
        """Register a session that has started."""
        ...


class LiveSessionPort(Protocol):
    """What the simulated model uses of its session."""

    id: str
    output_ms: int
    """Where the model's output has reached on the timeline (the model moves it)."""

    @property
    def config(self) -> L.SessionResource | None:
        """The resolved configuration."""
        ...

    @property
    def ended(self) -> bool:
        """Whether the session has closed."""
        ...

    @property
    def server(self) -> LiveHost:
        """The Live side of the simulator."""
        ...

    @property
    def history(self) -> list[LiveEntry]:
        """The conversation so far."""
        ...

    @property
    def response_items(self) -> list[dict[str, Any]]:
        """Items given to the Responses stand-in."""
        ...

    @property
    def input_samples(self) -> int:
        """Input audio received so far, in samples at 24 kHz."""
        ...

    def new_id(self, prefix: str) -> str:
        """A fresh id."""
        ...

    def now_ms(self) -> int:
        """The position on the session's audio timeline."""
        ...

    def context(self) -> LiveContext:
        """What the responder sees."""
        ...

    def broadcast(self, event: ServerEvent, *, sideband_only: bool = False) -> None:
        """Send an event to the session's connections."""
        ...

    def usage(self) -> L.SessionUsage:
        """Usage so far."""
        ...

    def keep(self, pcm: bytes) -> None:
        """Keep audio in the recording (stored sessions)."""
        ...

    def from_internal(self, pcm: bytes) -> bytes:
        """PCM16 24 kHz as the session's output format."""
        ...
