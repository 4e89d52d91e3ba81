"""A GPT-Live session's configuration: what ``session.start`` sends and ``session.started`` reports.

Unlike Realtime, a Live session is configured once, in full, by the client's first message;
``session.update`` afterwards changes only delegation and transcript triggers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

from msgspec import UNSET, UnsetType

from .._base import Model, defined_names
from ._decisions import DecisionQuestion
from ._tools import ResponsesDelegationConfig, ResponsesDelegationUpdate

LiveModel: TypeAlias = str
"""A GPT-Live model name (``gpt-live-1``, ``gpt-live-1.1``, ...)."""

BuiltInVoice: TypeAlias = Literal[
    "alloy", "ash", "ballad", "beacon", "bossa", "cedar", "cinder", "coral", "delta", "echo",
    "gleam", "marin", "meridian", "quartz", "ripple", "sage", "shida", "shimmer", "stone",
    "tempo", "verse", "vesper", "willow",
]  # fmt: skip
"""The voices the service has built in (any name is accepted, so new voices need no release)."""

TranscriptEventType: TypeAlias = Literal[
    "session.input_transcript.delta", "session.output_transcript.delta"
]


class _Tagged(Model, tag_field="type"):
    """A nested object that is one member of a union told apart by its ``type``."""


# ---------------------------------------------------------------------------------------------
# Audio


class AudioPCM(_Tagged, tag="audio/pcm"):
    """PCM16 little-endian mono at 16 or 24 kHz."""

    rate: Literal[16000, 24000]


class AudioPCMU(_Tagged, tag="audio/pcmu"):
    """G.711 mu-law (telephony)."""

    rate: int


class AudioPCMA(_Tagged, tag="audio/pcma"):
    """G.711 A-law (telephony)."""

    rate: int


AudioFormat: TypeAlias = AudioPCM | AudioPCMU | AudioPCMA


class CustomVoice(Model):
    """A custom voice, by id."""

    id: str


Voice: TypeAlias = str | CustomVoice
"""A built-in voice by name (see :data:`BuiltInVoice`), or a custom voice."""


class AudioOutputConfig(Model):
    """How the session speaks."""

    voice: Voice | UnsetType | None = UNSET


class AudioConfig(Model):
    """The audio format of both directions, and the output voice."""

    format: AudioFormat | UnsetType | None = UNSET
    output: AudioOutputConfig | UnsetType | None = UNSET


class ForkAudioConfig(Model):
    """The audio format of a fork (the voice is the parent's)."""

    format: AudioFormat | UnsetType | None = UNSET


# ---------------------------------------------------------------------------------------------
# What a WebRTC data channel may carry


class ServerEventSelector(Model):
    """A server event type, or one kind of ``response.event`` (``response_event``)."""

    type: str
    response_event: str | UnsetType | None = UNSET


class DataChannelConfig(Model):
    """Which events a WebRTC data channel may send and receive (``"all"`` or a list)."""

    allowed_client_events: Literal["all"] | list[str] | UnsetType | None = UNSET
    allowed_server_events: Literal["all"] | list[ServerEventSelector] | UnsetType | None = UNSET


class ClientConfig(Model):
    """Settings of the client's transport."""

    data_channel: DataChannelConfig


# ---------------------------------------------------------------------------------------------
# Delegation: who does the task work the voice model hands off


class DecisionsDelegationConfig(Model):
    """The decisions model and the questions it answers."""

    model: str
    questions: list[DecisionQuestion]


class DecisionsDelegationUpdateConfig(Model):
    """Changes to decisions; what is left out keeps its value."""

    model: str | UnsetType | None = UNSET
    questions: list[DecisionQuestion] | UnsetType | None = UNSET


class ClientDelegation(_Tagged, tag="client"):
    """The client does the work: it gets ``session.delegation.created`` and answers with appends."""

    acknowledgement_delay_ms: int | UnsetType | None = UNSET


class ResponsesDelegation(_Tagged, tag="responses"):
    """A Responses backend managed by the session does the work."""

    responses: ResponsesDelegationConfig
    acknowledgement_delay_ms: int | UnsetType | None = UNSET


class DecisionsDelegation(_Tagged, tag="decisions"):
    """Decisions do the work: the session evaluates questions and reports ``decision.event``."""

    decisions: DecisionsDelegationConfig
    acknowledgement_delay_ms: int | UnsetType | None = UNSET


DelegationConfig: TypeAlias = ClientDelegation | ResponsesDelegation | DecisionsDelegation
"""Who a new session delegates task work to."""


class ResponsesDelegationChange(_Tagged, tag="responses"):
    """Switch to, or change, the Responses backend."""

    acknowledgement_delay_ms: int | UnsetType | None = UNSET
    responses: ResponsesDelegationUpdate | UnsetType | None = UNSET


class DecisionsDelegationUpdate(_Tagged, tag="decisions"):
    """Switch to, or change, decisions."""

    acknowledgement_delay_ms: int | UnsetType | None = UNSET
    decisions: DecisionsDelegationUpdateConfig | UnsetType | None = UNSET


DelegationUpdate: TypeAlias = (
    ClientDelegation | ResponsesDelegationChange | DecisionsDelegationUpdate
)


# ---------------------------------------------------------------------------------------------
# Transcript triggers


class TriggerDecisions(Model):
    """The questions a trigger asks."""

    questions: list[DecisionQuestion]


class DecisionTrigger(Model):
    """Evaluate ``decisions`` whenever a transcript delta of ``event_type`` arrives."""

    decisions: TriggerDecisions
    event_type: TranscriptEventType
    type: Literal["decisions"] = "decisions"


# ---------------------------------------------------------------------------------------------
# The conversation a session starts with


class TextContent(Model):
    """Text of a developer or user message (``type`` ``input_text``, or left out)."""

    text: str
    type: Literal["input_text"] | UnsetType | None = UNSET


class AssistantContent(Model):
    """Text of an assistant message (``type`` ``output_text`` or ``text``, or left out)."""

    text: str
    type: Literal["text", "output_text"] | UnsetType | None = UNSET


class _Initial(Model, tag_field="role"):
    id: str | UnsetType | None = UNSET
    status: Literal["incomplete", "completed"] | UnsetType | None = UNSET
    type: Literal["message"] | UnsetType | None = UNSET


class DeveloperItem(_Initial, tag="developer", kw_only=True):
    """A developer message the session starts with."""

    content: list[TextContent]


class UserItem(_Initial, tag="user", kw_only=True):
    """A user message the session starts with."""

    content: list[TextContent]


class AssistantItem(_Initial, tag="assistant", kw_only=True):
    """An assistant message the session starts with."""

    content: list[AssistantContent]


InitialItem: TypeAlias = DeveloperItem | UserItem | AssistantItem
"""A message of the conversation a session starts with (told apart by ``role``)."""


# ---------------------------------------------------------------------------------------------
# Sessions


class SessionConfig(Model):
    """The whole configuration of a new session (``session.start``).

    ``safety_identifier`` identifies the end user to the service's abuse checks; it is kept
    out of reprs.
    """

    _secret_fields = frozenset({"safety_identifier"})

    model: LiveModel
    audio: AudioConfig | UnsetType | None = UNSET
    client: ClientConfig | UnsetType | None = UNSET
    delegation: DelegationConfig | UnsetType | None = UNSET
    input: list[InitialItem] | UnsetType | None = UNSET
    instructions: str | UnsetType | None = UNSET
    safety_identifier: str | UnsetType | None = UNSET
    store: bool | UnsetType | None = UNSET
    triggers: list[DecisionTrigger] | UnsetType | None = UNSET


class SessionResource(SessionConfig, kw_only=True):
    """A session as the server reports it: its configuration, id, status and expiry."""

    id: str
    expires_at: int
    status: Literal["active"]


class SessionUpdateConfig(Model):
    """What ``session.update`` may change: delegation and transcript triggers."""

    delegation: DelegationUpdate | UnsetType | None = UNSET
    triggers: list[DecisionTrigger] | UnsetType | None = UNSET


class ForkSessionConfig(Model):
    """The configuration of a fork: it inherits its parent's, these settings override it."""

    audio: ForkAudioConfig | UnsetType | None = UNSET
    client: ClientConfig | UnsetType | None = UNSET
    delegation: ResponsesDelegationChange | UnsetType | None = UNSET
    store: bool | UnsetType | None = UNSET


# ---------------------------------------------------------------------------------------------
# Usage


class SessionUsage(Model):
    """How long the session has run, in seconds (active and paused once known)."""

    seconds: float
    active_seconds: int | UnsetType | None = UNSET
    paused_seconds: int | UnsetType | None = UNSET


class ContextWindow(Model):
    """How full the model's context is, from 0 to 1."""

    usage_ratio: float


if not TYPE_CHECKING:  # type checkers read the definitions above themselves
    __all__ = defined_names(globals())
