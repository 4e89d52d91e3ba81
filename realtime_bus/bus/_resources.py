"""Typed helpers for every client event: ``bus.session.update(...)``, ``bus.response.create()``.

They mirror the ``openai`` package's connection resources, so code moves over line by line, and
add keyword shortcuts for the settings people change most. Each helper queues the event and
returns it (with its ``event_id``); ``wait=True`` instead sends it as a request and returns the
server's acknowledgement (see :meth:`Bus.request`).
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET, UnsetType

from ..protocol import (
    AudioConfig,
    AudioFormat,
    AudioInputConfig,
    AudioOutputConfig,
    ClientEvent,
    ConversationItem,
    ConversationItemCreate,
    ConversationItemDelete,
    ConversationItemRetrieve,
    ConversationItemTruncate,
    InputAudioBufferAppend,
    InputAudioBufferClear,
    InputAudioBufferCommit,
    Modality,
    OutputAudioBufferClear,
    RealtimeSession,
    ResponseCancel,
    ResponseCreate,
    ResponseCreateParams,
    Session,
    SessionUpdate,
    Tool,
    ToolChoice,
    TranscriptionConfig,
    TurnDetection,
    base64_from_pcm,
)
from ._sender import Sender

__all__ = [
    "ConversationItemResource",
    "ConversationResource",
    "InputAudioBufferResource",
    "OutputAudioBufferResource",
    "ResponseResource",
    "SessionResource",
]


class _Resource:
    __slots__ = ("_bus",)

    def __init__(self, bus: Sender) -> None:
        self._bus = bus

    async def _send(self, event: ClientEvent, wait: bool) -> Any:
        if wait:
            return await self._bus.request(event)
        return await self._bus.send(event)


class SessionResource(_Resource):
    """``bus.session``."""

    __slots__ = ()

    async def update(
        self,
        session: Session | None = None,
        *,
        instructions: str | UnsetType = UNSET,
        voice: str | UnsetType = UNSET,
        output_modalities: list[Modality] | UnsetType = UNSET,
        turn_detection: TurnDetection | UnsetType | None = UNSET,
        input_format: AudioFormat | UnsetType = UNSET,
        output_format: AudioFormat | UnsetType = UNSET,
        transcription: TranscriptionConfig | UnsetType | None = UNSET,
        tools: list[Tool] | UnsetType = UNSET,
        tool_choice: ToolChoice | UnsetType = UNSET,
        model: str | UnsetType = UNSET,
        wait: bool = False,
    ) -> Any:
        """Send ``session.update`` with ``session``, or with a realtime session built from the
        keyword shortcuts (``voice`` and the formats go to ``audio.output`` / ``audio.input``;
        ``turn_detection=None`` turns VAD off). With ``wait=True`` returns ``session.updated``.
        """
        audio_in = (turn_detection, input_format, transcription)
        audio_out = (voice, output_format)
        shortcuts = (instructions, output_modalities, tools, tool_choice, model)
        used = any(v is not UNSET for v in (*audio_in, *audio_out, *shortcuts))
        if session is not None and used:
            raise TypeError("give either a session or keyword settings, not both")
        if session is None:
            audio: AudioConfig | UnsetType = UNSET
            if any(v is not UNSET for v in (*audio_in, *audio_out)):
                audio = AudioConfig()
                if any(v is not UNSET for v in audio_in):
                    audio.input = AudioInputConfig(
                        turn_detection=turn_detection,
                        format=input_format,
                        transcription=transcription,
                    )
                if any(v is not UNSET for v in audio_out):
                    audio.output = AudioOutputConfig(voice=voice, format=output_format)
            session = RealtimeSession(
                instructions=instructions,
                output_modalities=output_modalities,
                tools=tools,
                tool_choice=tool_choice,
                model=model,
                audio=audio,
            )
        return await self._send(SessionUpdate(session=session), wait)


class ResponseResource(_Resource):
    """``bus.response``."""

    __slots__ = ()

    async def create(
        self,
        response: ResponseCreateParams | None = None,
        *,
        instructions: str | UnsetType = UNSET,
        output_modalities: list[Modality] | UnsetType = UNSET,
        conversation: str | UnsetType = UNSET,
        metadata: dict[str, str] | UnsetType = UNSET,
        input: list[ConversationItem] | UnsetType = UNSET,
        tools: list[Tool] | UnsetType = UNSET,
        tool_choice: ToolChoice | UnsetType = UNSET,
        wait: bool = False,
    ) -> Any:
        """Send ``response.create``. ``conversation="none"`` makes an out-of-band response;
        ``metadata`` tags it (and lets ``wait=True`` match its ``response.created``)."""
        shortcuts = (instructions, output_modalities, conversation, metadata, input, tools)
        used = any(v is not UNSET for v in (*shortcuts, tool_choice))
        if response is not None and used:
            raise TypeError("give either response params or keyword settings, not both")
        if response is None and used:
            response = ResponseCreateParams(
                instructions=instructions,
                output_modalities=output_modalities,
                conversation=conversation,
                metadata=metadata,
                input=input,
                tools=tools,
                tool_choice=tool_choice,
            )
        event = ResponseCreate() if response is None else ResponseCreate(response=response)
        return await self._send(event, wait)

    async def cancel(self, response_id: str | UnsetType = UNSET, *, wait: bool = False) -> Any:
        """Send ``response.cancel`` (it overtakes queued audio appends). With ``wait=True``
        returns the cancelled ``response.done``."""
        return await self._send(ResponseCancel(response_id=response_id), wait)


class InputAudioBufferResource(_Resource):
    """``bus.input_audio_buffer``."""

    __slots__ = ()

    async def append(self, audio: bytes | bytearray | memoryview | str) -> Any:
        """Append audio: raw bytes in the session's input format, or a base64 string."""
        data = audio if isinstance(audio, str) else base64_from_pcm(audio)
        return await self._bus.send(InputAudioBufferAppend(audio=data))

    async def commit(self, *, wait: bool = False) -> Any:
        """Send ``input_audio_buffer.commit`` (``wait=True``: returns ``.committed``)."""
        return await self._send(InputAudioBufferCommit(), wait)

    async def clear(self, *, wait: bool = False) -> Any:
        """Send ``input_audio_buffer.clear`` (``wait=True``: returns ``.cleared``)."""
        return await self._send(InputAudioBufferClear(), wait)


