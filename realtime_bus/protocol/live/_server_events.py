"""Every event a GPT-Live server sends, on the primary, sideband and fork connections.

Acknowledgements carry the command's ``event_id`` as ``client_event_id``; times (``start_ms``,
``end_ms``, ``offset_ms``) are on the session's audio timeline. The two events that carry no
``event_id`` (output audio deltas, reflected input audio) read as ``event_id == ""`` and leave
an empty one off the wire.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias, get_args

from msgspec import UNSET, UnsetType

from .._base import Model, ServerEvent, defined_names, install_type_names
from .._server_events import UnknownEvent as UnknownEvent
from ._decisions import DecisionCompleted, DecisionItem
from ._session import ContextWindow, SessionResource, SessionUsage, TranscriptEventType

CloseReason: TypeAlias = Literal[
    "close_requested", "expired", "content", "remote_hangup", "connection_lost"
]
"""Why a session closed: the client asked, it expired, a content policy ended it, the caller
hung up, or the connection was lost."""


class LiveServerEvent(ServerEvent, frozen=True):
    """Base class of every GPT-Live server event."""


class _Ack(LiveServerEvent, frozen=True, kw_only=True):
    client_event_id: str | UnsetType | None = UNSET


class SessionStarted(_Ack, tag="session.started", frozen=True):
    """The session runs: its id and resolved configuration. The first event of a connection."""

    session: SessionResource


class SessionUpdated(_Ack, tag="session.updated", frozen=True):
    """A ``session.update`` was applied: the whole configuration after it."""

    session: SessionResource


class SessionPaused(_Ack, tag="session.paused", frozen=True):
    """The idle timeout paused inference (WebRTC); the session and its id persist."""


class SessionResumed(_Ack, tag="session.resumed", frozen=True):
    """Speech resumed paused inference; the session takes audio again (WebRTC)."""


class InputAudioMuted(_Ack, tag="session.input_audio.muted", frozen=True):
    """Input audio no longer reaches the model."""


class InputAudioUnmuted(_Ack, tag="session.input_audio.unmuted", frozen=True):
    """Input audio reaches the model again."""


class OutputAudioFixturePlaying(_Ack, tag="session.output_audio.fixture.playing", frozen=True):
    """An audio fixture was accepted and is playing."""


class OutputAudioFixturePlayed(_Ack, tag="session.output_audio.fixture.played", frozen=True):
    """An audio fixture finished playing (the server's mixer drained)."""


class _Appended(_Ack, frozen=True):
    start_ms: int
    end_ms: int


class InstructionsAppended(_Appended, tag="session.instructions.appended", frozen=True):
    """Instructions were added to the conversation, at ``start_ms``..``end_ms``."""


class ThinkingAppended(_Appended, tag="session.thinking.appended", frozen=True):
    """Thinking was added to the conversation, at ``start_ms``..``end_ms``."""


class CommentaryAppended(_Appended, tag="session.commentary.appended", frozen=True):
    """Commentary was added to the conversation, at ``start_ms``..``end_ms``."""


class InputAudioReflected(
    LiveServerEvent, tag="session.input_audio.append", frozen=True, omit_defaults=True
):
    """Input audio from the primary transport, shown to a sideband before muting applies.

    Same wire name as the client's append, but not an acknowledgement of it.
    """

    _audio_fields: ClassVar[frozenset[str]] = frozenset({"audio"})
    audio: str


class OutputAudioDelta(
    LiveServerEvent, tag="session.output_audio.delta", frozen=True, omit_defaults=True
):
    """A chunk of output audio (base64, in the session's format)."""

    _audio_fields: ClassVar[frozenset[str]] = frozenset({"delta"})
    delta: str
    start_ms: int | UnsetType | None = UNSET
    end_ms: int | UnsetType | None = UNSET


class _TranscriptDelta(_Appended, frozen=True):
    delta: str


class InputTranscriptDelta(_TranscriptDelta, tag="session.input_transcript.delta", frozen=True):
    """More of the transcript of what the user said."""


class OutputTranscriptDelta(_TranscriptDelta, tag="session.output_transcript.delta", frozen=True):
    """More of the transcript of what the model says."""


class Delegation(Model):
    """Task work the voice model handed off, and who does it (``target``)."""

    id: str
    target: Literal["client", "responses", "decisions"]
    type: Literal["delegation"] = "delegation"
    response_id: str | UnsetType | None = UNSET


class DelegationCreated(_Ack, tag="session.delegation.created", frozen=True):
    """The model delegated work at ``offset_ms``. A client target answers with appends
    naming ``delegation.id``."""

    delegation: Delegation
    offset_ms: int


class DecisionEvent(LiveServerEvent, tag="decision.event", frozen=True):
    """A decision was evaluated, for a delegation or for a transcript trigger."""

    event: DecisionCompleted
    delegation_id: str | UnsetType | None = UNSET
    source_event_id: str | UnsetType | None = UNSET
    source_event_type: TranscriptEventType | UnsetType | None = UNSET
    trigger_id: str | UnsetType | None = UNSET


class DecisionItemCreated(_Ack, tag="decision.item.created", frozen=True):
    """An input item for decisions was stored (with its ``id``)."""

    item: DecisionItem


class DecisionItemDeleted(_Ack, tag="decision.item.deleted", frozen=True):
    """An input item for decisions was removed."""

    item_id: str


class ResponseEvent(_Ack, tag="response.event", frozen=True):
    """An event of the Responses backend, passed through as its JSON object."""

    event: dict[str, Any]
    delegation_id: str | UnsetType | None = UNSET


class SessionUsageUpdated(_Ack, tag="session.usage.updated", frozen=True):
    """Usage so far, and how full the context is (``context_window.usage_ratio``)."""

    usage: SessionUsage
    context_window: ContextWindow | UnsetType | None = UNSET


class SessionClosed(_Ack, tag="session.closed", frozen=True):
    """The session ended: why, its last configuration and its final usage."""

    reason: CloseReason
    session: SessionResource
    usage: SessionUsage


class ErrorDetails(Model):
    """The ``error`` of an ``error`` event; ``client_event_id`` names the failed command."""

    type: str
    code: str
    message: str
    param: str | UnsetType | None = UNSET
    client_event_id: str | UnsetType | None = UNSET


class ErrorEvent(_Ack, tag="error", frozen=True):
    """The server refused something; the connection usually stays open."""

    error: ErrorDetails


class InfoEvent(_Ack, tag="info", frozen=True):
    """A notice from the server (``code`` says which)."""

    code: str
    message: str


class TransportDtmfReceived(LiveServerEvent, tag="transport.dtmf.received", frozen=True):
    """The caller pressed a key (SIP; sideband only)."""

    event: str


class TransportDtmfDelivered(_Ack, tag="transport.dtmf.send", frozen=True):
    """An older form of ``transport.dtmf.sent`` that servers may still send."""

    event: str


class TransportDtmfSent(_Ack, tag="transport.dtmf.sent", frozen=True):
    """A key sent with ``transport.dtmf.send`` reached the SIP trunk (sideband only)."""

    event: str


class TransportRinging(LiveServerEvent, tag="transport.ringing", frozen=True):
    """An outbound call is ringing (sideband only)."""

    session_id: str


class TransportAnswered(LiveServerEvent, tag="transport.answered", frozen=True):
    """An outbound call was answered and media flows (sideband only)."""

    session_id: str


class TransportFailure(Model):
    """Why an outbound call could not be set up."""

    code: str
    message: str
    type: Literal["call_error"] = "call_error"
    param: str | UnsetType | None = UNSET


class TransportFailed(LiveServerEvent, tag="transport.failed", frozen=True):
    """An outbound call failed to set up (sideband only)."""

    error: TransportFailure
    session_id: str


AnyServerEvent: TypeAlias = (
    SessionStarted
    | SessionUpdated
    | SessionResumed
    | SessionPaused
    | InputAudioMuted
    | InputAudioUnmuted
    | OutputAudioFixturePlaying
    | OutputAudioFixturePlayed
    | InstructionsAppended
    | ThinkingAppended
    | CommentaryAppended
    | InputTranscriptDelta
    | OutputTranscriptDelta
    | DelegationCreated
    | DecisionEvent
    | DecisionItemCreated
    | DecisionItemDeleted
    | ResponseEvent
    | SessionUsageUpdated
    | SessionClosed
    | ErrorEvent
    | InfoEvent
    | InputAudioReflected
    | OutputAudioDelta
    | TransportDtmfReceived
    | TransportDtmfDelivered
    | TransportDtmfSent
    | TransportRinging
    | TransportAnswered
    | TransportFailed
)
"""The typed union of every Live server event."""

SERVER_EVENT_CLASSES: tuple[type[ServerEvent], ...] = get_args(AnyServerEvent)
"""Every Live server event class, in the union's order (a sideband may receive them all)."""

SIDEBAND_SERVER_EVENT_CLASSES: tuple[type[ServerEvent], ...] = SERVER_EVENT_CLASSES

PRIMARY_SERVER_EVENT_CLASSES: tuple[type[ServerEvent], ...] = tuple(
    cls for cls in SERVER_EVENT_CLASSES if cls not in (SessionPaused, SessionResumed)
)
"""What the primary and fork connections receive (pausing is WebRTC's, seen on a sideband)."""

install_type_names(SERVER_EVENT_CLASSES)

# Type checkers read the definitions above themselves; UnknownEvent is the Realtime class.
if not TYPE_CHECKING:
    __all__ = [*defined_names(globals()), "UnknownEvent"]
