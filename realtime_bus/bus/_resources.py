"""Typed helpers for every client event: ``bus.session.update(...)``, ``bus.response.create()``.

They mirror the ``openai`` package's connection resources, so code moves over line by line, and
add keyword shortcuts for the settings people change most. Each helper queues the event and
returns it (with its ``event_id``); ``wait=True`` instead sends it as a request and returns the
server's acknowledgement (see :meth:`Bus.request`).
"""

from __future__ import annotations

from typing import Literal, TypeVar, cast, overload

from msgspec import UNSET, UnsetType

from ..protocol import (
    AudioConfig,
    AudioFormat,
    AudioInputConfig,
    AudioOutputConfig,
    ClientEvent,
    ConversationItem,
    ConversationItemAdded,
    ConversationItemCreate,
    ConversationItemCreated,
    ConversationItemDelete,
    ConversationItemDeleted,
    ConversationItemRetrieve,
    ConversationItemRetrieved,
    ConversationItemTruncate,
    ConversationItemTruncated,
    InputAudioBufferAppend,
    InputAudioBufferClear,
    InputAudioBufferCleared,
    InputAudioBufferCommit,
    InputAudioBufferCommitted,
    Modality,
    OutputAudioBufferClear,
    OutputAudioBufferCleared,
    RealtimeSession,
    ResponseCancel,
    ResponseCreate,
    ResponseCreated,
    ResponseCreateParams,
    ResponseDone,
    ServerEvent,
    Session,
    SessionUpdate,
    SessionUpdated,
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


_Sent = TypeVar("_Sent", bound=ClientEvent)
_Ack = TypeVar("_Ack", bound=ServerEvent)

# Each helper returns the event it queued, or with ``wait=True`` the server's acknowledgement:
# the overloads give each case its class (``session.update(wait=True)`` -> SessionUpdated).


class _Resource:
    __slots__ = ("_bus",)

    def __init__(self, bus: Sender) -> None:
        self._bus = bus

    async def _send(self, event: _Sent, wait: bool, ack: type[_Ack]) -> _Sent | _Ack:
        """Queue ``event`` (returned), or with ``wait`` return its acknowledgement (``ack``)."""
        if wait:
            return cast(_Ack, await self._bus.request(event))
        return cast(_Sent, await self._bus.send(event))


class SessionResource(_Resource):
    """``bus.session``."""

    __slots__ = ()

    @overload
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
        wait: Literal[False] = False,
    ) -> SessionUpdate: ...

    @overload
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
        wait: Literal[True],
    ) -> SessionUpdated: ...

    @overload
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
        wait: bool,
    ) -> SessionUpdate | SessionUpdated: ...

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
    ) -> SessionUpdate | SessionUpdated:
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
        return await self._send(SessionUpdate(session=session), wait, SessionUpdated)


class ResponseResource(_Resource):
    """``bus.response``."""

    __slots__ = ()

    @overload
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
        wait: Literal[False] = False,
    ) -> ResponseCreate: ...

    @overload
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
        wait: Literal[True],
    ) -> ResponseCreated: ...

    @overload
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
        wait: bool,
    ) -> ResponseCreate | ResponseCreated: ...

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
    ) -> ResponseCreate | ResponseCreated:
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
        return await self._send(event, wait, ResponseCreated)

    @overload
    async def cancel(
        self, response_id: str | UnsetType = UNSET, *, wait: Literal[False] = False
    ) -> ResponseCancel: ...

    @overload
    async def cancel(
        self, response_id: str | UnsetType = UNSET, *, wait: Literal[True]
    ) -> ResponseDone: ...

    @overload
    async def cancel(
        self, response_id: str | UnsetType = UNSET, *, wait: bool
    ) -> ResponseCancel | ResponseDone: ...

    async def cancel(
        self, response_id: str | UnsetType = UNSET, *, wait: bool = False
    ) -> ResponseCancel | ResponseDone:
        """Send ``response.cancel`` (it overtakes queued audio appends). With ``wait=True``
        returns the cancelled ``response.done``."""
        return await self._send(ResponseCancel(response_id=response_id), wait, ResponseDone)


class InputAudioBufferResource(_Resource):
    """``bus.input_audio_buffer``."""

    __slots__ = ()

    async def append(self, audio: bytes | bytearray | memoryview | str) -> InputAudioBufferAppend:
        """Append audio: raw bytes in the session's input format, or a base64 string."""
        data = audio if isinstance(audio, str) else base64_from_pcm(audio)
        # Never acknowledged: always queued and returned.
        return cast(
            InputAudioBufferAppend, await self._bus.send(InputAudioBufferAppend(audio=data))
        )

    @overload
    async def commit(self, *, wait: Literal[False] = False) -> InputAudioBufferCommit: ...

    @overload
    async def commit(self, *, wait: Literal[True]) -> InputAudioBufferCommitted: ...

    @overload
    async def commit(self, *, wait: bool) -> InputAudioBufferCommit | InputAudioBufferCommitted: ...

    async def commit(
        self, *, wait: bool = False
    ) -> InputAudioBufferCommit | InputAudioBufferCommitted:
        """Send ``input_audio_buffer.commit`` (``wait=True``: returns ``.committed``)."""
        return await self._send(InputAudioBufferCommit(), wait, InputAudioBufferCommitted)

    @overload
    async def clear(self, *, wait: Literal[False] = False) -> InputAudioBufferClear: ...

    @overload
    async def clear(self, *, wait: Literal[True]) -> InputAudioBufferCleared: ...

    @overload
    async def clear(self, *, wait: bool) -> InputAudioBufferClear | InputAudioBufferCleared: ...

    async def clear(self, *, wait: bool = False) -> InputAudioBufferClear | InputAudioBufferCleared:
        """Send ``input_audio_buffer.clear`` (``wait=True``: returns ``.cleared``)."""
        return await self._send(InputAudioBufferClear(), wait, InputAudioBufferCleared)


