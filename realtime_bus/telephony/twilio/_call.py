"""One phone call on the bridge, and the events the bridge publishes on its bus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from ...bus import DerivedEvent

if TYPE_CHECKING:
    from ...agent import Playback
    from ...bus import Bus

__all__ = ["CallStats", "TwilioCall", "TwilioCallStarted", "TwilioCallStopped", "TwilioDtmf"]


@dataclass(slots=True)
class CallStats:
    """What crossed the bridge in one call."""

    media_in: int = 0
    """``media`` messages from Twilio appended to the input buffer."""
    media_out: int = 0
    """``media`` messages sent to Twilio."""
    bytes_out: int = 0
    """Bytes of mu-law sent to Twilio."""
    marks_sent: int = 0
    marks_played: int = 0
    """Marks Twilio returned that counted as played."""
    marks_dropped: int = 0
    """Marks Twilio returned for audio a ``clear`` dropped, or from before a reconnect."""
    clears: int = 0
    bad_messages: int = 0
    """Frames from Twilio that were not a known message (logged, skipped)."""


@dataclass(eq=False, slots=True)
class TwilioCall:
    """One Twilio Media Stream, bridged to one bus.

    ``parameters`` are the ``<Parameter>`` values of the ``<Stream>`` TwiML (the voice webhook
    of :class:`TwilioApp` puts the caller's ``From`` and ``To`` there). ``bus`` and ``playback``
    are set before the application's ``on_call`` runs.
    """

    stream_sid: str
    call_sid: str
    account_sid: str
    parameters: dict[str, str]
    tracks: tuple[str, ...] = ("inbound",)
    stats: CallStats = field(default_factory=CallStats)
    bus: Bus | None = None
    playback: Playback | None = None
    _hang_up: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)

    async def hang_up(self) -> None:
        """End the stream: the WebSocket closes with 1000, the bus closes, and Twilio goes on
        to the TwiML after ``<Connect>`` (none: the call ends)."""
        if self._hang_up is not None:
            await self._hang_up()

    def __repr__(self) -> str:
        return f"TwilioCall(stream_sid={self.stream_sid!r}, call_sid={self.call_sid!r})"


@dataclass(frozen=True, slots=True)
class TwilioCallStarted(DerivedEvent):
    """``agent.twilio.start``: the stream started and the session speaks G.711 mu-law."""

    type: ClassVar[str] = "agent.twilio.start"
    call: TwilioCall


@dataclass(frozen=True, slots=True)
class TwilioDtmf(DerivedEvent):
    """``agent.twilio.dtmf``: the caller pressed a key (``digit``: ``0``-``9``, ``*``, ``#``)."""

    type: ClassVar[str] = "agent.twilio.dtmf"
    call: TwilioCall
    digit: str


@dataclass(frozen=True, slots=True)
class TwilioCallStopped(DerivedEvent):
    """``agent.twilio.stop``: the stream ended (``stop`` from Twilio, or the socket dropped);
    the bus closes next."""

    type: ClassVar[str] = "agent.twilio.stop"
    call: TwilioCall
    reason: str
