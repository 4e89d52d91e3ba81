"""Every event the server sends on a realtime or transcription session (GA protocol)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, get_args

from msgspec import UNSET, UnsetType

from ._base import ServerEvent, defined_names, install_type_names
from ._models import ContentPart as _ContentPart
from ._models import (
    Conversation,
    ConversationItem,
    ErrorDetails,
    LogProb,
    RateLimit,
    Response,
    Session,
    TranscriptionError,
    TranscriptionLanguage,
    TranscriptUsage,
)

# ---------------------------------------------------------------------------------------------
# What families of events carry alike: the same fields, in the same order, under each name.


class _ItemEvent(ServerEvent, frozen=True):
    item: ConversationItem
    previous_item_id: str | UnsetType | None = UNSET


class _InputTranscriptionEvent(ServerEvent, frozen=True):
    item_id: str
    content_index: int


class _OutputItemEvent(ServerEvent, frozen=True):
    """Where in a response the event is: the response, its output item and the item's index."""

    response_id: str
    item_id: str
    output_index: int


class _ContentEvent(_OutputItemEvent, frozen=True):
    content_index: int


class _ContentPartEvent(_ContentEvent, frozen=True):
    part: _ContentPart


class _ContentDelta(_ContentEvent, frozen=True):
    delta: str
    obfuscation: str | UnsetType | None = UNSET


class _McpCallEvent(ServerEvent, frozen=True):
    item_id: str
    output_index: int


# ---------------------------------------------------------------------------------------------
# Session and conversation


class SessionCreated(ServerEvent, tag="session.created", frozen=True):
    """The first event of every connection: the session and its full configuration."""

    session: Session


class SessionUpdated(ServerEvent, tag="session.updated", frozen=True):
    """Acknowledges ``session.update`` with the merged configuration."""

    session: Session


class ConversationCreated(ServerEvent, tag="conversation.created", frozen=True):
    """A conversation was created (older flows send it after ``session.created``)."""

    conversation: Conversation


class ConversationItemAdded(_ItemEvent, tag="conversation.item.added", frozen=True):
    """An item was added to the conversation (its content may still be streaming)."""


class ConversationItemCreated(_ItemEvent, tag="conversation.item.created", frozen=True):
    """An item was created (the older acknowledgement of ``conversation.item.create``)."""


class ConversationItemDone(_ItemEvent, tag="conversation.item.done", frozen=True):
    """An item is complete."""


class ConversationItemDeleted(ServerEvent, tag="conversation.item.deleted", frozen=True):
    """Acknowledges ``conversation.item.delete``."""

    item_id: str


class ConversationItemRetrieved(ServerEvent, tag="conversation.item.retrieved", frozen=True):
    """Answers ``conversation.item.retrieve`` with the whole item."""

    item: ConversationItem


class ConversationItemTruncated(ServerEvent, tag="conversation.item.truncated", frozen=True):
    """Acknowledges ``conversation.item.truncate``: assistant audio was cut at ``audio_end_ms``."""

    item_id: str
    content_index: int
    audio_end_ms: int


class ConversationItemInputAudioTranscriptionDelta(
    ServerEvent, tag="conversation.item.input_audio_transcription.delta", frozen=True
):
    """A piece of the transcript of the user's audio."""

    item_id: str
    content_index: int | UnsetType | None = UNSET
    delta: str | UnsetType | None = UNSET
    logprobs: list[LogProb] | UnsetType | None = UNSET
    obfuscation: str | UnsetType | None = UNSET


class ConversationItemInputAudioTranscriptionCompleted(
    _InputTranscriptionEvent,
    tag="conversation.item.input_audio_transcription.completed",
    frozen=True,
):
    """The complete transcript of the user's audio."""

    transcript: str
    usage: TranscriptUsage
    logprobs: list[LogProb] | UnsetType | None = UNSET
    languages: list[TranscriptionLanguage] | UnsetType | None = UNSET


class ConversationItemInputAudioTranscriptionFailed(
    _InputTranscriptionEvent, tag="conversation.item.input_audio_transcription.failed", frozen=True
):
    """Transcribing the user's audio failed."""

    error: TranscriptionError


class ConversationItemInputAudioTranscriptionSegment(
    _InputTranscriptionEvent, tag="conversation.item.input_audio_transcription.segment", frozen=True
):
    """A diarized segment of the user's audio (who spoke, when, and what)."""

    id: str
    text: str
    speaker: str
    start: float
    end: float


# ---------------------------------------------------------------------------------------------
# Input audio buffer


class InputAudioBufferCommitted(ServerEvent, tag="input_audio_buffer.committed", frozen=True):
    """The input buffer became the user item ``item_id`` (by ``commit`` or by server VAD)."""

    item_id: str
    previous_item_id: str | UnsetType | None = UNSET