class OutputAudioBufferResource(_Resource):
    """``bus.output_audio_buffer`` (WebRTC and SIP sessions)."""

    __slots__ = ()

    async def clear(self, *, wait: bool = False) -> Any:
        """Send ``output_audio_buffer.clear`` (it overtakes queued audio appends)."""
        return await self._send(OutputAudioBufferClear(), wait)


class ConversationItemResource(_Resource):
    """``bus.conversation.item``."""

    __slots__ = ()

    async def create(
        self,
        item: ConversationItem,
        *,
        previous_item_id: str | UnsetType = UNSET,
        wait: bool = False,
    ) -> Any:
        """Send ``conversation.item.create`` (``wait=True``: returns ``.added``)."""
        return await self._send(
            ConversationItemCreate(item=item, previous_item_id=previous_item_id), wait
        )

    async def delete(self, item_id: str, *, wait: bool = False) -> Any:
        """Send ``conversation.item.delete`` (``wait=True``: returns ``.deleted``)."""
        return await self._send(ConversationItemDelete(item_id=item_id), wait)

    async def retrieve(self, item_id: str, *, wait: bool = False) -> Any:
        """Send ``conversation.item.retrieve`` (``wait=True``: returns ``.retrieved``)."""
        return await self._send(ConversationItemRetrieve(item_id=item_id), wait)

    async def truncate(
        self, item_id: str, *, content_index: int = 0, audio_end_ms: int, wait: bool = False
    ) -> Any:
        """Send ``conversation.item.truncate`` (``wait=True``: returns ``.truncated``)."""
        return await self._send(
            ConversationItemTruncate(
                item_id=item_id, content_index=content_index, audio_end_ms=audio_end_ms
            ),
            wait,
        )


class ConversationResource(_Resource):
    """``bus.conversation``."""

    __slots__ = ("item",)

    def __init__(self, bus: Sender) -> None:
        super().__init__(bus)
        self.item = ConversationItemResource(bus)
