"""Streaming one response's output: messages (text, or audio with its transcript) and calls.

:class:`OutputStream` writes the events of each output item in the service's order and paces
them: audio deltas of ``audio_chunk_ms`` each are spaced ``audio_chunk_ms * realtime_factor``
apart (1.0 is real time, 0 as fast as the socket takes them); text and transcript deltas follow
the speech they belong to.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TypedDict

import msgspec

from ..protocol import (
    PCM16_SAMPLE_RATE,
    AudioPCMA,
    AudioPCMU,
    ContentPart,
    ConversationItem,
    ConversationItemAdded,
    ConversationItemDone,
    FunctionCallItem,
    MessageItem,
    Response,
    ResponseAudio,
    ResponseAudioOutput,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,
    ResponseOutputAudioDelta,
    ResponseOutputAudioDone,
    ResponseOutputAudioTranscriptDelta,
    ResponseOutputAudioTranscriptDone,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseOutputTextDelta,
    ResponseOutputTextDone,
    base64_from_pcm,
)
from ._conversation import StoredItem, public_item
from ._g711 import G711, from_pcm24k
from ._pacing import Pacer, in_step, words
from ._responder import ToolCall
from ._speech import synthesize_speech

if TYPE_CHECKING:
    from ._port import Outlet, SessionPort

__all__ = ["ASSISTANT_MS_PER_CHAR", "ActiveResponse", "OutputStream"]

ASSISTANT_MS_PER_CHAR = 50.0
"""Speaking rate of the assistant's synthesized audio."""


class _Ids(TypedDict):
    """Where a delta belongs: the fields every content event repeats (passed as ``**ids``)."""

    response_id: str
    item_id: str
    output_index: int


class ActiveResponse:
    """A response in progress."""

    def __init__(self, response: Response, *, in_conversation: bool) -> None:
        self.response = response
        self.in_conversation = in_conversation
        self.output: list[ConversationItem] = []
        self.cancel_reason: str | None = None
        self.task: asyncio.Task[None] | None = None
        self.text_out = 0
        self.audio_out_ms = 0.0
        self.streaming: tuple[StoredItem, bool, _Ids] | None = None
        """The message being streamed: its stored item, whether it is audio, its event ids."""
        self.said_parts: list[str] = []
        """The text or transcript streamed so far, in pieces."""

    @property
    def said(self) -> str:
        """The text or transcript streamed so far."""
        return "".join(self.said_parts)

    @property
    def id(self) -> str:
        """The response id."""
        assert isinstance(self.response.id, str)
        return self.response.id