class InputAudioBufferCleared(ServerEvent, tag="input_audio_buffer.cleared", frozen=True):
    """Acknowledges ``input_audio_buffer.clear``."""


class InputAudioBufferSpeechStarted(
    ServerEvent, tag="input_audio_buffer.speech_started", frozen=True
):
    """Server VAD heard speech start ``audio_start_ms`` into the buffer's audio."""

    audio_start_ms: int
    item_id: str


class InputAudioBufferSpeechStopped(
    ServerEvent, tag="input_audio_buffer.speech_stopped", frozen=True
):
    """Server VAD heard speech end ``audio_end_ms`` into the buffer's audio."""

    audio_end_ms: int
    item_id: str


class InputAudioBufferTimeoutTriggered(
    ServerEvent, tag="input_audio_buffer.timeout_triggered", frozen=True
):
    """Server VAD's idle timeout fired: no speech for ``idle_timeout_ms``."""

    audio_start_ms: int
    audio_end_ms: int
    item_id: str


class InputAudioBufferDtmfEventReceived(
    ServerEvent, tag="input_audio_buffer.dtmf_event_received", frozen=True
):
    """A DTMF key press on a SIP call. This event carries no ``event_id``."""

    event: str
    received_at: int


# ---------------------------------------------------------------------------------------------
# Output audio buffer (WebRTC and SIP)


class OutputAudioBufferStarted(ServerEvent, tag="output_audio_buffer.started", frozen=True):
    """The server started playing a response's audio (WebRTC and SIP only)."""

    response_id: str


class OutputAudioBufferStopped(ServerEvent, tag="output_audio_buffer.stopped", frozen=True):
    """The server finished playing a response's audio (WebRTC and SIP only)."""

    response_id: str


class OutputAudioBufferCleared(ServerEvent, tag="output_audio_buffer.cleared", frozen=True):
    """Acknowledges ``output_audio_buffer.clear`` (WebRTC and SIP only)."""

    response_id: str


# ---------------------------------------------------------------------------------------------
# Responses


class ResponseCreated(ServerEvent, tag="response.created", frozen=True):
    """A response started; ``response.status`` is ``in_progress``."""

    response: Response


class ResponseDone(ServerEvent, tag="response.done", frozen=True):
    """A response ended: completed, cancelled, incomplete or failed, with its usage."""

    response: Response


class ResponseOutputItemAdded(ServerEvent, tag="response.output_item.added", frozen=True):
    """A response started an output item."""

    response_id: str
    output_index: int
    item: ConversationItem


class ResponseOutputItemDone(ServerEvent, tag="response.output_item.done", frozen=True):
    """A response finished an output item."""

    response_id: str
    output_index: int
    item: ConversationItem


class ResponseContentPartAdded(_ContentPartEvent, tag="response.content_part.added", frozen=True):
    """An output item got a new content part."""


class ResponseContentPartDone(_ContentPartEvent, tag="response.content_part.done", frozen=True):
    """A content part is complete."""


class ResponseOutputTextDelta(_ContentDelta, tag="response.output_text.delta", frozen=True):
    """A piece of text output."""


class ResponseOutputTextDone(_ContentEvent, tag="response.output_text.done", frozen=True):
    """The complete text of a content part."""

    text: str


class ResponseOutputAudioDelta(_ContentDelta, tag="response.output_audio.delta", frozen=True):
    """A chunk of output audio, base64 encoded (see :attr:`pcm`)."""

    _audio_fields: ClassVar[frozenset[str]] = frozenset({"delta"})

    @property
    def pcm(self) -> bytes:
        """The audio bytes of this chunk (PCM16 unless the session chose G.711)."""
        from ._audio import pcm_from_base64

        return pcm_from_base64(self.delta)


class ResponseOutputAudioDone(_ContentEvent, tag="response.output_audio.done", frozen=True):
    """The output audio of a content part is complete."""


class ResponseOutputAudioTranscriptDelta(
    _ContentDelta, tag="response.output_audio_transcript.delta", frozen=True
):
    """A piece of the transcript of the output audio."""


class ResponseOutputAudioTranscriptDone(
    _ContentEvent, tag="response.output_audio_transcript.done", frozen=True
):
    """The complete transcript of the output audio."""

    transcript: str


class ResponseFunctionCallArgumentsDelta(
    _OutputItemEvent, tag="response.function_call_arguments.delta", frozen=True
):
    """A piece of a function call's JSON arguments."""

    call_id: str
    delta: str
    obfuscation: str | UnsetType | None = UNSET


