"""Conversation items as the mirror assembles them: parts, transcriptions, function calls."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..protocol import ConversationItem, TranscriptionError
from ._audio_store import decode_chunk

__all__ = ["Item", "Part", "Segment", "Transcription"]

TranscriptionStatus = Literal["in_progress", "completed", "failed"]

_TEXT_TYPES = frozenset({"text", "input_text", "output_text"})
_AUDIO_TYPES = frozenset({"audio", "input_audio", "output_audio"})


@dataclass(frozen=True, slots=True)
class Segment:
    """One diarized segment of an input audio transcription."""

    id: str
    text: str
    speaker: str
    start: float
    end: float


@dataclass(eq=False, slots=True)
class Transcription:
    """The transcription of one input audio part: deltas joined, then the final transcript.

    ``status`` is ``"in_progress"`` while deltas arrive, then ``"completed"`` or
    ``"failed"`` (``error`` says why). ``usage`` is the server's transcription usage.
    """

    item_id: str
    content_index: int
    status: TranscriptionStatus = "in_progress"
    text: str = ""
    segments: list[Segment] = field(default_factory=list)
    error: TranscriptionError | None = None
    usage: Any = None


@dataclass(eq=False, slots=True)
class Part:
    """One content part of a message item.

    ``text`` for text parts; ``transcript`` for audio parts (the assistant's audio transcript,
    or the input transcription of user audio); ``audio`` is the PCM kept under the retention
    policy (see :attr:`audio_complete`), ``audio_ms`` the duration received whatever was kept.
    """

    type: str
    text: str = ""
    transcript: str = ""
    transcription: Transcription | None = None
    audio_bytes: int = 0
    """PCM bytes received for this part (after a truncation: what is left)."""
    bytes_per_ms: float = 48.0
    chunks: list[str | bytes] = field(default_factory=list, repr=False)
    """The kept audio, oldest first, as it came (base64 text, or PCM bytes)."""
    chunk_ends: list[int] = field(default_factory=list, repr=False)
    """Where each of :attr:`chunks` ends, counted in :attr:`audio_bytes` (the last one ends at
    ``audio_bytes``, the first starts at :attr:`dropped_bytes`)."""
    dropped_bytes: int = 0
    """PCM bytes received but no longer kept (the retention policy let them go, or the item
    was deleted)."""
    image_url: str | None = None

    @property
    def is_audio(self) -> bool:
        """Whether this is an audio part."""
        return self.type in _AUDIO_TYPES

    @property
    def kept_bytes(self) -> int:
        """PCM bytes kept: those received less those let go."""
        return self.audio_bytes - self.dropped_bytes

    @property
    def audio(self) -> bytes:
        """The kept PCM of this part (all of it when :attr:`audio_complete`)."""
        return b"".join(decode_chunk(c) for c in self.chunks)

    @property
    def audio_complete(self) -> bool:
        """Whether the kept audio is the whole of the audio received."""
        return self.dropped_bytes == 0

    @property
    def audio_ms(self) -> float:
        """Duration of the audio received, in milliseconds."""
        return self.audio_bytes / self.bytes_per_ms

    @property
    def content(self) -> str:
        """The part's words: its text, or its transcript for audio."""
        return self.text if self.type in _TEXT_TYPES else self.transcript


@dataclass(eq=False, slots=True)
class Item:
    """One conversation item, assembled from the server's events.

    ``type`` is the protocol's (``"message"``, ``"function_call"``,
    ``"function_call_output"``, ``"mcp_call"``, ``"mcp_list_tools"``,
    ``"mcp_approval_request"``, ``"mcp_approval_response"``); ``role`` and ``content`` are
    set for messages, ``name`` / ``call_id`` / ``arguments`` for function and MCP calls,
    ``output`` for their outputs. ``raw`` is the last protocol item the server sent (item
    events carry no audio). ``response_id`` names the response that produced the item.
    """

    id: str
    type: str
    role: str | None = None
    status: str | None = None
    content: list[Part] = field(default_factory=list)
    name: str | None = None
    call_id: str | None = None
    arguments: str = ""
    output: str | None = None
    server_label: str | None = None
    error: Any = None
    response_id: str | None = None
    truncated_ms: int | None = None
    """``audio_end_ms`` of the last truncation, if the item was truncated."""
    deleted: bool = False
    done: bool = False
    raw: ConversationItem | None = field(default=None, repr=False)
    received: float | None = None
    """When the mirror first heard of the item (monotonic seconds)."""

    @property
    def text(self) -> str:
        """The item's words: text parts, audio transcripts and input transcriptions, joined.

        For function calls, the arguments; for outputs, the output.
        """
        if self.content:
            return "".join(part.content for part in self.content)
        if self.type == "function_call_output" or self.output is not None:
            return self.output or ""
        return self.arguments

    @property
    def transcript(self) -> str:
        """The transcripts of the audio parts, joined (empty when there is no audio)."""
        return "".join(part.transcript for part in self.content if part.is_audio)

    @property
    def audio(self) -> bytes:
        """The kept PCM of every audio part, in order."""
        return b"".join(part.audio for part in self.content if part.is_audio)

    @property
    def audio_ms(self) -> float:
        """Duration of the audio received (after truncation), in milliseconds."""
        return sum(part.audio_ms for part in self.content if part.is_audio)

    @property
    def has_audio(self) -> bool:
        """Whether the item has an audio part."""
        return any(part.is_audio for part in self.content)

    @property
    def parsed_arguments(self) -> Any:
        """The arguments parsed as JSON; ``None`` when they are empty or not valid JSON."""
        if not self.arguments:
            return None
        try:
            return json.loads(self.arguments)
        except ValueError:
            return None
