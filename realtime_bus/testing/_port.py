"""The narrow interfaces between a simulated session and the parts that do its work.

A session hands its parts (the item events, the input audio buffer, the responses and their
output stream, the fault switches) a :class:`SessionPort`: send an event, send an error, make an
id, read the conversation and the configuration. The parts depend on these protocols only, never
on the session or the simulator classes, so the modules of the simulator form no import circle
and a new kind of session (translation, another protocol family) can reuse the parts it needs.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..protocol import ErrorDetails, RealtimeSession, ServerEvent, TranscriptionSession
from ._conversation import Conversation
from ._responder import Responder
from ._wsconn import WebSocketConnection

__all__ = [
    "Connection",
    "FaultHooks",
    "IdleClock",
    "Outlet",
    "Pacing",
    "SessionHost",
    "SessionPort",
    "SimulatorSettings",
    "Turns",
]


class Pacing(Protocol):
    """The simulator's output settings, read at each use (tests change them at any time)."""

    @property
    def realtime_factor(self) -> float:
        """1.0 is real time, 0 as fast as possible."""
        ...

    @property
    def audio_chunk_ms(self) -> int:
        """The duration of each output audio delta."""
        ...


class SessionPort(Protocol):
    """What a session's parts may use of the session."""

    @property
    def id(self) -> str:
        """The session id."""
        ...

    @property
    def config(self) -> RealtimeSession | TranscriptionSession:
        """The effective session configuration."""
        ...

    @property
    def conversation(self) -> Conversation:
        """The session's default conversation."""
        ...

    @property
    def responder(self) -> Responder:
        """What the assistant says."""
        ...

    @property
    def pacing(self) -> Pacing:
        """How fast output goes out."""
        ...

    @property
    def closed(self) -> bool:
        """Whether the connection is gone."""
        ...

    def emit(self, event: ServerEvent) -> None:
        """Send a server event; an empty ``event_id`` is filled in with a fresh one."""
        ...

    def emit_error(self, details: ErrorDetails) -> None:
        """Send an ``error`` event."""
        ...

    def new_id(self, prefix: str) -> str:
        """A fresh id with ``prefix`` (``"item"``, ``"resp"``, ``"call"``, ...)."""
        ...


class Outlet(Protocol):
    """The flow control of the connection, for output sent as fast as the client reads it."""

    @property
    def writable(self) -> bool:
        """Whether the client keeps up (the write buffer is below its high-water mark)."""
        ...

    async def cooperate(self) -> None:
        """Yield to the event loop; wait while the client is slow."""
        ...


class Turns(Protocol):
    """What the input audio buffer tells the responses when the user's turn ends or begins."""

    @property
    def responding(self) -> bool:
        """Whether a response of the default conversation is in progress."""
        ...

    def create_auto(self) -> None:
        """The user's turn ended: respond (server VAD's ``create_response``)."""
        ...

    def interrupt(self) -> None:
        """The user started speaking: cancel the response in progress."""
        ...


class IdleClock(Protocol):
    """Server VAD's idle timer, which responses start and stop."""

    def arm_idle_timeout(self, playback_seconds: float) -> None:
        """A response ended: start the idle clock once its audio has played."""
        ...

    def disarm_idle_timeout(self) -> None:
        """A response started: stop the idle clock."""
        ...


class Connection(Protocol):
    """One client connection, as the fault switches and the simulated calls act on it."""

    @property
    def ws(self) -> WebSocketConnection:
        """The WebSocket connection."""
        ...

    @property
    def closed(self) -> bool:
        """Whether the connection is gone."""
        ...

    def new_id(self, prefix: str) -> str:
        """A fresh id."""
        ...

    def send_raw(self, frame: bytes | str) -> None:
        """Send a text frame as given."""
        ...

    def on_message(self, data: bytes, is_text: bool) -> None:
        """Handle a client message as if it had arrived on the wire."""
        ...

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a closing handshake."""
        ...

    def abort(self) -> None:
        """Drop TCP without a close frame."""
        ...

    def stall(self) -> None:
        """Stop reading and sending."""
        ...

    def resume(self) -> None:
        """Undo :meth:`stall`."""
        ...


class FaultHooks(Protocol):
    """The fault switches as a session sees them: a check after each event it sends."""

    @property
    def armed(self) -> bool:
        """Whether :meth:`after_send` must run (false on the fast path)."""
        ...

    def after_send(self, session: Connection, event: ServerEvent) -> None:
        """Run the faults due after ``event`` was written to ``session``."""
        ...


class SimulatorSettings(Pacing, Protocol):
    """The simulator's settings that every kind of session reads, and its session list."""

    @property
    def record(self) -> bool:
        """Whether sessions keep every event that crosses the wire."""
        ...

    @property
    def max_session_seconds(self) -> float:
        """The session duration limit."""
        ...

    def _session_closed(self, session: Any) -> None:
        """A session's connection is gone."""
        ...


class SessionHost(SimulatorSettings, Protocol):
    """What a session uses of the simulator that accepted it."""

    @property
    def responder(self) -> Responder:
        """What new sessions' assistants say."""
        ...

    @property
    def faults(self) -> FaultHooks:
        """The fault switches."""
        ...
