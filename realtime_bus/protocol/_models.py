"""Nested protocol objects: conversation items, content parts, sessions, tools, responses.

Field names and types follow the protocol catalog. Where the live service is known to be looser
than the schema, the types are liberal (content part types, voices given by name or id). Optional
fields default to ``UNSET`` and stay off the wire unless set.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, TypeAlias

from msgspec import UNSET, UnsetType

from ._base import Model

__all__ = [
    "AudioConfig",
    "AudioFormat",
    "AudioInputConfig",
    "AudioOutputConfig",
    "AudioPCM",
    "AudioPCMA",
    "AudioPCMU",
    "CachedTokensDetails",
    "ContentPart",
    "Conversation",
    "ConversationItem",
    "ErrorDetails",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "FunctionTool",
    "InputFile",
    "InputImage",
    "InputText",
    "InputTokenDetails",
    "ItemStatus",
    "LogProb",
    "McpApprovalFilter",
    "McpApprovalRequestItem",
    "McpApprovalResponseItem",
    "McpCallError",
    "McpCallItem",
    "McpHttpError",
    "McpListToolsItem",
    "McpListedTool",
    "McpProtocolError",
    "McpTool",
    "McpToolExecutionError",
    "McpToolFilter",
    "MessageItem",
    "Modality",
    "NoiseReduction",
    "OutputTokenDetails",
    "Prompt",
    "PromptCacheBreakpoint",
    "RateLimit",
    "Reasoning",
    "RealtimeSession",
    "Response",
    "ResponseAudio",
    "ResponseAudioOutput",
    "ResponseCreateParams",
    "ResponseError",
    "ResponseStatusDetails",
    "RetentionRatioTruncation",
    "SemanticVad",
    "ServerVad",
    "Session",
    "TokenLimits",
    "Tool",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolChoiceMcp",
    "TracingConfig",
    "TranscriptDurationUsage",
    "TranscriptInputTokenDetails",
    "TranscriptTokenUsage",
    "TranscriptUsage",
    "TranscriptionConfig",
    "TranscriptionError",
    "TranscriptionLanguage",
    "TranscriptionSession",
    "TranscriptionSessionAudio",
    "TurnDetection",
    "Usage",
    "VoiceId",
]

Modality: TypeAlias = Literal["text", "audio"]
ItemStatus: TypeAlias = Literal["completed", "incomplete", "in_progress"]
ReasoningEffort: TypeAlias = Literal["minimal", "low", "medium", "high", "xhigh"]
MaxTokens: TypeAlias = int | Literal["inf"]


class _Tagged(Model, tag_field="type"):
    """A nested object that is one member of a union told apart by its ``type``."""


# ---------------------------------------------------------------------------------------------
# Audio formats


class AudioPCM(_Tagged, tag="audio/pcm"):
    """PCM16 little-endian mono; the protocol only supports 24 kHz."""

    rate: Literal[24000] | UnsetType | None = UNSET


class AudioPCMU(_Tagged, tag="audio/pcmu"):
    """G.711 mu-law, 8 kHz (telephony)."""


class AudioPCMA(_Tagged, tag="audio/pcma"):
    """G.711 A-law, 8 kHz (telephony)."""


AudioFormat: TypeAlias = AudioPCM | AudioPCMU | AudioPCMA


# ---------------------------------------------------------------------------------------------
# Input audio: transcription, noise reduction, turn detection


class TranscriptionConfig(Model):
    """How input audio is transcribed (``audio.input.transcription``)."""

    model: str | UnsetType | None = UNSET
    language: str | UnsetType | None = UNSET
    languages: list[str] | UnsetType | None = UNSET
    prompt: str | UnsetType | None = UNSET
    keywords: list[str] | UnsetType | None = UNSET
    delay: ReasoningEffort | UnsetType | None = UNSET


class NoiseReduction(Model):
    """Input noise reduction (``near_field`` for headsets, ``far_field`` for laptops and rooms)."""

    type: Literal["near_field", "far_field"] | UnsetType | None = UNSET
    strength: float | UnsetType | None = UNSET


class ServerVad(_Tagged, tag="server_vad"):
    """Voice activity detection by audio energy and silence duration."""

    threshold: float | UnsetType | None = UNSET
    prefix_padding_ms: int | UnsetType | None = UNSET
    silence_duration_ms: int | UnsetType | None = UNSET
    idle_timeout_ms: int | UnsetType | None = UNSET
    create_response: bool | UnsetType | None = UNSET
    interrupt_response: bool | UnsetType | None = UNSET


class SemanticVad(_Tagged, tag="semantic_vad"):
    """Turn detection by a model that judges whether the user has finished speaking."""

    eagerness: Literal["low", "medium", "high", "auto"] | UnsetType | None = UNSET
    create_response: bool | UnsetType | None = UNSET
    interrupt_response: bool | UnsetType | None = UNSET


TurnDetection: TypeAlias = ServerVad | SemanticVad


class AudioInputConfig(Model):
    """``audio.input`` of a session."""

    format: AudioFormat | UnsetType | None = UNSET
    noise_reduction: NoiseReduction | UnsetType | None = UNSET
    transcription: TranscriptionConfig | UnsetType | None = UNSET
    turn_detection: TurnDetection | UnsetType | None = UNSET


class VoiceId(Model):
    """A custom voice, named by id."""

    id: str


class AudioOutputConfig(Model):
    """``audio.output`` of a session."""

    format: AudioFormat | UnsetType | None = UNSET
    voice: str | VoiceId | UnsetType | None = UNSET
    speed: float | UnsetType | None = UNSET


class AudioConfig(Model):
    """``audio`` of a realtime session."""

    input: AudioInputConfig | UnsetType | None = UNSET
    output: AudioOutputConfig | UnsetType | None = UNSET


class TranscriptionSessionAudio(Model):
    """``audio`` of a transcription session (input only)."""

    input: AudioInputConfig | UnsetType | None = UNSET


# ---------------------------------------------------------------------------------------------
# Content parts and conversation items


class ContentPart(Model):
    """One part of a message's content.

    The schema types user content ``input_text`` / ``input_audio`` / ``input_image``, system
    content ``input_text`` and assistant content ``output_text`` / ``output_audio``; the live
    service also sends ``text`` / ``audio`` (and content-part events use those), so all are
    accepted, and so is the older ``item_reference``. ``audio`` is base64 PCM (see
    :func:`realtime_bus.protocol.pcm_from_base64`).
    """

    type: (
        Literal[
            "input_text",
            "input_audio",
            "input_image",
            "output_text",
            "output_audio",
            "text",
            "audio",
            "item_reference",
        ]
        | UnsetType
        | None
    ) = UNSET
    text: str | UnsetType | None = UNSET
    audio: str | UnsetType | None = UNSET
    transcript: str | UnsetType | None = UNSET
    image_url: str | UnsetType | None = UNSET
    detail: Literal["auto", "low", "high"] | UnsetType | None = UNSET
    id: str | UnsetType | None = UNSET
    """The referenced item of an ``item_reference`` part (older protocol)."""
    format: str | UnsetType | None = UNSET
    """The encoding of ``audio`` (``"pcm16"``, ``"g711_ulaw"``, ``"g711_alaw"``), when the
    service names it (``conversation.item.retrieved`` does for assistant audio)."""


class MessageItem(_Tagged, tag="message"):
    """A ``message`` item from the system, the user or the assistant.

    The protocol has one item type for all three roles, told apart by ``role``.
    """

    role: Literal["system", "user", "assistant"]
    content: list[ContentPart]
    id: str | UnsetType | None = UNSET
    object: Literal["realtime.item"] | UnsetType | None = UNSET
    status: ItemStatus | UnsetType | None = UNSET


class FunctionCallItem(_Tagged, tag="function_call"):
    """The model calls a function; ``arguments`` is a JSON string."""

    name: str
    arguments: str
    call_id: str | UnsetType | None = UNSET
    id: str | UnsetType | None = UNSET
    object: Literal["realtime.item"] | UnsetType | None = UNSET
    status: ItemStatus | UnsetType | None = UNSET


class FunctionCallOutputItem(_Tagged, tag="function_call_output"):
    """The result of a function call, sent back by the client."""

    call_id: str
    output: str
    id: str | UnsetType | None = UNSET
    object: Literal["realtime.item"] | UnsetType | None = UNSET
    status: ItemStatus | UnsetType | None = UNSET


class McpApprovalResponseItem(_Tagged, tag="mcp_approval_response"):
    """The client approves or denies an MCP tool call."""

    id: str
    approval_request_id: str
    approve: bool
    reason: str | UnsetType | None = UNSET


class McpListedTool(Model):
    """One tool an MCP server offers."""

    name: str
    input_schema: Any
    description: str | UnsetType | None = UNSET
    annotations: Any | UnsetType | None = UNSET


class McpListToolsItem(_Tagged, tag="mcp_list_tools"):
    """The tools an MCP server offers."""

    server_label: str
    tools: list[McpListedTool]
    id: str | UnsetType | None = UNSET


class McpProtocolError(_Tagged, tag="protocol_error"):
    """An MCP protocol failure."""

    code: int
    message: str


class McpToolExecutionError(_Tagged, tag="tool_execution_error"):
    """An MCP tool ran and failed."""

    message: str


class McpHttpError(_Tagged, tag="http_error"):
    """An MCP server answered with an HTTP error."""

    code: int
    message: str


McpCallError: TypeAlias = McpProtocolError | McpToolExecutionError | McpHttpError


class McpCallItem(_Tagged, tag="mcp_call"):
    """A call to an MCP tool and its outcome."""

    id: str
    server_label: str
    name: str
    arguments: str
    approval_request_id: str | UnsetType | None = UNSET
    output: str | UnsetType | None = UNSET
    error: McpCallError | UnsetType | None = UNSET


class McpApprovalRequestItem(_Tagged, tag="mcp_approval_request"):
    """The model asks the client to approve an MCP tool call."""

    id: str
    server_label: str
    name: str
    arguments: str


ConversationItem: TypeAlias = (
    MessageItem
    | FunctionCallItem
    | FunctionCallOutputItem
    | McpApprovalResponseItem
    | McpListToolsItem
    | McpCallItem
    | McpApprovalRequestItem
)


class Conversation(Model):
    """The conversation a session holds."""

    id: str | UnsetType | None = UNSET
    object: Literal["realtime.conversation"] | UnsetType | None = UNSET


# ---------------------------------------------------------------------------------------------
# Tools


class FunctionTool(_Tagged, tag="function"):
    """A function the model may call; ``parameters`` is a JSON Schema."""

    name: str | UnsetType | None = UNSET
    description: str | UnsetType | None = UNSET
    parameters: Any | UnsetType | None = UNSET


class McpToolFilter(Model):
    """Selects MCP tools by name or by their read-only hint."""

    read_only: bool | UnsetType | None = UNSET
    tool_names: list[str] | UnsetType | None = UNSET


class McpApprovalFilter(Model):
    """Which MCP tools always, or never, need approval."""

    always: McpToolFilter | UnsetType | None = UNSET
    never: McpToolFilter | UnsetType | None = UNSET


class McpTool(_Tagged, tag="mcp"):
    """An MCP server whose tools the model may use."""

    server_label: str
    server_url: str | UnsetType | None = UNSET
    server_description: str | UnsetType | None = UNSET
    connector_id: str | UnsetType | None = UNSET
    authorization: str | UnsetType | None = UNSET
    headers: dict[str, str] | UnsetType | None = UNSET
    allowed_tools: list[str] | McpToolFilter | UnsetType | None = UNSET
    allowed_callers: list[Literal["direct", "programmatic"]] | UnsetType | None = UNSET
    require_approval: McpApprovalFilter | Literal["always", "never"] | UnsetType | None = UNSET
    defer_loading: bool | UnsetType | None = UNSET
    tunnel_id: str | UnsetType | None = UNSET

    # ``authorization`` and ``headers`` carry credentials: never shown in a repr.
    _secret_fields: ClassVar[frozenset[str]] = frozenset({"authorization", "headers"})


Tool: TypeAlias = FunctionTool | McpTool


class ToolChoiceFunction(_Tagged, tag="function"):
    """Force a call to the named function."""

    name: str


class ToolChoiceMcp(_Tagged, tag="mcp"):
    """Force a call to a tool of the named MCP server."""

    server_label: str
    name: str | UnsetType | None = UNSET


ToolChoice: TypeAlias = Literal["none", "auto", "required"] | ToolChoiceFunction | ToolChoiceMcp


# ---------------------------------------------------------------------------------------------
# Sessions


class TracingConfig(Model):
    """Tracing settings of a session."""

    workflow_name: str | UnsetType | None = UNSET
    group_id: str | UnsetType | None = UNSET
    metadata: Any | UnsetType | None = UNSET


class TokenLimits(Model):
    """Token limits kept when truncating the conversation."""

    post_instructions: int | UnsetType | None = UNSET


class RetentionRatioTruncation(_Tagged, tag="retention_ratio"):
    """Truncate the conversation down to a fraction of the context window."""

    retention_ratio: float
    token_limits: TokenLimits | UnsetType | None = UNSET


class Reasoning(Model):
    """Reasoning effort for reasoning models."""

    effort: ReasoningEffort | UnsetType | None = UNSET


class PromptCacheBreakpoint(Model):
    """An explicit prompt-cache breakpoint."""

    mode: Literal["explicit"]
    ttl: Literal["30m", "12h"] | UnsetType | None = UNSET


class InputText(_Tagged, tag="input_text"):
    """A text variable of a stored prompt."""

    text: str
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType | None = UNSET


class InputImage(_Tagged, tag="input_image"):
    """An image variable of a stored prompt."""

    detail: Literal["low", "high", "auto", "original"]
    file_id: str | UnsetType | None = UNSET
    image_url: str | UnsetType | None = UNSET
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType | None = UNSET


class InputFile(_Tagged, tag="input_file"):
    """A file variable of a stored prompt."""

    detail: Literal["auto", "low", "high"] | UnsetType | None = UNSET
    file_data: str | UnsetType | None = UNSET
    file_id: str | UnsetType | None = UNSET
    file_url: str | UnsetType | None = UNSET
    filename: str | UnsetType | None = UNSET
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType | None = UNSET


class Prompt(Model):
    """A reference to a stored prompt and its variables."""

    id: str
    variables: dict[str, str | InputText | InputImage | InputFile] | UnsetType | None = UNSET
    version: str | UnsetType | None = UNSET


class RealtimeSession(_Tagged, tag="realtime"):
    """Configuration of a speech-to-speech session (``session.type == "realtime"``).

    Used both to update a session (every field optional; only set fields change) and as the
    effective configuration the server reports. ``id``, ``object`` and ``expires_at`` come only
    from the server: ``expires_at`` (Unix seconds) is when the service will end the session.
    """

    model: str | UnsetType | None = UNSET
    instructions: str | UnsetType | None = UNSET
    output_modalities: list[Modality] | UnsetType | None = UNSET
    audio: AudioConfig | UnsetType | None = UNSET
    include: list[Literal["item.input_audio_transcription.logprobs"]] | UnsetType | None = UNSET
    max_output_tokens: MaxTokens | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET
    prompt: Prompt | UnsetType | None = UNSET
    reasoning: Reasoning | UnsetType | None = UNSET
    tool_choice: ToolChoice | UnsetType | None = UNSET
    tools: list[Tool] | UnsetType | None = UNSET
    tracing: Literal["auto"] | TracingConfig | UnsetType | None = UNSET
    truncation: Literal["auto", "disabled"] | RetentionRatioTruncation | UnsetType | None = UNSET
    id: str | UnsetType = UNSET
    object: str | UnsetType = UNSET
    expires_at: int | UnsetType = UNSET


class TranscriptionSession(_Tagged, tag="transcription"):
    """Configuration of a transcription-only session (``session.type == "transcription"``)."""

    audio: TranscriptionSessionAudio | UnsetType | None = UNSET
    include: list[Literal["item.input_audio_transcription.logprobs"]] | UnsetType | None = UNSET
    id: str | UnsetType = UNSET
    object: str | UnsetType = UNSET
    expires_at: int | UnsetType = UNSET


Session: TypeAlias = RealtimeSession | TranscriptionSession


# ---------------------------------------------------------------------------------------------
# Responses


class ResponseAudioOutput(Model):
    """Output audio settings of one response."""

    format: AudioFormat | UnsetType | None = UNSET
    voice: str | VoiceId | UnsetType | None = UNSET


class ResponseAudio(Model):
    """``audio`` of a response."""

    output: ResponseAudioOutput | UnsetType | None = UNSET


class ResponseError(Model):
    """Why a response failed."""

    type: str | UnsetType | None = UNSET
    code: str | UnsetType | None = UNSET
    message: str | UnsetType | None = UNSET


StatusReason: TypeAlias = Literal[
    "turn_detected", "client_cancelled", "max_output_tokens", "content_filter"
]


class ResponseStatusDetails(Model):
    """Why a response ended the way it did."""

    type: Literal["completed", "cancelled", "incomplete", "failed"] | UnsetType | None = UNSET
    reason: (
        Literal["turn_detected", "client_cancelled", "max_output_tokens", "content_filter"]
        | UnsetType
        | None
    ) = UNSET
    error: ResponseError | UnsetType | None = UNSET


class CachedTokensDetails(Model):
    """Cached input tokens by modality."""

    text_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET
    image_tokens: int | UnsetType | None = UNSET


class InputTokenDetails(Model):
    """Input tokens by modality."""

    text_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET
    image_tokens: int | UnsetType | None = UNSET
    cached_tokens: int | UnsetType | None = UNSET
    cached_tokens_details: CachedTokensDetails | UnsetType | None = UNSET


class OutputTokenDetails(Model):
    """Output tokens by modality."""

    text_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET


class Usage(Model):
    """Token usage of one response (what billing counts)."""

    total_tokens: int | UnsetType | None = UNSET
    input_tokens: int | UnsetType | None = UNSET
    output_tokens: int | UnsetType | None = UNSET
    input_token_details: InputTokenDetails | UnsetType | None = UNSET
    output_token_details: OutputTokenDetails | UnsetType | None = UNSET


ResponseStatus: TypeAlias = Literal["completed", "cancelled", "failed", "incomplete", "in_progress"]


class Response(Model):
    """A response of the model, as ``response.created`` and ``response.done`` report it."""

    id: str | UnsetType | None = UNSET
    object: Literal["realtime.response"] | UnsetType | None = UNSET
    status: ResponseStatus | UnsetType | None = UNSET
    status_details: ResponseStatusDetails | UnsetType | None = UNSET
    output: list[ConversationItem] | UnsetType | None = UNSET
    output_modalities: list[Modality] | UnsetType | None = UNSET
    audio: ResponseAudio | UnsetType | None = UNSET
    conversation_id: str | UnsetType | None = UNSET
    max_output_tokens: MaxTokens | UnsetType | None = UNSET
    metadata: dict[str, str] | UnsetType | None = UNSET
    usage: Usage | UnsetType | None = UNSET

    @property
    def output_items(self) -> list[ConversationItem]:
        """:attr:`output` as a list: empty when the server sent none (``response.created``).

        The fields keep the schema's optionality so decoding is never stricter than the
        service; this accessor is the precise type for the common loop over the output.
        """
        output = self.output
        return output if isinstance(output, list) else []

    @property
    def text(self) -> str:
        """The text of the response's output: every ``output_text`` part and audio transcript
        of its messages, joined (empty when there is none)."""
        pieces: list[str] = []
        for item in self.output_items:
            if isinstance(item, MessageItem):
                for part in item.content:
                    value = part.text if isinstance(part.text, str) else part.transcript
                    if isinstance(value, str):
                        pieces.append(value)
        return "".join(pieces)


class ResponseCreateParams(Model):
    """Settings of one response (``response.create``); unset fields follow the session.

    ``conversation="none"`` makes an out-of-band response that is not added to the default
    conversation; ``metadata`` lets the client tell concurrent responses apart.
    """

    instructions: str | UnsetType | None = UNSET
    output_modalities: list[Modality] | UnsetType | None = UNSET
    audio: ResponseAudio | UnsetType | None = UNSET
    conversation: str | UnsetType | None = UNSET
    input: list[ConversationItem] | UnsetType | None = UNSET
    max_output_tokens: MaxTokens | UnsetType | None = UNSET
    metadata: dict[str, str] | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET
    prompt: Prompt | UnsetType | None = UNSET
    reasoning: Reasoning | UnsetType | None = UNSET
    tool_choice: ToolChoice | UnsetType | None = UNSET
    tools: list[Tool] | UnsetType | None = UNSET


# ---------------------------------------------------------------------------------------------
# Errors, rate limits, transcription details


class ErrorDetails(Model):
    """The ``error`` of an ``error`` event. ``event_id`` names the client event that failed."""

    type: str
    message: str
    code: str | UnsetType | None = UNSET
    param: str | UnsetType | None = UNSET
    event_id: str | UnsetType | None = UNSET


class RateLimit(Model):
    """One rate limit and what remains of it."""

    name: Literal["requests", "tokens"] | str | UnsetType | None = UNSET
    limit: int | UnsetType | None = UNSET
    remaining: int | UnsetType | None = UNSET
    reset_seconds: float | UnsetType | None = UNSET


class TranscriptionError(Model):
    """Why transcribing input audio failed."""

    type: str | UnsetType | None = UNSET
    code: str | UnsetType | None = UNSET
    message: str | UnsetType | None = UNSET
    param: str | UnsetType | None = UNSET


class LogProb(Model):
    """The log probability of one transcribed token."""

    token: str
    logprob: float
    bytes: list[int]


class TranscriptionLanguage(Model):
    """A language detected in the input audio."""

    code: str


class TranscriptInputTokenDetails(Model):
    """Input tokens of a transcription by modality."""

    text_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET


class TranscriptTokenUsage(_Tagged, tag="tokens"):
    """Transcription usage billed by tokens."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_token_details: TranscriptInputTokenDetails | UnsetType | None = UNSET


class TranscriptDurationUsage(_Tagged, tag="duration"):
    """Transcription usage billed by audio duration."""

    seconds: float


TranscriptUsage: TypeAlias = TranscriptTokenUsage | TranscriptDurationUsage