class OutputStream:
    """Writes the output items of the responses of one session."""

    def __init__(self, session: SessionPort, outlet: Outlet) -> None:
        self.session = session
        self.pace = Pacer(session.pacing, outlet).pace
        """Wait until the output so far is due (``seconds`` more of it was just sent)."""

    def _open_item(self, active: ActiveResponse, item: ConversationItem) -> StoredItem:
        session = self.session
        output_index = len(active.output)
        active.output.append(item)
        stored = StoredItem(item)
        session.emit(
            ResponseOutputItemAdded(
                response_id=active.id,
                output_index=output_index,
                item=item,
            )
        )
        if active.in_conversation:
            previous = session.conversation.add(stored)
            session.emit(ConversationItemAdded(item=item, previous_item_id=previous))
        return stored

    def _close_item(
        self, active: ActiveResponse, stored: StoredItem, item: ConversationItem
    ) -> None:
        session = self.session
        stored.item = item
        output_index = len(active.output) - 1
        active.output[output_index] = item
        session.emit(
            ResponseOutputItemDone(
                response_id=active.id,
                output_index=output_index,
                item=public_item(item),
            )
        )
        if active.in_conversation and stored.id in session.conversation:
            session.conversation.replace(stored)
            session.emit(
                ConversationItemDone(
                    item=public_item(item),
                    previous_item_id=session.conversation.previous_of(stored.id),
                )
            )

    async def message(self, active: ActiveResponse, text: str) -> None:
        session = self.session
        item_id = session.new_id("item")
        item = MessageItem(
            id=item_id, object="realtime.item", status="in_progress", role="assistant", content=[]
        )
        stored = self._open_item(active, item)
        audio = "audio" in (active.response.output_modalities or [])
        part = (
            ContentPart(type="audio", transcript="") if audio else ContentPart(type="text", text="")
        )
        output_index = len(active.output) - 1
        ids = _Ids(response_id=active.id, item_id=item_id, output_index=output_index)
        session.emit(ResponseContentPartAdded(content_index=0, part=part, **ids))
        active.streaming = (stored, audio, ids)
        active.said_parts = []
        complete = True
        if audio:
            complete = await self._stream_audio(active, stored, text, ids)
        else:
            await self._stream_text(active, text, ids)
        active.streaming = None
        self._end_message(active, stored, audio, ids, complete=complete)

    def _end_message(
        self, active: ActiveResponse, stored: StoredItem, audio: bool, ids: _Ids, *, complete: bool
    ) -> None:
        """End the message ``active`` streams with what was said of it so far."""
        session = self.session
        said = active.said
        if audio:
            session.emit(ResponseOutputAudioDone(content_index=0, **ids))
            session.emit(ResponseOutputAudioTranscriptDone(content_index=0, transcript=said, **ids))
            part = ContentPart(type="audio", transcript=said)
            # A truncated item keeps no transcript (the user did not hear the rest).
            kept = "" if stored.truncated else said
            final = ContentPart(type="output_audio", transcript=kept)
        else:
            session.emit(ResponseOutputTextDone(content_index=0, text=said, **ids))
            part = ContentPart(type="text", text=said)
            final = ContentPart(type="output_text", text=said)
        session.emit(ResponseContentPartDone(content_index=0, part=part, **ids))
        item = stored.item
        assert isinstance(item, MessageItem)
        done = msgspec.structs.replace(
            item, content=[final], status="completed" if complete else "incomplete"
        )
        self._close_item(active, stored, done)

    async def _stream_text(self, active: ActiveResponse, text: str, ids: _Ids) -> None:
        session = self.session
        for word in words(text):
            session.emit(ResponseOutputTextDelta(content_index=0, delta=word, **ids))
            active.said_parts.append(word)
            active.text_out += len(word)
            await self.pace(len(word) * ASSISTANT_MS_PER_CHAR / 1000)

    async def _stream_audio(
        self, active: ActiveResponse, stored: StoredItem, text: str, ids: _Ids
    ) -> bool:
        """Stream the spoken ``text``; false when the item was truncated on the way."""
        session = self.session
        pcm = synthesize_speech(
            text, ms_per_char=ASSISTANT_MS_PER_CHAR, lead_silence_ms=0, trail_silence_ms=0
        )
        kind = _g711_kind(active)
        # On the wire a chunk is PCM16 at 24 kHz, or one G.711 byte per 3 samples.
        align = 18 if kind else 6
        bytes_per_ms = PCM16_SAMPLE_RATE * 2 // 1000
        chunk_bytes = max(align, int(bytes_per_ms * session.pacing.audio_chunk_ms) // align * align)
        wire, wire_chunk = (
            (from_pcm24k(pcm, kind), chunk_bytes // 6) if kind else (pcm, chunk_bytes)
        )
        chunks = max(1, -(-len(pcm) // chunk_bytes))
        # Chunks are whole multiples of 3 bytes, so the base64 of a run of chunks cuts into the
        # base64 of each: one encode per run, the first run small so audio starts at once.
        step = wire_chunk // 3 * 4
        run = 4
        encoded = ""
        run_start = 0
        # Truncation during the stream sees the audio sent so far.
        stored.audio[0] = pcm
        stored.audio_sent[0] = 0
        said = active.said_parts
        # Transcript words in step with the audio that carries them.
        for index, delta in enumerate(in_step(words(text), chunks)):
            if stored.truncated:
                # conversation.item.truncate cut this item: its audio stops where it was cut.
                return False
            if delta:
                session.emit(
                    ResponseOutputAudioTranscriptDelta(content_index=0, delta=delta, **ids)
                )
                said.append(delta)
                active.text_out += len(delta)
            offset = index - run_start
            if offset * step >= len(encoded):
                run_start, offset = index, 0
                encoded = base64_from_pcm(wire[index * wire_chunk : (index + run) * wire_chunk])
                run = 64
            chunk_len = min(chunk_bytes, len(pcm) - index * chunk_bytes)
            session.emit(
                ResponseOutputAudioDelta(
                    content_index=0, delta=encoded[offset * step : (offset + 1) * step], **ids
                )
            )
            stored.audio_sent[0] += chunk_len
            active.audio_out_ms += chunk_len * 1000 / (2 * PCM16_SAMPLE_RATE)
            await self.pace(chunk_len / (2 * PCM16_SAMPLE_RATE))
        stored.audio_sent.pop(0, None)
        return not stored.truncated

    async def function_call(self, active: ActiveResponse, call: ToolCall) -> None:
        session = self.session
        item_id = session.new_id("item")
        call_id = session.new_id("call")
        item = FunctionCallItem(
            id=item_id,
            object="realtime.item",
            status="in_progress",
            name=call.name,
            call_id=call_id,
            arguments="",
        )
        stored = self._open_item(active, item)
        arguments = call.arguments_json
        ids = _Ids(response_id=active.id, item_id=item_id, output_index=len(active.output) - 1)
        for start in range(0, len(arguments), 16):
            delta = arguments[start : start + 16]
            session.emit(ResponseFunctionCallArgumentsDelta(delta=delta, call_id=call_id, **ids))
            await self.pace(0.01)
        session.emit(
            ResponseFunctionCallArgumentsDone(
                name=call.name, arguments=arguments, call_id=call_id, **ids
            )
        )
        active.text_out += len(arguments)
        done = msgspec.structs.replace(item, arguments=arguments, status="completed")
        self._close_item(active, stored, done)

    def close_open_items(self, active: ActiveResponse) -> None:
        """After a cancel: end the item that was streaming, keeping what was sent."""
        if not active.output:
            return
        item = active.output[-1]
        if getattr(item, "status", None) != "in_progress":
            return
        stored = self.session.conversation.get(getattr(item, "id", "")) or StoredItem(item)
        if isinstance(item, MessageItem) and active.streaming is not None:
            stored, audio, ids = active.streaming
            active.streaming = None
            if audio and 0 in stored.audio_sent:
                stored.audio[0] = stored.pcm(0)
                del stored.audio_sent[0]
            self._end_message(active, stored, audio, ids, complete=False)
        else:
            done = msgspec.structs.replace(item, status="incomplete")
            self._close_item(active, stored, done)


def _g711_kind(active: ActiveResponse) -> G711 | None:
    audio = active.response.audio
    out = audio.output if isinstance(audio, ResponseAudio) else None
    fmt = out.format if isinstance(out, ResponseAudioOutput) else None
    if isinstance(fmt, AudioPCMU):
        return "audio/pcmu"
    if isinstance(fmt, AudioPCMA):
        return "audio/pcma"
    return None
