"""Responses: creating them, streaming their output, cancelling them.

One asyncio task streams each response. Output follows the service's order: ``response.created``;
per output item ``response.output_item.added`` (and ``conversation.item.added`` when the
response writes to the conversation), its content part, the deltas, their ``.done`` events,
``response.output_item.done`` (and ``conversation.item.done``); then ``response.done`` with usage,
then ``rate_limits.updated``.

Pacing: audio deltas of ``chunk_ms`` each are spaced ``chunk_ms * realtime_factor`` apart (1.0 is
real time, 0 as fast as the socket takes them); text and transcript deltas follow the speech
they belong to.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, NamedTuple

import msgspec
from msgspec import UNSET

from ..protocol import (
    PCM16_SAMPLE_RATE,
    AudioConfig,
    AudioOutputConfig,
    ContentPart,
    ConversationItem,
    ConversationItemAdded,
    ConversationItemDone,
    ErrorDetails,
    FunctionCallItem,
    InputTokenDetails,
    MessageItem,
    OutputTokenDetails,
    RateLimit,
    RateLimitsUpdated,
    RealtimeSession,
    Response,
    ResponseAudio,
    ResponseAudioOutput,
    ResponseCancel,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ResponseCreate,
    ResponseCreated,
    ResponseCreateParams,
    ResponseDone,
    ResponseError,
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
    ResponseStatusDetails,
    Usage,
    base64_from_pcm,
)
from ._conversation import StoredItem, public_item
from ._errors import active_response, cancel_not_active
from ._responder import Reply, ResponderContext, ToolCall, item_text, run_responder
from ._speech import synthesize_speech

if TYPE_CHECKING:
    from ._session import SimulatedSession

__all__ = ["ActiveResponse", "Responses"]

ASSISTANT_MS_PER_CHAR = 50.0
"""Speaking rate of the assistant's synthesized audio."""


class _Ids(NamedTuple):
    """Where a delta belongs: the fields every content event repeats."""

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
        self.said = ""

    @property
    def id(self) -> str:
        """The response id."""
        assert isinstance(self.response.id, str)
        return self.response.id