class ResponseFunctionCallArgumentsDone(
    _OutputItemEvent, tag="response.function_call_arguments.done", frozen=True
):
    """A function call's complete JSON arguments, and the function's name."""

    call_id: str
    name: str
    arguments: str


class ResponseMcpCallArgumentsDelta(
    _OutputItemEvent, tag="response.mcp_call_arguments.delta", frozen=True
):
    """A piece of an MCP tool call's JSON arguments."""

    delta: str
    obfuscation: str | UnsetType | None = UNSET


class ResponseMcpCallArgumentsDone(
    _OutputItemEvent, tag="response.mcp_call_arguments.done", frozen=True
):
    """An MCP tool call's complete JSON arguments."""

    arguments: str


class ResponseMcpCallInProgress(_McpCallEvent, tag="response.mcp_call.in_progress", frozen=True):
    """An MCP tool call started."""


class ResponseMcpCallCompleted(_McpCallEvent, tag="response.mcp_call.completed", frozen=True):
    """An MCP tool call succeeded."""


class ResponseMcpCallFailed(_McpCallEvent, tag="response.mcp_call.failed", frozen=True):
    """An MCP tool call failed."""


class McpListToolsInProgress(ServerEvent, tag="mcp_list_tools.in_progress", frozen=True):
    """The server is listing an MCP server's tools."""

    item_id: str


class McpListToolsCompleted(ServerEvent, tag="mcp_list_tools.completed", frozen=True):
    """Listing an MCP server's tools succeeded."""

    item_id: str


class McpListToolsFailed(ServerEvent, tag="mcp_list_tools.failed", frozen=True):
    """Listing an MCP server's tools failed."""

    item_id: str


# ---------------------------------------------------------------------------------------------
# Errors and rate limits


class ErrorEvent(ServerEvent, tag="error", frozen=True):
    """The server refused something. ``error.event_id`` names the client event, when known.

    The connection stays open after most errors.
    """

    error: ErrorDetails


class RateLimitsUpdated(ServerEvent, tag="rate_limits.updated", frozen=True):
    """The rate limits after a response."""

    rate_limits: list[RateLimit]


# ---------------------------------------------------------------------------------------------
# Events this version does not know


class UnknownEvent(ServerEvent, tag=False, frozen=True):
    """An event whose ``type`` this version of the library does not know.

    The protocol grows without notice; such events are delivered rather than dropped, with the
    decoded JSON object in :attr:`payload` and the frame in :attr:`raw`.
    """

    type: str  # type: ignore[misc]
    payload: dict[str, Any]
    raw: bytes | str = b""


AnyServerEvent: TypeAlias = (
    ConversationCreated
    | ConversationItemAdded
    | ConversationItemCreated
    | ConversationItemDeleted
    | ConversationItemDone
    | ConversationItemInputAudioTranscriptionCompleted
    | ConversationItemInputAudioTranscriptionDelta
    | ConversationItemInputAudioTranscriptionFailed
    | ConversationItemInputAudioTranscriptionSegment
    | ConversationItemRetrieved
    | ConversationItemTruncated
    | ErrorEvent
    | InputAudioBufferCleared
    | InputAudioBufferCommitted
    | InputAudioBufferDtmfEventReceived
    | InputAudioBufferSpeechStarted
    | InputAudioBufferSpeechStopped
    | InputAudioBufferTimeoutTriggered
    | McpListToolsCompleted
    | McpListToolsFailed
    | McpListToolsInProgress
    | OutputAudioBufferCleared
    | OutputAudioBufferStarted
    | OutputAudioBufferStopped
    | RateLimitsUpdated
    | ResponseContentPartAdded
    | ResponseContentPartDone
    | ResponseCreated
    | ResponseDone
    | ResponseFunctionCallArgumentsDelta
    | ResponseFunctionCallArgumentsDone
    | ResponseMcpCallArgumentsDelta
    | ResponseMcpCallArgumentsDone
    | ResponseMcpCallCompleted
    | ResponseMcpCallFailed
    | ResponseMcpCallInProgress
    | ResponseOutputAudioDelta
    | ResponseOutputAudioDone
    | ResponseOutputAudioTranscriptDelta
    | ResponseOutputAudioTranscriptDone
    | ResponseOutputItemAdded
    | ResponseOutputItemDone
    | ResponseOutputTextDelta
    | ResponseOutputTextDone
    | SessionCreated
    | SessionUpdated
)
"""The typed union of every GA server event (what the decoder's single pass decodes into)."""

SERVER_EVENT_CLASSES: tuple[type[ServerEvent], ...] = get_args(AnyServerEvent)
"""Every GA server event class, in the union's order."""
install_type_names(SERVER_EVENT_CLASSES)

if not TYPE_CHECKING:  # type checkers read the definitions above themselves
    __all__ = defined_names(globals())
