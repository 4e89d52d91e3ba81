"""The bus's own events: connection state changes, delivered through ``bus.on`` like server events.

Their names start with ``bus.``; the wildcard ``"*"`` matches server events only, ``"bus.*"``
matches these. Events that a layer above the bus derives from server events (the agent layer's
``agent.*`` events) subclass :class:`DerivedEvent` and reach handlers through
:meth:`Bus.publish`; ``"*"`` does not match them either.

:class:`Disconnected`, :class:`Reconnecting`, :class:`ReadingPaused` and :class:`ReadingResumed`
overtake received events that still wait for their handlers: the application hears at once that
the link is gone or that reading stopped, not after the backlog.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec

__all__ = [
    "Closed",
    "Connected",
    "DerivedEvent",
    "Disconnected",
    "LifecycleEvent",
    "ReadingPaused",
    "ReadingResumed",
    "Reconnected",
    "Reconnecting",
    "Rotated",
    "SessionExpiring",
]


class LifecycleEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Base class of the bus's own events."""

    type: ClassVar[str]


class DerivedEvent:
    """Base class of events derived from server events above the bus (see :meth:`Bus.publish`).

    Subclasses set the class attribute ``type`` to a name outside the protocol's, starting
    with ``agent.`` (a name ``"*"`` does not match); ``bus.on`` accepts the class itself.
    """

    __slots__ = ()
    type: ClassVar[str]


class Connected(LifecycleEvent, frozen=True, kw_only=True):
    """A connection is open and the server's ``session.created`` has arrived."""

    type: ClassVar[str] = "bus.connected"
    session_id: str | None
    attempt: int
    """1 for the first connection; more after reconnects."""


class Disconnected(LifecycleEvent, frozen=True, kw_only=True):
    """The connection ended. ``will_reconnect`` says whether the bus tries again."""

    type: ClassVar[str] = "bus.disconnected"
    code: int | None
    reason: str
    cause: str
    will_reconnect: bool


class Reconnecting(LifecycleEvent, frozen=True, kw_only=True):
    """The bus waits ``delay`` seconds, then makes reconnect attempt ``attempt``."""

    type: ClassVar[str] = "bus.reconnecting"
    attempt: int
    delay: float
    cause: str


class Reconnected(LifecycleEvent, frozen=True, kw_only=True):
    """A new connection replaced a lost one.

    The new session holds none of the old conversation items: item ids from the old session
    mean nothing to the new one. The last session configuration has been sent again.
    """

    type: ClassVar[str] = "bus.reconnected"
    old_session_id: str | None
    new_session_id: str | None
    attempt: int


class Rotated(LifecycleEvent, frozen=True, kw_only=True):
    """The bus switched to the next session, prepared beside the old one (see
    :meth:`Bus.hand_over`); the old connection was closed with 1000. Unlike a reconnect,
    nothing was lost: the new session was configured and given the history before the switch.
    """

    type: ClassVar[str] = "bus.rotated"
    old_session_id: str | None
    new_session_id: str | None


class SessionExpiring(LifecycleEvent, frozen=True, kw_only=True):
    """The server will end the session at ``expires_at`` (Unix seconds), in ``seconds_left``."""

    type: ClassVar[str] = "bus.session_expiring"
    session_id: str | None
    expires_at: int
    seconds_left: float


class Closed(LifecycleEvent, frozen=True, kw_only=True):
    """The bus closed for good. ``error`` describes the failure, if it closed because of one."""

    type: ClassVar[str] = "bus.closed"
    code: int | None
    reason: str
    error: str | None


class ReadingPaused(LifecycleEvent, frozen=True, kw_only=True):
    """Handlers are so far behind that the bus stopped reading the socket.

    ``backlog`` events (``backlog_bytes`` bytes of frames) wait for their handlers. The link is
    kept alive meanwhile (the keepalive does not count the pause), and reading resumes when
    the backlog is down to half.
    """

    type: ClassVar[str] = "bus.reading_paused"
    backlog: int
    backlog_bytes: int


class ReadingResumed(LifecycleEvent, frozen=True, kw_only=True):
    """The bus reads the socket again after a :class:`ReadingPaused`; ``paused_for`` seconds."""

    type: ClassVar[str] = "bus.reading_resumed"
    paused_for: float
