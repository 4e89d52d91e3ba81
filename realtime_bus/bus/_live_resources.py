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
from typing import Any

from msgspec import UNSET, UnsetType

from ..protocol import ClientEvent, base64_from_pcm
from ..protocol import live as L
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


def _b64(audio: Audio) -> str:
    return audio if isinstance(audio, str) else base64_from_pcm(audio)


class _Resource:
    __slots__ = ("_bus",)

    def __init__(self, bus: Sender) -> None:
        self._bus = bus

    async def _send(self, event: ClientEvent, wait: bool) -> Any:
        if wait:
            return await self._bus.request(event)
        return await self._bus.send(event)


class LiveInputAudioResource(_Resource):
    """``bus.session.input_audio``."""

    __slots__ = ("_sideband",)

    def __init__(self, bus: Sender, *, sideband: bool = False) -> None:
        super().__init__(bus)
        self._sideband = sideband

    async def append(self, audio: Audio) -> Any:
        """Send audio: raw bytes in the session's format, or a base64 string (no answer).

        A sideband sends no audio (it hears the primary transport's): this raises there.
        """
        if self._sideband:
            raise TypeError("a sideband sends no audio: the session's own transport carries it")
        return await self._bus.send(L.InputAudioAppend(audio=_b64(audio)))

    async def mute(self, *, wait: bool = False) -> Any:
        """Stop feeding input to the model (``wait=True``: returns ``...muted``)."""
        return await self._send(L.InputAudioMute(), wait)

    async def unmute(self, *, wait: bool = False) -> Any:
        """Feed input to the model again (``wait=True``: returns ``...unmuted``)."""
        return await self._send(L.InputAudioUnmute(), wait)


class _Append(_Resource):
    __slots__ = ()
    _event: type[L.InstructionsAppend | L.ThinkingAppend | L.CommentaryAppend]

    async def append(
        self, content: str, *, delegation_id: str | None = None, wait: bool = False
    ) -> Any:
        """Append ``content`` (for the delegation ``delegation_id``, if given);
        ``wait=True`` returns the ``...appended`` acknowledgement with its timeline span."""
        event = self._event(
            content=content, delegation_id=delegation_id if delegation_id is not None else UNSET
        )
        return await self._send(event, wait)


class LiveInstructionsResource(_Append):
    """``bus.session.instructions``: developer instructions added while the session runs."""

    __slots__ = ()
    _event = L.InstructionsAppend


class LiveThinkingResource(_Append):
    """``bus.session.thinking``: silent reasoning or progress for the model."""

    __slots__ = ()
    _event = L.ThinkingAppend


class LiveCommentaryResource(_Append):
    """``bus.session.commentary``: something the model tells the user (a delegation's result)."""

    __slots__ = ()
    _event = L.CommentaryAppend


class LiveOutputAudioFixtureResource(_Resource):
    """``bus.session.output_audio.fixture``."""

    __slots__ = ()

    async def play(self, audio: Audio, *, wait: bool = False) -> Any:
        """Play a clip (PCM16 24 kHz mono; bytes or base64) through the output;
        ``wait=True`` returns ``...fixture.playing``."""
        return await self._send(L.OutputAudioFixturePlay(audio=_b64(audio)), wait)


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

    async def update(
        self,
        session: L.SessionUpdateConfig | None = None,
        *,
        delegation: L.DelegationUpdate | UnsetType | None = UNSET,
        triggers: list[L.DecisionTrigger] | UnsetType | None = UNSET,
        wait: bool = False,
    ) -> Any:
        """Change delegation or transcript triggers (``wait=True``: returns ``session.updated``).

        The bus keeps the change: a new session after a reconnect starts with it.
        """
        if session is not None and (delegation is not UNSET or triggers is not UNSET):
            raise TypeError("give either a session or keyword settings, not both")
        if session is None:
            session = L.SessionUpdateConfig(delegation=delegation, triggers=triggers)
        return await self._send(L.SessionUpdate(session=session), wait)

    async def close(self, *, wait: bool = False) -> Any:
        """Ask the server to close the session (``wait=True``: returns ``session.closed``)."""
        return await self._send(L.SessionClose(), wait)


class LiveDecisionItemResource(_Resource):
    """``bus.decision.item``."""

    __slots__ = ()

    async def create(self, item: L.DecisionItem, *, wait: bool = False) -> Any:
        """Add an input item for decisions (``wait=True``: returns ``decision.item.created``)."""
        return await self._send(L.DecisionItemCreate(item=item), wait)

    async def delete(self, item_id: str, *, wait: bool = False) -> Any:
        """Remove a decision input item (``wait=True``: returns ``decision.item.deleted``)."""
        return await self._send(L.DecisionItemDelete(item_id=item_id), wait)


class LiveDecisionResource(_Resource):
    """``bus.decision``."""

    __slots__ = ("item",)

    def __init__(self, bus: Sender) -> None:
        super().__init__(bus)
        self.item = LiveDecisionItemResource(bus)

    async def create(self, *, event_id: str | None = None, wait: bool = False) -> Any:
        """Evaluate the configured questions now (``wait=True``: returns the ``decision.event``).

        The protocol requires a fresh ``event_id``; one is made when not given.
        """
        ident = event_id if event_id is not None else f"decision_{secrets.token_hex(8)}"
        return await self._send(L.DecisionCreate(event_id=ident), wait)


class LiveResponseItemResource(_Resource):
    """``bus.response.item``."""

    __slots__ = ()

    async def create(self, item: dict[str, Any]) -> Any:
        """Add a Responses API input item to the backend (no acknowledgement)."""
        return await self._bus.send(L.ResponseItemCreate(item=item))


class LiveResponseResource(_Resource):
    """``bus.response`` (Responses delegation)."""

    __slots__ = ("item",)

    def __init__(self, bus: Sender) -> None:
        super().__init__(bus)
        self.item = LiveResponseItemResource(bus)

    async def create(self, *, wait: bool = False) -> Any:
        """Ask the backend for a response (``wait=True``: returns its first ``response.event``)."""
        return await self._send(L.ResponseCreate(), wait)


class SidebandTransportDtmfResource(_Resource):
    """``bus.transport.dtmf`` (SIP calls, sideband only)."""

    __slots__ = ()

    async def send(self, key: str, *, wait: bool = False) -> Any:
        """Send one DTMF key (``wait=True``: returns ``transport.dtmf.sent``)."""
        return await self._send(L.TransportDtmfSend(event=key), wait)


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
