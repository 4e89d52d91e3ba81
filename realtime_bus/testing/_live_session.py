"""One simulated GPT-Live session: its configuration, timeline and commands.

A :class:`LiveSession` is the session itself; the WebSocket connections that speak to it (the
primary or fork connection that started it, and the sidebands attached to it) are
:class:`~._live_server.LiveConnection` objects. Every server event goes to all of them, except
what is for sidebands only (reflected input audio, ``transport.*``) and ``error`` (only the
connection whose command failed). What the model says and does is in :mod:`._live_model`.

Error codes are inferred in the service's style (no public record of Live's codes was found):
``session_not_started``, ``session_already_started``, ``delegation_not_found``,
``decision_item_not_found``, ``duplicate_event_id``, ``delegation_required``,
``fixture_active``, ``invalid_audio``, ``sip_only``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
from msgspec import UNSET

from .._log import get_logger
from ..protocol import ClientEvent, ServerEvent
from ..protocol import live as L
from ._ids import IdFactory
from ._live_audio import converters
from ._live_model import LiveModelRunner
from ._live_responder import EntryRole, LiveContext, LiveEntry
from ._vad import EnergyVad

if TYPE_CHECKING:
    from ._live_ports import LiveHost
    from ._live_ports import LivePeer as LiveConnection

__all__ = ["LiveSession"]

_log = get_logger("realtime_bus.testing.live")
_FIXTURE_MAX_BYTES = 30 * 2 * 24_000  # 30 s of PCM16 at 24 kHz
_DEFAULT_VOICE = "marin"


def _cid(event: ClientEvent) -> str | None:
    return event.event_id if isinstance(event.event_id, str) else None


class LiveSession:
    """A Live session the simulator runs (see the module docstring)."""

    def __init__(self, server: LiveHost, session_id: str, *, parent: LiveSession | None) -> None:
        self.server = server
        self.id = session_id
        self.parent = parent
        self.config: L.SessionResource | None = None
        """The resolved configuration, once ``session.start`` was accepted."""
        self.connections: list[LiveConnection] = []
        self.history: list[LiveEntry] = list(parent.history) if parent is not None else []
        """The conversation so far (a fork starts with its parent's)."""
        self.decision_items: list[L.DecisionItem] = []
        self.response_items: list[dict[str, Any]] = []
        self.recording = bytearray()
        """Input and output audio (PCM16 24 kHz), kept when the session is stored."""
        self.muted = False
        self.closed_reason: L.CloseReason | None = None
        self.started_at = time.monotonic()
        self.input_samples = 0
        self.output_ms = 0
        self._ids = IdFactory()
        self._decision_event_ids: set[str] = set()
        self._vad = EnergyVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500)
        self._speech = bytearray()
        self._speech_start = 0
        self._fixture = False
        self._expiry: asyncio.TimerHandle | None = None
        self.to_internal, self._from_internal = converters(None)
        self.model = LiveModelRunner(self)

    # -- state -----------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether ``session.start`` was accepted."""
        return self.config is not None

    @property
    def ended(self) -> bool:
        """Whether the session has closed."""
        return self.closed_reason is not None

    def from_internal(self, pcm: bytes) -> bytes:
        """PCM16 24 kHz as the session's output format."""
        return self._from_internal(pcm)

    def new_id(self, prefix: str) -> str:
        """A fresh id (``event``, ``del``, ``resp``, ...)."""
        return self._ids(prefix)

    def now_ms(self) -> int:
        """The position on the session's audio timeline, in milliseconds."""
        return max(self.input_samples // 24, self.output_ms)

    def context(self) -> LiveContext:
        """What the responder sees."""
        assert self.config is not None
        return LiveContext(
            session=self.config, history=list(self.history), decision_items=self.decision_items
        )

    # -- sending ---------------------------------------------------------------------------

    def broadcast(self, event: ServerEvent, *, sideband_only: bool = False) -> None:
        """Send ``event`` to every connection of the session (or only to sidebands)."""
        frame = L.encode_live_server(event)
        for connection in list(self.connections):
            if not sideband_only or connection.channel == "sideband":
                connection.send(event, frame)

    def fail(
        self,
        to: LiveConnection,
        message: str,
        *,
        code: str,
        client_event_id: str | None = None,
        param: str | None = None,
    ) -> None:
        """Send an ``error`` to the connection whose command failed."""
        details = L.ErrorDetails(
            type="invalid_request_error",
            code=code,
            message=message,
            param=param if param is not None else UNSET,
            client_event_id=client_event_id if client_event_id is not None else UNSET,
        )
        event = L.ErrorEvent(
            event_id=self.new_id("event"),
            error=details,
            client_event_id=client_event_id if client_event_id is not None else UNSET,
        )
        to.send(event, L.encode_live_server(event))

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, connection: LiveConnection, event: L.SessionStart | L.ForkSessionStart) -> None:
        """Accept the first message of a primary or fork connection."""
        cid = _cid(event)
        if isinstance(event, L.ForkSessionStart):
            parent = self.parent
            if parent is None or parent.config is None:  # pragma: no cover - checked at upgrade
                self.fail(connection, "The parent session is gone.", code="session_not_found")
                return
            if parent.config.store is not True:
                self.fail(
                    connection,
                    "Only stored sessions can be forked (start them with store: true).",
                    code="session_not_stored",
                    client_event_id=cid,
                )
                return
            self.config = _fork_config(self.id, parent.config, event.session, self._expires())
        else:
            self.config = _resolve(self.id, event.session, self._expires())
        audio = self.config.audio
        fmt = audio.format if isinstance(audio, L.AudioConfig) else None
        self.to_internal, self._from_internal = converters(
            fmt if not isinstance(fmt, msgspec.UnsetType) else None
        )
        self.server.add(self)
        self.broadcast(
            L.SessionStarted(
                event_id=self.new_id("event"),
                session=self.config,
                client_event_id=cid if cid is not None else UNSET,
            )
        )
        loop = asyncio.get_running_loop()
        self._expiry = loop.call_later(self.server.sim.max_session_seconds, self.expire)
        if event.type == "session.start" and isinstance(event, L.SessionStart):
            self.history += _initial_history(event.session)
            if self.history and self.history[-1].role == "user":
                self.model.schedule(self.model.answer())

    def adopt(self, config: L.SessionConfig) -> None:
        """Start a session created over REST (a WebRTC offer, an accepted SIP call): its
        media runs elsewhere, and the sidebands that attach to it observe and control it."""
        self.config = _resolve(self.id, config, self._expires())
        self.server.add(self)
        loop = asyncio.get_running_loop()
        self._expiry = loop.call_later(self.server.sim.max_session_seconds, self.expire)
        self.history += _initial_history(config)

    def _expires(self) -> int:
        return int(time.time() + self.server.sim.max_session_seconds)

    def usage(self) -> L.SessionUsage:
        """Usage so far, on the audio timeline."""
        seconds = round(self.now_ms() / 1000, 3)
        return L.SessionUsage(seconds=seconds, active_seconds=int(seconds), paused_seconds=0)

    def end(
        self,
        reason: L.CloseReason,
        *,
        client_event_id: str | None = None,
        code: int | None = None,
        text: str = "",
    ) -> None:
        """Close the session: ``session.closed`` with ``reason`` to every connection, then close
        them (1000, or 1001 when it expired, unless ``code`` is given)."""
        if self.closed_reason is not None:
            return
        self.closed_reason = reason
        if self._expiry is not None:
            self._expiry.cancel()
        self.model.close()
        if self.config is not None:
            self.broadcast(
                L.SessionClosed(
                    event_id=self.new_id("event"),
                    reason=reason,
                    session=self.config,
                    usage=self.usage(),
                    client_event_id=client_event_id if client_event_id is not None else UNSET,
                )
            )
        if code is None:
            code, text = (1001, "The session expired.") if reason == "expired" else (1000, "")
        for connection in list(self.connections):
            connection.close_link(code, text)
        _log.info("simulator_live_session_closed", session_id=self.id, reason=reason)

    def expire(self) -> None:
        """End the session at the simulator's maximum duration."""
        self.end("expired")

    def detach(self, connection: LiveConnection) -> None:
        """A connection is gone; losing the primary (or fork) connection ends the session."""
        if connection in self.connections:
            self.connections.remove(connection)
        if connection.channel != "sideband" and not self.ended:
            self.end("connection_lost")

    # -- commands --------------------------------------------------------------------------

    def handle(self, connection: LiveConnection, event: ClientEvent) -> None:
        """Run one client command."""
        if isinstance(event, L.SessionStart | L.ForkSessionStart):
            if self.started:
                self.fail(
                    connection,
                    "The session has already started.",
                    code="session_already_started",
                    client_event_id=_cid(event),
                )
                return
            self.start(connection, event)
            return
        if not self.started:
            self.fail(
                connection,
                "Send session.start and wait for session.started before other events.",
                code="session_not_started",
                client_event_id=_cid(event),
            )
            return
        if self.ended:
            return
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, connection, event)

    def _append_audio(self, connection: LiveConnection, event: L.InputAudioAppend) -> None:
        try:
            raw = base64.b64decode(event.audio, validate=True)
        except (binascii.Error, ValueError):
            self.fail(
                connection,
                "Invalid 'audio': expected base64-encoded audio.",
                code="invalid_audio",
                param="audio",
                client_event_id=_cid(event),
            )
            return
        self.broadcast(L.InputAudioReflected(audio=event.audio), sideband_only=True)
        pcm = self.to_internal(raw)
        self.keep(pcm)
        start = self.input_samples
        self.input_samples += len(pcm) // 2
        if self.muted or self._fixture:
            self._vad.position = self.input_samples
            return
        if self._vad.speaking or self._speech:
            self._speech += pcm
        for vad in self._vad.feed(pcm):
            if vad.kind == "start":
                self._speech_start = vad.sample
                self._speech = bytearray(pcm[max(0, vad.sample - start) * 2 :])
            else:
                heard = bytes(self._speech)
                self._speech = bytearray()
                self.model.schedule(self.model.user_turn(heard, self._speech_start, vad.sample))

    def keep(self, pcm: bytes) -> None:
        """Keep audio in the recording (stored sessions only)."""
        if self.config is not None and self.config.store is True:
            self.recording += pcm

    def _mute(self, connection: LiveConnection, event: ClientEvent) -> None:
        self.muted = isinstance(event, L.InputAudioMute)
        cls = L.InputAudioMuted if self.muted else L.InputAudioUnmuted
        self.broadcast(cls(event_id=self.new_id("event"), client_event_id=_ack(event)))

    def _append_text(
        self,
        connection: LiveConnection,
        event: L.InstructionsAppend | L.ThinkingAppend | L.CommentaryAppend,
    ) -> None:
        cid = _cid(event)
        if self._fixture:
            self.fail(
                connection,
                "Appends are rejected while an audio fixture plays.",
                code="fixture_active",
                client_event_id=cid,
            )
            return
        delegation = event.delegation_id if isinstance(event.delegation_id, str) else None
        if delegation is not None and delegation not in self.model.delegations:
            self.fail(
                connection,
                f"Delegation '{delegation}' not found.",
                code="delegation_not_found",
                param="delegation_id",
                client_event_id=cid,
            )
            return
        role, ack = _APPENDS[type(event)]
        start = self.now_ms()
        self.history.append(LiveEntry(role, event.content, delegation))
        self.broadcast(
            ack(
                event_id=self.new_id("event"),
                start_ms=start,
                end_ms=start + max(1, len(event.content) // 16),
                client_event_id=_ack(event),
            )
        )
        if isinstance(event, L.CommentaryAppend):
            self.model.schedule(self.model.commentary(event.content, delegation))

    def _fixture_play(self, connection: LiveConnection, event: L.OutputAudioFixturePlay) -> None:
        cid = _cid(event)
        try:
            pcm = base64.b64decode(event.audio, validate=True)
        except (binascii.Error, ValueError):
            pcm = b""
        problem = None
        if self._fixture:
            problem = ("An audio fixture is already playing.", "fixture_active")
        elif not pcm or len(pcm) % 2 or len(pcm) > _FIXTURE_MAX_BYTES:
            problem = ("'audio' must be PCM16 24 kHz mono, at most 30 seconds.", "invalid_audio")
        if problem is not None:
            self.fail(connection, problem[0], code=problem[1], client_event_id=cid)
            return
        self._fixture = True
        self.broadcast(
            L.OutputAudioFixturePlaying(event_id=self.new_id("event"), client_event_id=_ack(event))
        )

        async def play() -> None:
            try:
                await self.model.play(pcm, transcript=None)
            finally:
                self._fixture = False
            self.broadcast(
                L.OutputAudioFixturePlayed(
                    event_id=self.new_id("event"), client_event_id=_ack(event)
                )
            )

        self.model.schedule(play())

    def _decision_create(self, connection: LiveConnection, event: L.DecisionCreate) -> None:
        if event.event_id in self._decision_event_ids:
            self.fail(
                connection,
                f"event_id '{event.event_id}' was already used for decision.create.",
                code="duplicate_event_id",
                param="event_id",
                client_event_id=event.event_id,
            )
            return
        self._decision_event_ids.add(event.event_id)
        questions = self.model.decision_questions()
        if not questions:
            self.fail(
                connection,
                "The session has no decision questions (delegation or triggers).",
                code="delegation_required",
                client_event_id=event.event_id,
            )
            return
        self.model.schedule(self.model.evaluate(questions))

    def _decision_item_create(
        self, connection: LiveConnection, event: L.DecisionItemCreate
    ) -> None:
        item = event.item
        if not isinstance(item.id, str):
            item = msgspec.structs.replace(item, id=self.new_id("ditem"))
        self.decision_items.append(item)
        self.broadcast(
            L.DecisionItemCreated(
                event_id=self.new_id("event"), item=item, client_event_id=_ack(event)
            )
        )

    def _decision_item_delete(
        self, connection: LiveConnection, event: L.DecisionItemDelete
    ) -> None:
        kept = [i for i in self.decision_items if i.id != event.item_id]
        if len(kept) == len(self.decision_items):
            self.fail(
                connection,
                f"Decision item '{event.item_id}' not found.",
                code="decision_item_not_found",
                param="item_id",
                client_event_id=_cid(event),
            )
            return
        self.decision_items = kept
        self.broadcast(
            L.DecisionItemDeleted(
                event_id=self.new_id("event"), item_id=event.item_id, client_event_id=_ack(event)
            )
        )

    def _responses(self, connection: LiveConnection, event: ClientEvent) -> None:
        assert self.config is not None
        if not isinstance(self.config.delegation, L.ResponsesDelegation):
            self.fail(
                connection,
                f"{event.type} requires Responses delegation.",
                code="delegation_required",
                client_event_id=_cid(event),
            )
            return
        if isinstance(event, L.ResponseItemCreate):
            self.response_items.append(event.item)
        else:
            self.model.schedule(self.model.backend_response(_cid(event)))

    def _update(self, connection: LiveConnection, event: L.SessionUpdate) -> None:
        assert self.config is not None
        change = event.session
        config = self.config
        if not isinstance(change.delegation, msgspec.UnsetType):
            delegation = _apply_delegation(config.delegation, change.delegation)
            if isinstance(delegation, str):
                self.fail(
                    connection,
                    delegation,
                    code="missing_required_parameter",
                    param="session.delegation",
                    client_event_id=_cid(event),
                )
                return
            config = msgspec.structs.replace(config, delegation=delegation)
        if not isinstance(change.triggers, msgspec.UnsetType):
            config = msgspec.structs.replace(config, triggers=change.triggers)
        self.config = config
        self.broadcast(
            L.SessionUpdated(
                event_id=self.new_id("event"), session=config, client_event_id=_ack(event)
            )
        )

    def _close(self, connection: LiveConnection, event: L.SessionClose) -> None:
        self.end("close_requested", client_event_id=_cid(event))

    def _dtmf(self, connection: LiveConnection, event: L.TransportDtmfSend) -> None:
        self.fail(
            connection,
            "transport.dtmf.send is only supported for SIP calls.",
            code="sip_only",
            client_event_id=_cid(event),
        )


def _ack(event: ClientEvent) -> Any:
    cid = _cid(event)
    return cid if cid is not None else UNSET


_APPENDS: dict[type[ClientEvent], tuple[Any, Any]] = {
    L.InstructionsAppend: ("developer", L.InstructionsAppended),
    L.ThinkingAppend: ("thinking", L.ThinkingAppended),
    L.CommentaryAppend: ("commentary", L.CommentaryAppended),
}

_HANDLERS: dict[type[ClientEvent], Callable[[LiveSession, Any, Any], None]] = {
    L.InputAudioAppend: LiveSession._append_audio,
    L.InputAudioMute: LiveSession._mute,
    L.InputAudioUnmute: LiveSession._mute,
    L.OutputAudioFixturePlay: LiveSession._fixture_play,
    L.InstructionsAppend: LiveSession._append_text,
    L.ThinkingAppend: LiveSession._append_text,
    L.CommentaryAppend: LiveSession._append_text,
    L.DecisionCreate: LiveSession._decision_create,
    L.DecisionItemCreate: LiveSession._decision_item_create,
    L.DecisionItemDelete: LiveSession._decision_item_delete,
    L.ResponseItemCreate: LiveSession._responses,
    L.ResponseCreate: LiveSession._responses,
    L.SessionUpdate: LiveSession._update,
    L.SessionClose: LiveSession._close,
    L.TransportDtmfSend: LiveSession._dtmf,
}
"""Each command's handler (``session.start`` is handled before the table)."""


# ---------------------------------------------------------------------------------------------
# Configuration


def _resolve(session_id: str, config: L.SessionConfig, expires_at: int) -> L.SessionResource:
    """The resolved configuration ``session.started`` reports: defaults filled in."""
    audio = config.audio if isinstance(config.audio, L.AudioConfig) else L.AudioConfig()
    fmt = audio.format if isinstance(audio.format, L.AudioPCM | L.AudioPCMU | L.AudioPCMA) else None
    output = audio.output if isinstance(audio.output, L.AudioOutputConfig) else None
    voice = output.voice if output is not None and output.voice not in (UNSET, None) else None
    resolved_audio = L.AudioConfig(
        format=fmt or L.AudioPCM(rate=24000),
        output=L.AudioOutputConfig(voice=voice if voice is not None else _DEFAULT_VOICE),
    )
    fields = {f: getattr(config, f) for f in config.__struct_fields__}
    fields["audio"] = resolved_audio
    return L.SessionResource(**fields, id=session_id, expires_at=expires_at, status="active")


def _fork_config(
    session_id: str, parent: L.SessionResource, fork: L.ForkSessionConfig, expires_at: int
) -> L.SessionResource:
    """A fork's configuration: its parent's, with the fork's overrides."""
    config = msgspec.structs.replace(parent, id=session_id, expires_at=expires_at)
    if isinstance(fork.audio, L.ForkAudioConfig) and isinstance(
        fork.audio.format, L.AudioPCM | L.AudioPCMU | L.AudioPCMA
    ):
        audio = parent.audio if isinstance(parent.audio, L.AudioConfig) else L.AudioConfig()
        config = msgspec.structs.replace(
            config, audio=msgspec.structs.replace(audio, format=fork.audio.format)
        )
    if not isinstance(fork.client, msgspec.UnsetType):
        config = msgspec.structs.replace(config, client=fork.client)
    if not isinstance(fork.store, msgspec.UnsetType):
        config = msgspec.structs.replace(config, store=fork.store)
    if isinstance(fork.delegation, L.ResponsesDelegationChange):
        delegation = _apply_delegation(parent.delegation, fork.delegation)
        if not isinstance(delegation, str):
            config = msgspec.structs.replace(config, delegation=delegation)
    return config


def _settings(struct: Any) -> dict[str, Any]:
    return {
        name: value
        for name in struct.__struct_fields__
        if not isinstance(value := getattr(struct, name), msgspec.UnsetType)
    }


def _apply_delegation(current: Any, change: Any) -> Any:
    """The delegation after ``change``, or a message saying what is missing."""
    if change is None or isinstance(change, L.ClientDelegation):
        return change
    if isinstance(change, L.ResponsesDelegationChange):
        base = _settings(current.responses) if isinstance(current, L.ResponsesDelegation) else {}
        if not isinstance(change.responses, msgspec.UnsetType | None):
            base.update(_settings(change.responses))
        if not isinstance(base.get("model"), str):
            return "Missing required parameter: 'session.delegation.responses.model'."
        delay = _settings(change).get("acknowledgement_delay_ms", UNSET)
        return L.ResponsesDelegation(
            responses=L.ResponsesDelegationConfig(**base), acknowledgement_delay_ms=delay
        )
    base = _settings(current.decisions) if isinstance(current, L.DecisionsDelegation) else {}
    if not isinstance(change.decisions, msgspec.UnsetType | None):
        base.update(_settings(change.decisions))
    if not isinstance(base.get("model"), str) or not isinstance(base.get("questions"), list):
        return "Missing required parameter: 'session.delegation.decisions'."
    delay = _settings(change).get("acknowledgement_delay_ms", UNSET)
    return L.DecisionsDelegation(
        decisions=L.DecisionsDelegationConfig(**base), acknowledgement_delay_ms=delay
    )


def _initial_history(config: L.SessionConfig) -> list[LiveEntry]:
    items = config.input if isinstance(config.input, list) else []
    out: list[LiveEntry] = []
    for item in items:
        text = " ".join(part.text for part in item.content)
        role: EntryRole = (
            "developer"
            if isinstance(item, L.DeveloperItem)
            else "user"
            if isinstance(item, L.UserItem)
            else "assistant"
        )
        out.append(LiveEntry(role, text))
    return out