class OutputAudioBufferResource(_Resource):
    """``bus.output_audio_buffer`` (WebRTC and SIP sessions)."""

    __slots__ = ()

    @overload
    async def clear(self, *, wait: Literal[False] = False) -> OutputAudioBufferClear: ...

    @overload
    async def clear(self, *, wait: Literal[True]) -> OutputAudioBufferCleared: ...

    @overload
    async def clear(self, *, wait: bool) -> OutputAudioBufferClear | OutputAudioBufferCleared: ...

    async def clear(
        self, *, wait: bool = False
    ) -> OutputAudioBufferClear | OutputAudioBufferCleared:
        """Send ``output_audio_buffer.clear`` (it overtakes queued audio appends)."""
        return await self._send(OutputAudioBufferClear(), wait, OutputAudioBufferCleared)


class ConversationItemResource(_Resource):
    """``bus.conversation.item``."""

    __slots__ = ()

    @overload
    async def create(
        self,
        item: ConversationItem,
        *,
        previous_item_id: str | UnsetType = UNSET,
        wait: Literal[False] = False,
    ) -> ConversationItemCreate: ...

    @overload
    async def create(
        self,
        item: ConversationItem,
        *,
        previous_item_id: str | UnsetType = UNSET,
        wait: Literal[True],
    ) -> ConversationItemAdded | ConversationItemCreated: ...

    @overload
    async def create(
        self, item: ConversationItem, *, previous_item_id: str | UnsetType = UNSET, wait: bool
    ) -> ConversationItemCreate | ConversationItemAdded | ConversationItemCreated: ...

    async def create(
        self,
        item: ConversationItem,
        *,
        previous_item_id: str | UnsetType = UNSET,
        wait: bool = False,
    ) -> ConversationItemCreate | ConversationItemAdded | ConversationItemCreated:
        """Send ``conversation.item.create`` (``wait=True``: returns ``.added``, or ``.created``
        from servers that send that instead)."""
        event = ConversationItemCreate(item=item, previous_item_id=previous_item_id)
        # The acknowledgement is .added, or .created from servers that send that instead.
        ack = ConversationItemAdded if wait else ConversationItemCreated
        answer = await self._send(event, wait, ack)
        return cast(
            "ConversationItemCreate | ConversationItemAdded | ConversationItemCreated", answer
        )

    @overload
    async def delete(
        self, item_id: str, *, wait: Literal[False] = False
    ) -> ConversationItemDelete: ...

    @overload
    async def delete(self, item_id: str, *, wait: Literal[True]) -> ConversationItemDeleted: ...

    @overload
    async def delete(
        self, item_id: str, *, wait: bool
    ) -> ConversationItemDelete | ConversationItemDeleted: ...

    async def delete(
        self, item_id: str, *, wait: bool = False
    ) -> ConversationItemDelete | ConversationItemDeleted:
        """Send ``conversation.item.delete`` (``wait=True``: returns ``.deleted``)."""
        return await self._send(
            ConversationItemDelete(item_id=item_id), wait, ConversationItemDeleted
        )

    @overload
    async def retrieve(
        self, item_id: str, *, wait: Literal[False] = False
    ) -> ConversationItemRetrieve: ...

    @overload
    async def retrieve(self, item_id: str, *, wait: Literal[True]) -> ConversationItemRetrieved: ...

    @overload
    async def retrieve(
        self, item_id: str, *, wait: bool
    ) -> ConversationItemRetrieve | ConversationItemRetrieved: ...

    async def retrieve(
        self, item_id: str, *, wait: bool = False
    ) -> ConversationItemRetrieve | ConversationItemRetrieved:
        """Send ``conversation.item.retrieve`` (``wait=True``: returns ``.retrieved``)."""
        return await self._send(
            ConversationItemRetrieve(item_id=item_id), wait, ConversationItemRetrieved
        )

    @overload
    async def truncate(
        self,
        item_id: str,
        *,
        content_index: int = 0,
        audio_end_ms: int,
        wait: Literal[False] = False,
    ) -> ConversationItemTruncate: ...

    @overload
    async def truncate(
        self, item_id: str, *, content_index: int = 0, audio_end_ms: int, wait: Literal[True]
    ) -> ConversationItemTruncated: ...

    @overload
    async def truncate(
        self, item_id: str, *, content_index: int = 0, audio_end_ms: int, wait: bool
    ) -> ConversationItemTruncate | ConversationItemTruncated: ...

    async def truncate(
        self, item_id: str, *, content_index: int = 0, audio_end_ms: int, wait: bool = False
    ) -> ConversationItemTruncate | ConversationItemTruncated:
        """Send ``conversation.item.truncate`` (``wait=True``: returns ``.truncated``)."""
        return await self._send(
            ConversationItemTruncate(
                item_id=item_id, content_index=content_index, audio_end_ms=audio_end_ms
            ),
            wait,
            ConversationItemTruncated,
        )


class ConversationResource(_Resource):
    """``bus.conversation``."""

    __slots__ = ("item",)

    def __init__(self, bus: Sender) -> None:
        super().__init__(bus)
        self.item = ConversationItemResource(bus)