class Responses:
    """The responses of one session."""

    def __init__(self, session: SimulatedSession) -> None:
        self.session = session
        self.active: dict[str, ActiveResponse] = {}
        self.default: ActiveResponse | None = None
        self._tokens_left = 40_000
        self._requests_left = 5_000
        self._yield_every = 0

    # -- client events ---------------------------------------------------------------------

    def create(self, event: ResponseCreate) -> None:
        """``response.create``."""
        params = event.response if isinstance(event.response, ResponseCreateParams) else None
        event_id = event.event_id if isinstance(event.event_id, str) else None
        self._start(params, event_id)

    def create_auto(self) -> None:
        """A response created by server VAD at the end of the user's turn."""
        if self.default is None:
            self._start(None, None)

    def cancel(self, event: ResponseCancel) -> None:
        """``response.cancel``: the named response, else the default conversation's."""
        event_id = event.event_id if isinstance(event.event_id, str) else None
        target: ActiveResponse | None
        if isinstance(event.response_id, str):
            target = self.active.get(event.response_id)
        else:
            target = self.default
        if target is None or target.cancel_reason is not None:
            self.session.emit_error(cancel_not_active(event_id))
            return
        self._stop(target, "client_cancelled")

    def interrupt(self) -> None:
        """The user started speaking: cancel the default conversation's response."""
        if self.default is not None and self.default.cancel_reason is None:
            self._stop(self.default, "turn_detected")

    def close(self) -> None:
        """The connection is gone: stop every task without reporting."""
        for active in list(self.active.values()):
            if active.task is not None:
                active.task.cancel()
        self.active.clear()
        self.default = None

    def _stop(self, active: ActiveResponse, reason: str) -> None:
        active.cancel_reason = reason
        if active.task is not None:
            active.task.cancel()

    # -- starting --------------------------------------------------------------------------

    def _start(self, params: ResponseCreateParams | None, event_id: str | None) -> None:
        session = self.session
        config = session.config
        assert isinstance(config, RealtimeSession), "responses need a realtime session"
        conversation = "auto"
        if params is not None and isinstance(params.conversation, str):
            conversation = params.conversation
        in_conversation = conversation != "none"
        if in_conversation and self.default is not None:
            session.emit_error(active_response(self.default.id, event_id))
            return

        def pick(name: str) -> Any:
            value = getattr(params, name, UNSET) if params is not None else UNSET
            return getattr(config, name) if value is UNSET else value

        modalities = pick("output_modalities") or ["audio"]
        audio_out = (
            config.audio.output
            if isinstance(config.audio, AudioConfig)
            and isinstance(config.audio.output, AudioOutputConfig)
            else AudioOutputConfig()
        )
        voice = audio_out.voice
        fmt = audio_out.format
        if params is not None and isinstance(params.audio, ResponseAudio):
            out = params.audio.output
            if isinstance(out, ResponseAudioOutput):
                voice = out.voice if out.voice is not UNSET else voice
                fmt = out.format if out.format is not UNSET else fmt
        metadata = params.metadata if params is not None else UNSET
        response = Response(
            id=session.new_id("resp"),
            object="realtime.response",
            status="in_progress",
            status_details=None,
            output=[],
            conversation_id=session.conversation.id if in_conversation else None,
            output_modalities=list(modalities),
            max_output_tokens=pick("max_output_tokens"),
            audio=ResponseAudio(output=ResponseAudioOutput(format=fmt, voice=voice)),
            metadata=None if metadata is UNSET else metadata,
            usage=None,
        )
        active = ActiveResponse(response, in_conversation=in_conversation)
        self.active[active.id] = active
        if in_conversation:
            self.default = active
        session.emit(ResponseCreated(event_id=session.new_id("event"), response=response))
        context = ResponderContext(
            conversation=self._context_items(params),
            session=config,
            instructions=pick("instructions") or "",
            tools=list(pick("tools") or []),
            tool_choice=pick("tool_choice") or "auto",
            output_modalities=list(modalities),
            metadata=None if metadata is UNSET else metadata,
            response_id=active.id,
        )
        active.task = asyncio.get_running_loop().create_task(self._run(active, context))

    def _context_items(self, params: ResponseCreateParams | None) -> list[ConversationItem]:
        conversation = self.session.conversation
        if params is None or not isinstance(params.input, list):
            return [s.for_responder() for s in conversation.stored()]
        items: list[ConversationItem] = []
        for item in params.input:
            if (
                isinstance(item, MessageItem)
                and item.content
                and all(p.type == "item_reference" for p in item.content)
            ):
                for part in item.content:
                    ref = conversation.get(part.id) if isinstance(part.id, str) else None
                    if ref is not None:
                        items.append(ref.for_responder())
                continue
            item_id = getattr(item, "id", None)
            ref = conversation.get(item_id) if isinstance(item_id, str) else None
            items.append(ref.for_responder() if ref is not None else item)
        return items

    # -- streaming -------------------------------------------------------------------------

    async def _run(self, active: ActiveResponse, context: ResponderContext) -> None:
        error: ErrorDetails | None = None
        status = "completed"
        try:
            try:
                reply = await run_responder(self.session.responder, context)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = ErrorDetails(type="server_error", message=f"The responder failed: {exc}")
                status = "failed"
                reply = Reply()
            text, limited = self._limit(reply.text, active.response.max_output_tokens)
            if text:
                await self._message(active, text)
            for call in reply.tool_calls if not limited else []:
                await self._function_call(active, call)
            if limited:
                status = "incomplete"
        except asyncio.CancelledError:
            if active.cancel_reason is None:
                raise
            self._close_open_items(active)
            status = "cancelled"
        self._finish(active, status, error)

    @staticmethod
    def _limit(text: str, max_tokens: Any) -> tuple[str, bool]:
        if isinstance(max_tokens, int) and len(text) > max_tokens * 4:
            return text[: max_tokens * 4], True
        return text, False

    async def _pace(self, seconds: float) -> None:
        factor = self.session.sim.realtime_factor
        if factor > 0 and seconds > 0:
            await asyncio.sleep(seconds * factor)
            return
        self._yield_every += 1
        await self.session.ws.drain()
        if self._yield_every % 8 == 0:
            await asyncio.sleep(0)

    def _open_item(self, active: ActiveResponse, item: ConversationItem) -> StoredItem:
        session = self.session
        output_index = len(active.output)
        active.output.append(item)
        stored = StoredItem(item)
        session.emit(
            ResponseOutputItemAdded(
                event_id=session.new_id("event"),
                response_id=active.id,
                output_index=output_index,
                item=item,
            )
        )
        if active.in_conversation:
            previous = session.conversation.add(stored)
            session.emit(
                ConversationItemAdded(
                    event_id=session.new_id("event"), item=item, previous_item_id=previous
                )
            )
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
                event_id=session.new_id("event"),
                response_id=active.id,
                output_index=output_index,
                item=public_item(item),
            )
        )
        if active.in_conversation and stored.id in session.conversation:
            session.conversation.replace(stored)
            session.emit(
                ConversationItemDone(
                    event_id=session.new_id("event"),
                    item=public_item(item),
                    previous_item_id=session.conversation.previous_of(stored.id),
                )
            )

    async def _message(self, active: ActiveResponse, text: str) -> None:
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
        ids = _Ids(active.id, item_id, output_index)
        session.emit(
            ResponseContentPartAdded(
                event_id=session.new_id("event"),
                content_index=0,
                part=part,
                response_id=ids.response_id,
                item_id=ids.item_id,
                output_index=ids.output_index,
            )
        )
        active.streaming = (stored, audio, ids)
        active.said = ""
        if audio:
            await self._stream_audio(active, stored, text, ids)
        else:
            await self._stream_text(active, text, ids)
        active.streaming = None
        self._end_message(active, stored, active.said, audio, ids, complete=True)

    def _end_message(
        self,
        active: ActiveResponse,
        stored: StoredItem,
        said: str,
        audio: bool,
        ids: _Ids,
        *,
        complete: bool,
    ) -> None:
        session = self.session
        if audio:
            session.emit(
                ResponseOutputAudioDone(
                    event_id=session.new_id("event"),
                    content_index=0,
                    response_id=ids.response_id,
                    item_id=ids.item_id,
                    output_index=ids.output_index,
                )
            )
            session.emit(
                ResponseOutputAudioTranscriptDone(
                    event_id=session.new_id("event"),
                    content_index=0,
                    transcript=said,
                    response_id=ids.response_id,
                    item_id=ids.item_id,
                    output_index=ids.output_index,
                )
            )
            part = ContentPart(type="audio", transcript=said)
            final = ContentPart(type="output_audio", transcript=said)
        else:
            session.emit(
                ResponseOutputTextDone(
                    event_id=session.new_id("event"),
                    content_index=0,
                    text=said,
                    response_id=ids.response_id,
                    item_id=ids.item_id,
                    output_index=ids.output_index,
                )
            )
            part = ContentPart(type="text", text=said)
            final = ContentPart(type="output_text", text=said)
        session.emit(
            ResponseContentPartDone(
                event_id=session.new_id("event"),
                content_index=0,
                part=part,
                response_id=ids.response_id,
                item_id=ids.item_id,
                output_index=ids.output_index,
            )
        )
        item = stored.item
        assert isinstance(item, MessageItem)
        done = msgspec.structs.replace(
            item, content=[final], status="completed" if complete else "incomplete"
        )
        self._close_item(active, stored, done)

    async def _stream_text(self, active: ActiveResponse, text: str, ids: _Ids) -> None:
        session = self.session
        for word in _words(text):
            session.emit(
                ResponseOutputTextDelta(
                    event_id=session.new_id("event"),
                    content_index=0,
                    delta=word,
                    response_id=ids.response_id,
                    item_id=ids.item_id,
                    output_index=ids.output_index,
                )
            )
            active.said += word
            active.text_out += len(word)
            await self._pace(len(word) * ASSISTANT_MS_PER_CHAR / 1000)

    async def _stream_audio(
        self, active: ActiveResponse, stored: StoredItem, text: str, ids: _Ids
    ) -> None:
        session = self.session
        pcm = synthesize_speech(
            text, ms_per_char=ASSISTANT_MS_PER_CHAR, lead_silence_ms=0, trail_silence_ms=0
        )
        chunk_bytes = max(2, int(PCM16_SAMPLE_RATE * session.sim.audio_chunk_ms / 1000) * 2)
        chunks = max(1, -(-len(pcm) // chunk_bytes))
        words = _words(text)
        # Truncation during the stream sees the audio sent so far.
        spoken = bytearray()
        stored.audio[0] = spoken
        sent_words = 0
        for index in range(chunks):
            # Transcript words in step with the audio that carries them.
            due = len(words) * (index + 1) // chunks
            if due > sent_words:
                delta = "".join(words[sent_words:due])
                sent_words = due
                session.emit(
                    ResponseOutputAudioTranscriptDelta(
                        event_id=session.new_id("event"),
                        content_index=0,
                        delta=delta,
                        response_id=ids.response_id,
                        item_id=ids.item_id,
                        output_index=ids.output_index,
                    )
                )
                active.said += delta
                active.text_out += len(delta)
            chunk = pcm[index * chunk_bytes : (index + 1) * chunk_bytes]
            session.emit(
                ResponseOutputAudioDelta(
                    event_id=session.new_id("event"),
                    content_index=0,
                    delta=base64_from_pcm(chunk),
                    response_id=ids.response_id,
                    item_id=ids.item_id,
                    output_index=ids.output_index,
                )
            )
            spoken += chunk
            active.audio_out_ms += len(chunk) * 1000 / (2 * PCM16_SAMPLE_RATE)
            await self._pace(len(chunk) / (2 * PCM16_SAMPLE_RATE))
        stored.audio[0] = bytes(spoken)

    async def _function_call(self, active: ActiveResponse, call: ToolCall) -> None:
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
        ids = _Ids(active.id, item_id, len(active.output) - 1)
        for start in range(0, len(arguments), 16):
            delta = arguments[start : start + 16]
            session.emit(
                ResponseFunctionCallArgumentsDelta(
                    event_id=session.new_id("event"),
                    delta=delta,
                    call_id=call_id,
                    response_id=ids.response_id,
                    item_id=ids.item_id,
                    output_index=ids.output_index,
                )
            )
            await self._pace(0.01)
        session.emit(
            ResponseFunctionCallArgumentsDone(
                event_id=session.new_id("event"),
                name=call.name,
                arguments=arguments,
                call_id=call_id,
                response_id=ids.response_id,
                item_id=ids.item_id,
                output_index=ids.output_index,
            )
        )
        active.text_out += len(arguments)
        done = msgspec.structs.replace(item, arguments=arguments, status="completed")
        self._close_item(active, stored, done)

    def _close_open_items(self, active: ActiveResponse) -> None:
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
            if audio and 0 in stored.audio:
                stored.audio[0] = bytes(stored.audio[0])
            self._end_message(active, stored, active.said, audio, ids, complete=False)
        else:
            done = msgspec.structs.replace(item, status="incomplete")
            self._close_item(active, stored, done)

    # -- finishing -------------------------------------------------------------------------

    def _finish(self, active: ActiveResponse, status: str, error: ErrorDetails | None) -> None:
        session = self.session
        details: ResponseStatusDetails | None = None
        if status == "cancelled":
            details = ResponseStatusDetails(type="cancelled", reason=active.cancel_reason)  # type: ignore[arg-type]
        elif status == "incomplete":
            details = ResponseStatusDetails(type="incomplete", reason="max_output_tokens")
        elif status == "failed" and error is not None:
            details = ResponseStatusDetails(
                type="failed",
                error=ResponseError(type=error.type, code=None, message=error.message),
            )
        usage = self._usage(active)
        response = msgspec.structs.replace(
            active.response,
            status=status,
            status_details=details,
            output=[public_item(i) for i in active.output],
            usage=usage,
        )
        self.active.pop(active.id, None)
        if self.default is active:
            self.default = None
        session.emit(ResponseDone(event_id=session.new_id("event"), response=response))
        self._tokens_left = max(0, self._tokens_left - (usage.total_tokens or 0))
        self._requests_left = max(0, self._requests_left - 1)
        session.emit(
            RateLimitsUpdated(
                event_id=session.new_id("event"),
                rate_limits=[
                    RateLimit(
                        name="requests",
                        limit=5_000,
                        remaining=self._requests_left,
                        reset_seconds=0.012,
                    ),
                    RateLimit(
                        name="tokens",
                        limit=40_000,
                        remaining=self._tokens_left,
                        reset_seconds=round((40_000 - self._tokens_left) * 0.0015, 3),
                    ),
                ],
            )
        )

    def _usage(self, active: ActiveResponse) -> Usage:
        text_in = 0
        audio_in = 0
        for stored in self.session.conversation.stored():
            text_in += len(item_text(stored.item)) // 4 + 4
            audio_in += sum(len(pcm) for pcm in stored.audio.values()) // 2400
        instructions = getattr(self.session.config, "instructions", None)
        text_in += len(instructions) // 4 if isinstance(instructions, str) else 0
        audio_out = int(active.audio_out_ms // 50)
        text_out = max(active.text_out // 4, 1 if active.output else 0)
        total_in = text_in + audio_in
        total_out = text_out + audio_out
        return Usage(
            total_tokens=total_in + total_out,
            input_tokens=total_in,
            output_tokens=total_out,
            input_token_details=InputTokenDetails(
                text_tokens=text_in,
                audio_tokens=audio_in,
                image_tokens=0,
                cached_tokens=0,
            ),
            output_token_details=OutputTokenDetails(text_tokens=text_out, audio_tokens=audio_out),
        )


def _words(text: str) -> list[str]:
    """``"a b c"`` -> ``["a", " b", " c"]``: deltas that join back to the text."""
    parts = text.split(" ")
    return [p if i == 0 else " " + p for i, p in enumerate(parts)]
