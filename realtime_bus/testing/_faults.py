"""Fault injection: the network and server failures a client must survive, on demand.

Every fault is set at run time through ``sim.faults`` (a :class:`Faults`) and applies to the
live connections and to those that open later, until it fires (one-shot faults) or is undone.
See the :mod:`realtime_bus.testing` documentation for the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from ..protocol import ServerEvent
from ._port import Connection

__all__ = ["Faults", "InjectedFault"]

_DELTAS = frozenset(
    {
        "response.output_text.delta",
        "response.output_audio.delta",
        "response.output_audio_transcript.delta",
        "response.function_call_arguments.delta",
    }
)

MalformedKind = Literal["json", "schema", "utf8"]


class _Server(Protocol):
    """What the fault switches act on: the live connections of a server."""

    @property
    def connections(self) -> Sequence[Connection]: ...


class InjectedFault(RuntimeError):
    """The failure :meth:`Faults.fail_mid_response` raises inside a response."""


class Faults:
    """The simulator's fault switches (``sim.faults``). All of them are safe to flip at any time.

    One-shot faults fire once and disarm: :meth:`refuse_handshakes` (for the next ``n``
    handshakes), :meth:`drop_after_events`, :meth:`drop_mid_response`. Standing faults stay
    until undone: :attr:`frame_delay`, :attr:`never_answer_close`, :meth:`stall`. Immediate
    actions hit every live connection now: :meth:`send_malformed_frame`,
    :meth:`send_unknown_event`, :meth:`close`, :meth:`drop`.
    """

    def __init__(self, sim: _Server) -> None:
        self._sim = sim
        self.refused_left = 0
        """Handshakes still to refuse."""
        self.refuse_status = 503
        """The HTTP status of refused handshakes."""
        self._drop_after: int | None = None
        self._drop_mid: int | None = None
        self._fail_mid: int | None = None
        self._frame_delay = 0.0
        self._never_answer_close = False
        self._stalled = False
        self.armed = False
        """Whether the per-event checks are needed (kept false on the fast path)."""

    # -- handshakes ------------------------------------------------------------------------

    def refuse_handshakes(self, count: int = 1, status: int = 503) -> None:
        """Refuse the next ``count`` WebSocket handshakes with HTTP ``status`` (503, 401, ...)."""
        self.refused_left = count
        self.refuse_status = status

    def take_refusal(self) -> int | None:
        """The status to refuse a handshake with now, if one is due (used by the server)."""
        if self.refused_left <= 0:
            return None
        self.refused_left -= 1
        return self.refuse_status

    # -- dropping --------------------------------------------------------------------------

    def drop_after_events(self, count: int) -> None:
        """Abort TCP (no close frame) right after the next ``count`` server events are sent.

        Counted across connections from now; fires once.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        self._drop_after = count
        self._rearm()

    def drop_mid_response(self, after_deltas: int = 3) -> None:
        """Abort TCP after the ``after_deltas``-th delta event of the next response; fires once."""
        if after_deltas < 1:
            raise ValueError("after_deltas must be at least 1")
        self._drop_mid = after_deltas
        self._rearm()

    def fail_mid_response(self, after_deltas: int = 3) -> None:
        """Raise :class:`InjectedFault` inside the next response, after its ``after_deltas``-th
        delta event, as a bug in the server would; fires once.

        The response ends as the service ends a response it failed: an ``error`` event
        (``server_error``), then ``response.done`` with status ``failed``.
        """
        if after_deltas < 1:
            raise ValueError("after_deltas must be at least 1")
        self._fail_mid = after_deltas
        self._rearm()

    def drop(self) -> None:
        """Abort every live connection now (TCP reset, no close frame)."""
        for session in list(self._sim.connections):
            session.abort()

    # -- standing faults -------------------------------------------------------------------

    @property
    def frame_delay(self) -> float:
        """Seconds each outgoing frame is held back (0: none). Set it to delay frames."""
        return self._frame_delay

    @frame_delay.setter
    def frame_delay(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("frame_delay cannot be negative")
        self._frame_delay = seconds
        for session in self._sim.connections:
            session.ws.frame_delay = seconds

    @property
    def never_answer_close(self) -> bool:
        """While true, a client's close frame is never answered and TCP stays open."""
        return self._never_answer_close

    @never_answer_close.setter
    def never_answer_close(self, value: bool) -> None:
        self._never_answer_close = value
        for session in self._sim.connections:
            session.ws.never_answer_close = value

    @property
    def stalled(self) -> bool:
        """Whether connections are stalled (see :meth:`stall`)."""
        return self._stalled

    def stall(self) -> None:
        """Stop reading and writing on every connection, now and new ones, without closing.

        Pings go unanswered and nothing is sent; :meth:`resume` undoes it.
        """
        self._stalled = True
        for session in self._sim.connections:
            session.stall()

    def resume(self) -> None:
        """Undo :meth:`stall`: connections read again and send what was held back."""
        self._stalled = False
        for session in self._sim.connections:
            session.resume()

    # -- immediate actions -----------------------------------------------------------------

    def send_malformed_frame(self, kind: MalformedKind = "json") -> None:
        """Send every live connection a broken frame now.

        ``"json"``: a text frame that is not JSON; ``"schema"``: a known event type whose
        fields do not fit; ``"utf8"``: a text frame that is not UTF-8 (a WebSocket protocol
        violation: clients close with 1007).
        """
        frames = {
            "json": b'{"type": "response.output_text.delta", "delta": "unterminated',
            "schema": b'{"type": "response.output_text.delta", "event_id": "event_bad", '
            b'"delta": 42}',
            "utf8": b'{"type": "error", "text": "\xff\xfe"}',
        }
        for session in list(self._sim.connections):
            session.send_raw(frames[kind])

    def send_unknown_event(
        self, type: str = "response.simulated_future_event", **fields: object
    ) -> None:
        """Send every live connection a well-formed event of a ``type`` clients do not know."""
        import msgspec

        for session in list(self._sim.connections):
            payload = {"type": type, "event_id": session.new_id("event"), **fields}
            session.send_raw(msgspec.json.encode(payload))

    def close(self, code: int = 1001, reason: str = "") -> None:
        """Close every live connection with ``code`` and ``reason`` now."""
        for session in list(self._sim.connections):
            session.close(code, reason)

    def reset(self) -> None:
        """Undo every fault."""
        self.refused_left = 0
        self._drop_after = None
        self._drop_mid = None
        self._fail_mid = None
        self.frame_delay = 0.0
        self.never_answer_close = False
        if self._stalled:
            self.resume()
        self._rearm()

    # -- hooks (called by the sessions) ----------------------------------------------------

    def apply_to(self, session: Connection) -> None:
        """Put the standing faults on a new connection."""
        session.ws.frame_delay = self._frame_delay
        session.ws.never_answer_close = self._never_answer_close
        if self._stalled:
            session.stall()

    def after_send(self, session: Connection, event: ServerEvent) -> None:
        """Checks that run after an event is written: the drops."""
        fire = False
        if self._drop_after is not None:
            self._drop_after -= 1
            if self._drop_after <= 0:
                self._drop_after = None
                fire = True
        if self._drop_mid is not None and event.type in _DELTAS:
            self._drop_mid -= 1
            if self._drop_mid <= 0:
                self._drop_mid = None
                fire = True
        if fire:
            self._rearm()
            session.ws.flush()
            session.abort()
        if self._fail_mid is not None and event.type in _DELTAS:
            self._fail_mid -= 1
            if self._fail_mid <= 0:
                self._fail_mid = None
                self._rearm()
                raise InjectedFault("a fault injected by faults.fail_mid_response()")

    def _rearm(self) -> None:
        self.armed = any(
            fault is not None for fault in (self._drop_after, self._drop_mid, self._fail_mid)
        )
