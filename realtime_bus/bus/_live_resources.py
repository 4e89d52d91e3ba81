"""Typed helpers for every GPT-Live command, named as the ``openai`` package's Live
connection resources name them: ``bus.session.input_audio.append(pcm)``,
``bus.session.update(...)``, ``bus.session.commentary.append(...)``,
``bus.decision.item.create(...)``, ``bus.response.create()``, and on a sideband
``bus.transport.dtmf.send("5")``.

Each helper queues its event and returns it (with its ``event_id``); ``wait=True`` sends it
as a request and returns the acknowledgement (matched by ``client_event_id``), raising
:class:`~realtime_bus.ServerError` when the server refuses it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, Generic, Literal, TypeVar, cast, overload

from msgspec import UNSET, UnsetType

from ..protocol import ClientEvent, ServerEvent, base64_from_pcm
from ..protocol import live as L
from ._resources import _Resource
from ._sender import Sender

__all__ = [
    "LiveCommentaryResource",
    "LiveDecisionItemResource",
    "LiveDecisionResource",
    "LiveHelpers",
    "LiveInputAudioResource",
    "LiveInstructionsResource",
    "LiveOutputAudioFixtureResource",
    "LiveOutputAudioResource",
    "LiveResponseItemResource",
    "LiveResponseResource",
    "LiveSessionResource",
    "LiveThinkingResource",
    "SidebandHelpers",
    "SidebandTransportDtmfResource",
    "SidebandTransportResource",
]

Audio = bytes | bytearray | memoryview | str
_Sent = TypeVar("_Sent", bound=ClientEvent)
_Ack = TypeVar("_Ack", bound=ServerEvent)

# As for the Realtime helpers, the overloads give each case its class: the queued command, or
# with ``wait=True`` its acknowledgement (``input_audio.mute(wait=True)`` -> InputAudioMuted).


def _b64(audio: Audio) -> str:
    return audio if isinstance(audio, str) else base64_from_pcm(audio)


class LiveInputAudioResource(_Resource):
    """``bus.session.input_audio``."""

    __slots__ = ("_sideband",)

    def __init__(self, bus: Sender, *, sideband: bool = False) -> None:
        super().__init__(bus)
        self._sideband = sideband

    async def append(self, audio: Audio) -> L.InputAudioAppend:
        """Send audio: raw bytes in the session's format, or a base64 string (no answer).

        A sideband sends no audio (it hears the primary transport's): this raises there.
        """
        if self._sideband:
            raise TypeError("a sideband sends no audio: the session's own transport carries it")
        event = L.InputAudioAppend(audio=_b64(audio))
        return cast(L.InputAudioAppend, await self._bus.send(event))

    @overload
    async def mute(self, *, wait: Literal[False] = False) -> L.InputAudioMute: ...
    @overload
    async def mute(self, *, wait: Literal[True]) -> L.InputAudioMuted: ...
    @overload
    async def mute(self, *, wait: bool) -> L.InputAudioMute | L.InputAudioMuted: ...

    async def mute(self, *, wait: bool = False) -> L.InputAudioMute | L.InputAudioMuted:
        """Stop feeding input to the model (``wait=True``: returns ``...muted``)."""
        return await self._send(L.InputAudioMute(), wait, L.InputAudioMuted)

    @overload
    async def unmute(self, *, wait: Literal[False] = False) -> L.InputAudioUnmute: ...
    @overload
    async def unmute(self, *, wait: Literal[True]) -> L.InputAudioUnmuted: ...
    @overload
    async def unmute(self, *, wait: bool) -> L.InputAudioUnmute | L.InputAudioUnmuted: ...

    async def unmute(self, *, wait: bool = False) -> L.InputAudioUnmute | L.InputAudioUnmuted:
        """Feed input to the model again (``wait=True``: returns ``...unmuted``)."""
        return await self._send(L.InputAudioUnmute(), wait, L.InputAudioUnmuted)


class _Append(_Resource, Generic[_Sent, _Ack]):
    __slots__ = ()
    _event: Callable[..., _Sent]
    _ack: type[_Ack]

    @overload
    async def append(
        self, content: str, *, delegation_id: str | None = None, wait: Literal[False] = False
    ) -> _Sent: ...
    @overload
    async def append(
        self, content: str, *, delegation_id: str | None = None, wait: Literal[True]
    ) -> _Ack: ...
    @overload
    async def append(
        self, content: str, *, delegation_id: str | None = None, wait: bool
    ) -> _Sent | _Ack: ...

    async def append(
        self, content: str, *, delegation_id: str | None = None, wait: bool = False
    ) -> _Sent | _Ack:
        """Append ``content`` (for the delegation ``delegation_id``, if given);
        ``wait=True`` returns the ``...appended`` acknowledgement with its timeline span."""
        event = self._event(
            content=content, delegation_id=delegation_id if delegation_id is not None else UNSET
        )
        return await self._send(event, wait, self._ack)


class LiveInstructionsResource(_Append[L.InstructionsAppend, L.InstructionsAppended]):
    """``bus.session.instructions``: developer instructions added while the session runs."""

    __slots__ = ()
    _event = L.InstructionsAppend
    _ack = L.InstructionsAppended


class LiveThinkingResource(_Append[L.ThinkingAppend, L.ThinkingAppended]):
    """``bus.session.thinking``: silent reasoning or progress for the model."""

    __slots__ = ()
    _event = L.ThinkingAppend
    _ack = L.ThinkingAppended


class LiveCommentaryResource(_Append[L.CommentaryAppend, L.CommentaryAppended]):
    """``bus.session.commentary``: something the model tells the user (a delegation's result)."""

    __slots__ = ()
    _event = L.CommentaryAppend
    _ack = L.CommentaryAppended


class LiveOutputAudioFixtureResource(_Resource):
    """``bus.session.output_audio.fixture``."""

    __slots__ = ()

    @overload
    async def play(
        self, audio: Audio, *, wait: Literal[False] = False
    ) -> L.OutputAudioFixturePlay: ...
    @overload
    async def play(self, audio: Audio, *, wait: Literal[True]) -> L.OutputAudioFixturePlaying: ...
    @overload
    async def play(
        self, audio: Audio, *, wait: bool
    ) -> L.OutputAudioFixturePlay | L.OutputAudioFixturePlaying: ...

    async def play(
        self, audio: Audio, *, wait: bool = False
    ) -> L.OutputAudioFixturePlay | L.OutputAudioFixturePlaying:
        """Play a clip (PCM16 24 kHz mono; bytes or base64) through the output;
        ``wait=True`` returns ``...fixture.playing``."""
        event = L.OutputAudioFixturePlay(audio=_b64(audio))
        return await self._send(event, wait, L.OutputAudioFixturePlaying)


class LiveOutputAudioResource:
    """``bus.session.output_audio``."""

    __slots__ = ("fixture",)

    def __init__(self, bus: Sender) -> None:
        self.fixture = LiveOutputAudioFixtureResource(bus)


class LiveSessionResource(_Resource):
    """``bus.session`` (the start is the bus's: it sends ``session.start`` on connecting)."""

    __slots__ = ("commentary", "input_audio", "instructions", "output_audio", "thinking")

    def __init__(self, bus: Sender, *, sideband: bool = False) -> None:
        super().__init__(bus)
        self.input_audio = LiveInputAudioResource(bus, sideband=sideband)
        self.instructions = LiveInstructionsResource(bus)
        self.thinking = LiveThinkingResource(bus)
        self.commentary = LiveCommentaryResource(bus)
        self.output_audio = LiveOutputAudioResource(bus)

    @overload
    async def update(
        self,
        session: L.SessionUpdateConfig | None = None,
        *,
        delegation: L.DelegationUpdate | UnsetType | None = UNSET,
        triggers: list[L.DecisionTrigger] | UnsetType | None = UNSET,
        wait: Literal[False] = False,
    ) -> L.SessionUpdate: ...
    @overload
    async def update(
        self,
        session: L.SessionUpdateConfig | None = None,
        *,
        delegation: L.DelegationUpdate | UnsetType | None = UNSET,
        triggers: list[L.DecisionTrigger] | UnsetType | None = UNSET,
        wait: Literal[True],
    ) -> L.SessionUpdated: ...
    @overload
    async def update(
        self,
        session: L.SessionUpdateConfig | None = None,
        *,
        delegation: L.DelegationUpdate | UnsetType | None = UNSET,
        triggers: list[L.DecisionTrigger] | UnsetType | None = UNSET,
        wait: bool,
    ) -> L.SessionUpdate | L.SessionUpdated: ...

    async def update(
        self,
        session: L.SessionUpdateConfig | None = None,
        *,
        delegation: L.DelegationUpdate | UnsetType | None = UNSET,
        triggers: list[L.DecisionTrigger] | UnsetType | None = UNSET,
        wait: bool = False,
    ) -> L.SessionUpdate | L.SessionUpdated:
        """Change delegation or transcript triggers (``wait=True``: returns ``session.updated``).

        The bus keeps the change: a new session after a reconnect starts with it.
        """
        if session is not None and (delegation is not UNSET or triggers is not UNSET):
            raise TypeError("give either a session or keyword settings, not both")
        if session is None:
            session = L.SessionUpdateConfig(delegation=delegation, triggers=triggers)
        return await self._send(L.SessionUpdate(session=session), wait, L.SessionUpdated)

    @overload
    async def close(self, *, wait: Literal[False] = False) -> L.SessionClose: ...
    @overload
    async def close(self, *, wait: Literal[True]) -> L.SessionClosed: ...
    @overload
    async def close(self, *, wait: bool) -> L.SessionClose | L.SessionClosed: ...

    async def close(self, *, wait: bool = False) -> L.SessionClose | L.SessionClosed:
        """Ask the server to close the session (``wait=True``: returns ``session.closed``)."""
        return await self._send(L.SessionClose(), wait, L.SessionClosed)


class LiveDecisionItemResource(_Resource):
    """``bus.decision.item``."""

    __slots__ = ()

    @overload
    async def create(
        self, item: L.DecisionItem, *, wait: Literal[False] = False
    ) -> L.DecisionItemCreate: ...
    @overload
    async def create(
        self, item: L.DecisionItem, *, wait: Literal[True]
    ) -> L.DecisionItemCreated: ...
    @overload
    async def create(
        self, item: L.DecisionItem, *, wait: bool
    ) -> L.DecisionItemCreate | L.DecisionItemCreated: ...

    async def create(
        self, item: L.DecisionItem, *, wait: bool = False
    ) -> L.DecisionItemCreate | L.DecisionItemCreated:
        """Add an input item for decisions (``wait=True``: returns ``decision.item.created``)."""
        return await self._send(L.DecisionItemCreate(item=item), wait, L.DecisionItemCreated)

    @overload
    async def delete(
        self, item_id: str, *, wait: Literal[False] = False
    ) -> L.DecisionItemDelete: ...
    @overload
    async def delete(self, item_id: str, *, wait: Literal[True]) -> L.DecisionItemDeleted: ...
    @overload
    async def delete(
        self, item_id: str, *, wait: bool
    ) -> L.DecisionItemDelete | L.DecisionItemDeleted: ...

    async def delete(
        self, item_id: str, *, wait: bool = False
    ) -> L.DecisionItemDelete | L.DecisionItemDeleted:
        """Remove a decision input item (``wait=True``: returns ``decision.item.deleted``)."""
        event = L.DecisionItemDelete(item_id=item_id)
        return await self._send(event, wait, L.DecisionItemDeleted)


class LiveDecisionResource(_Resource):
    """``bus.decision``."""

    __slots__ = ("item",)

    def __init__(self, bus: Sender) -> None:
        super().__init__(bus)
        self.item = LiveDecisionItemResource(bus)

    @overload
    async def create(
        self, *, event_id: str | None = None, wait: Literal[False] = False
    ) -> L.DecisionCreate: ...
    @overload
    async def create(
        self, *, event_id: str | None = None, wait: Literal[True]
    ) -> L.DecisionEvent: ...
    @overload
    async def create(
        self, *, event_id: str | None = None, wait: bool
    ) -> L.DecisionCreate | L.DecisionEvent: ...

    async def create(
        self, *, event_id: str | None = None, wait: bool = False
    ) -> L.DecisionCreate | L.DecisionEvent:
        """Evaluate the configured questions now (``wait=True``: returns the ``decision.event``).

        The protocol requires a fresh ``event_id``; one is made when not given.
        """
        ident = event_id if event_id is not None else f"decision_{secrets.token_hex(8)}"
        return await self._send(L.DecisionCreate(event_id=ident), wait, L.DecisionEvent)


class LiveResponseItemResource(_Resource):
    """``bus.response.item``."""

    __slots__ = ()

    async def create(self, item: dict[str, Any]) -> L.ResponseItemCreate:
        """Add a Responses API input item to the backend (no acknowledgement)."""
        return cast(L.ResponseItemCreate, await self._bus.send(L.ResponseItemCreate(item=item)))


class LiveResponseResource(_Resource):
    """``bus.response`` (Responses delegation)."""

    __slots__ = ("item",)

    def __init__(self, bus: Sender) -> None:
        super().__init__(bus)
        self.item = LiveResponseItemResource(bus)

    @overload
    async def create(self, *, wait: Literal[False] = False) -> L.ResponseCreate: ...
    @overload
    async def create(self, *, wait: Literal[True]) -> L.ResponseEvent: ...
    @overload
    async def create(self, *, wait: bool) -> L.ResponseCreate | L.ResponseEvent: ...

    async def create(self, *, wait: bool = False) -> L.ResponseCreate | L.ResponseEvent:
        """Ask the backend for a response (``wait=True``: returns its first ``response.event``)."""
        return await self._send(L.ResponseCreate(), wait, L.ResponseEvent)


class SidebandTransportDtmfResource(_Resource):
    """``bus.transport.dtmf`` (SIP calls, sideband only)."""

    __slots__ = ()

    @overload
    async def send(self, key: str, *, wait: Literal[False] = False) -> L.TransportDtmfSend: ...
    @overload
    async def send(self, key: str, *, wait: Literal[True]) -> L.TransportDtmfSent: ...
    @overload
    async def send(self, key: str, *, wait: bool) -> L.TransportDtmfSend | L.TransportDtmfSent: ...

    async def send(
        self, key: str, *, wait: bool = False
    ) -> L.TransportDtmfSend | L.TransportDtmfSent:
        """Send one DTMF key (``wait=True``: returns ``transport.dtmf.sent``)."""
        return await self._send(L.TransportDtmfSend(event=key), wait, L.TransportDtmfSent)


class SidebandTransportResource:
    """``bus.transport`` (sideband only)."""

    __slots__ = ("dtmf",)

    def __init__(self, bus: Sender) -> None:
        self.dtmf = SidebandTransportDtmfResource(bus)


class LiveHelpers:
    """The helper namespaces of a primary or fork Live bus."""

    __slots__ = ("decision", "response", "session")

    def __init__(self, bus: Sender) -> None:
        self.session = LiveSessionResource(bus)
        self.decision = LiveDecisionResource(bus)
        self.response = LiveResponseResource(bus)


class SidebandHelpers(LiveHelpers):
    """The helper namespaces of a sideband bus (no audio append; DTMF)."""

    __slots__ = ("transport",)

    def __init__(self, bus: Sender) -> None:
        super().__init__(bus)
        self.session = LiveSessionResource(bus, sideband=True)
        self.transport = SidebandTransportResource(bus)
