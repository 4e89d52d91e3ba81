"""The conversation mirror: how each server event changes the conversation's state.

The mirror follows the server and never guesses: an item goes where ``previous_item_id`` puts
it, leaves on ``conversation.item.deleted``, and loses audio and transcript on
``conversation.item.truncated``. Responses are tracked with their items, usage and timing.
One plain handler per event type does the work, so it runs inline in the bus's dispatch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from msgspec import UNSET

from ..protocol import (
    AudioConfig,
    AudioInputConfig,
    AudioOutputConfig,
    ConversationItem,
    MessageItem,
    RealtimeSession,
    ServerVad,
    TranscriptionConfig,
    TranscriptionSession,
)
from ._audio_store import AudioRetention, AudioStore, bytes_per_ms, keep_first, pcm_size
from ._events import AgentItemDone, AgentResponseDone, AgentTurn
from ._metrics import stamp
from ._model import Item, Part, Segment, Transcription
from ._pricing import PRICING, ModelPrice
from ._response import AssembledResponse
from ._turns import TurnTracker

__all__ = ["Mirror"]

_Handler = Callable[[Any], None]
_Target = tuple[str | None, int, str | None, Item, Part]
"""Where the deltas of one part go: (item id, content index, response id, item, part)."""
_SCALARS = ("name", "call_id", "server_label", "output", "approval_request_id")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _tag(obj: Any) -> str:
    """The ``type`` of a tagged protocol object (its msgspec tag)."""
    tag = obj.__struct_config__.tag
    return tag if isinstance(tag, str) else ""


_Shape = tuple[str, tuple[str, ...], bool, bool, bool]
_SHAPES: dict[type, _Shape] = {}
"""Per protocol item class: its tag, and which of the fields ``Mirror._merge`` reads it has."""


def _shape(raw: Any) -> _Shape:
    """``raw``'s class's entry in ``_SHAPES`` (a field it lacks would read as ``None``)."""
    fields = getattr(type(raw), "__struct_fields__", None)
    if fields is None:
        shape: _Shape = (_tag(raw), _SCALARS, True, True, True)
    else:
        scalars = tuple(name for name in _SCALARS if name in fields)
        shape = (_tag(raw), scalars, "status" in fields, "arguments" in fields, "error" in fields)
    _SHAPES[type(raw)] = shape
    return shape


_NOWHERE: _Target = (None, -1, None, Item(id="", type="message"), Part(type="audio"))
"""A delta target no event matches (its key has no ids): its item and part are never written."""


def _part_type(part: Any) -> str:
    return part.type if isinstance(part.type, str) else "text"


class Mirror:
    """The conversation's state, and the rules that apply each server event to it.

    :class:`Conversation` is the public face; this is the part that reads events.
    """

    def __init__(self, audio: AudioRetention, pricing: Mapping[str, ModelPrice] | None) -> None:
        self.retention = audio
        self.session_id: str | None = None
        self.model: str | None = None
        self.transcription_only = False
        """Whether the session is a transcription session (the mirror is then a transcript log)."""
        self.previous_items: list[Item] = []
        """The items of the session before the last reconnect (the new session has none)."""
        self.responses: list[AssembledResponse] = []
        """Every response, in order of ``response.created``, out-of-band ones included."""
        self._order: list[str] = []
        self._items: dict[str, Item] = {}
        self._known: dict[str, Item] = {}
        self._by_response: dict[str, AssembledResponse] = {}
        self._announced: set[str] = set()
        self._committed: set[str] = set()
        self._store = AudioStore(audio)
        self._out_bpm = 48.0
        self._in_bpm = 48.0
        self._transcribes = False
        self._turns = TurnTracker({**PRICING, **(pricing or {})})
        self._publish: Callable[[Any], None] | None = None
        # Fewer than 30 attributes in all (Conversation's included): past that, CPython 3.11
        # keeps an instance's attributes in a dict of its own, and every read costs more.
        self._transcript_to = _NOWHERE
        self._audio_item: str | None = None
        """Item id, content index and response id of the last audio delta, whose part is
        ``_audio_part``; no item after anything that may change kept audio otherwise."""
        self._audio_index = -1
        self._audio_response: str | None = None
        self._heard: tuple[str | None, Any, Part] = (None, -1, _NOWHERE[4])
        """Item id and content index of the last transcription delta, and its part."""
        self._audio_part = _NOWHERE[4]
        self._audio_high: float = 0
        """The ``audio_bytes`` of ``_audio_part`` past which the store trims (its countdown)."""
        self._table: dict[str, _Handler] = self._handlers()

    # -- applying events -------------------------------------------------------------------

    @property
    def items(self) -> list[Item]:
        """The items in the server's order (a new list; the items themselves are live)."""
        order = list(self._order)  # a copy first: another thread may be applying events
        items = self._items
        return [item for i in order if (item := items.get(i)) is not None]

    def feed(self, event: Any) -> None:
        """Apply one server event (the bus calls this; call it yourself without a bus)."""
        handler = self._table.get(event.type)
        if handler is not None:
            handler(event)

    def _handlers(self) -> dict[str, _Handler]:
        text_delta = self._on_text_delta
        status = self._on_status
        return {
            "session.created": self._on_session,
            "session.updated": self._on_session,
            "conversation.item.added": self._on_item_added,
            "conversation.item.created": self._on_item_added,
            "conversation.item.done": self._on_item_done,
            "conversation.item.retrieved": self._on_item_retrieved,
            "conversation.item.deleted": self._on_item_deleted,
            "conversation.item.truncated": self._on_item_truncated,
            "conversation.item.input_audio_transcription.delta": self._on_transcription_delta,
            "conversation.item.input_audio_transcription.segment": self._on_segment,
            "conversation.item.input_audio_transcription.completed": self._on_transcribed,
            "conversation.item.input_audio_transcription.failed": self._on_transcription_failed,
            "input_audio_buffer.committed": self._on_committed,
            "input_audio_buffer.speech_started": self._on_speech_started,
            "input_audio_buffer.speech_stopped": self._on_speech_stopped,
            "response.created": self._on_response_created,
            "response.done": self._on_response_done,
            "response.output_item.added": self._on_output_item,
            "response.output_item.done": self._on_output_item_done,
            "response.content_part.added": self._on_content_part,
            "response.content_part.done": self._on_content_part,
            "response.output_text.delta": text_delta,
            "response.output_text.done": self._on_text_done,
            "response.output_audio.delta": (
                self._on_audio_kept if self._store.keeps else self._on_audio_dropped
            ),
            "response.output_audio_transcript.delta": self._on_transcript_delta,
            "response.output_audio_transcript.done": self._on_transcript_done,
            "response.function_call_arguments.delta": self._on_arguments_delta,
            "response.function_call_arguments.done": self._on_arguments_done,
            "response.mcp_call_arguments.delta": self._on_arguments_delta,
            "response.mcp_call_arguments.done": self._on_arguments_done,
            "response.mcp_call.in_progress": status,
            "response.mcp_call.completed": status,
            "response.mcp_call.failed": status,
            "mcp_list_tools.in_progress": status,
            "mcp_list_tools.completed": status,
            "mcp_list_tools.failed": status,
        }

    # session

    def _on_session(self, event: Any) -> None:
        session = event.session
        sid = session.id if isinstance(session.id, str) else None
        known = self.session_id
        if event.type == "session.created" and known is not None and sid != known and self._order:
            # A new session (after a reconnect) starts with an empty conversation.
            self.previous_items = self.items
            self._order.clear()
            self._items.clear()
        if sid is not None:
            self.session_id = sid
        self.transcription_only = isinstance(session, TranscriptionSession)
        if isinstance(session, RealtimeSession) and isinstance(session.model, str):
            self.model = self._turns.model = session.model
        audio = session.audio
        inp = getattr(audio, "input", None)
        if isinstance(inp, AudioInputConfig):
            if inp.format is not UNSET and inp.format is not None:
                self._in_bpm = bytes_per_ms(_tag(inp.format))
            if inp.transcription is not UNSET:
                self._transcribes = isinstance(inp.transcription, TranscriptionConfig)
            vad = inp.turn_detection
            if isinstance(vad, ServerVad) and isinstance(vad.silence_duration_ms, int):
                self._turns.silence_duration_ms = vad.silence_duration_ms
        if isinstance(audio, AudioConfig) and isinstance(audio.output, AudioOutputConfig):
            fmt = audio.output.format
            if fmt is not UNSET and fmt is not None:
                self._out_bpm = bytes_per_ms(_tag(fmt))

    # items

    def _ensure(self, item_id: str, type_: str = "message", at: float | None = None) -> Item:
        item = self._known.get(item_id)
        if item is None:
            item = Item(id=item_id, type=type_, received=at)
            self._known[item_id] = item
        return item

    def _part(self, item: Item, index: int, type_: str) -> Part:
        content = item.content
        if index < len(content):
            return content[index]
        bpm = self._out_bpm if item.role == "assistant" else self._in_bpm
        while len(content) <= index:
            content.append(Part(type=type_, bytes_per_ms=bpm))
        return content[index]

    def _merge(self, item: Item, raw: ConversationItem) -> None:
        if raw == item.raw:
            # The same item again (an item comes in *.added, *.done, then response.done): the
            # mirror has it already, and what later events changed stays.
            item.raw = raw
            return
        if isinstance(raw, MessageItem):
            for given in raw.content:
                if given.audio is not UNSET:
                    self._keep_inline_audio(item, raw)
                    raw = msgspec.structs.replace(
                        raw, content=[msgspec.structs.replace(p, audio=UNSET) for p in raw.content]
                    )
                    break
        tag, scalars, has_status, has_arguments, has_error = _SHAPES.get(type(raw)) or _shape(raw)
        item.raw = raw
        item.type = tag
        if has_status:
            status = getattr(raw, "status", None)
            if isinstance(status, str):
                item.status = status
        for name in scalars:
            value = getattr(raw, name, None)
            if isinstance(value, str):
                setattr(item, name, value)
        if has_arguments:
            arguments = getattr(raw, "arguments", None)
            if isinstance(arguments, str) and arguments:
                item.arguments = arguments
        if has_error:
            error = getattr(raw, "error", None)
            if error is not None and error is not UNSET:
                item.error = error
        if isinstance(raw, MessageItem):
            item.role = raw.role
            kept_transcripts = item.truncated_ms is None
            for index, given in enumerate(raw.content):
                type_ = given.type if isinstance(given.type, str) else "text"
                part = self._part(item, index, type_)
                part.type = type_
                text = given.text
                if isinstance(text, str) and text:
                    part.text = text
                transcript = given.transcript
                if isinstance(transcript, str) and transcript and kept_transcripts:
                    part.transcript = transcript
                image = given.image_url
                if isinstance(image, str) and image:
                    part.image_url = image

    def _keep_inline_audio(self, item: Item, raw: MessageItem) -> None:
        item.role = raw.role
        for index, given in enumerate(raw.content):
            if not isinstance(given.audio, str) or not given.audio:
                continue
            part = self._part(item, index, _part_type(given))
            self._drop_audio(part)
            size = pcm_size(given.audio)
            part.audio_bytes = size
            part.dropped_bytes = 0
            if self._store.keeps:
                self._store.add(part, given.audio, size)
            else:
                part.dropped_bytes = size

    def _end_audio_run(self) -> None:
        """Before kept audio changes other than by a delta: the next delta finds its part."""
        self._store.end_run()
        self._audio_item = None

    def _drop_audio(self, part: Part) -> None:
        self._end_audio_run()
        if part.kept_bytes:
            self._store.release(part, part.kept_bytes)
        part.chunks.clear()
        part.chunk_ends.clear()
        part.dropped_bytes = part.audio_bytes

    def _place(self, item: Item, previous: Any) -> None:
        """Put ``item`` after ``previous`` (``None``: first; unset: last)."""
        order = self._order
        if item.id in self._items:
            if previous is UNSET:
                return
            index = order.index(item.id)
            if (order[index - 1] if index else None) == previous:
                return
            order.pop(index)
        if previous is UNSET:
            order.append(item.id)
        elif previous is None:
            order.insert(0, item.id)
        elif previous in self._items and previous != item.id:
            order.insert(order.index(previous) + 1, item.id)
        else:
            order.append(item.id)  # anchored to an item the mirror never saw: keep it last
        self._items[item.id] = item
        item.deleted = False

    def _on_item_added(self, event: Any) -> None:
        raw = event.item
        item_id = _text(getattr(raw, "id", None))
        if item_id is None:
            return
        item = self._ensure(item_id, _tag(raw), stamp(event))
        self._merge(item, raw)
        self._place(item, event.previous_item_id)

    def _on_item_done(self, event: Any) -> None:
        self._on_item_added(event)
        self._finish_event_item(event)

    def _finish_event_item(self, event: Any) -> None:
        """Mark the item an ``*.done`` event carries (already merged) as finished."""
        item_id = _text(getattr(event.item, "id", None))
        if item_id is not None:
            self._finish(self._known[item_id])

    def _on_item_retrieved(self, event: Any) -> None:
        item_id = _text(getattr(event.item, "id", None))
        if item_id is not None:
            self._merge(self._ensure(item_id, _tag(event.item), stamp(event)), event.item)

    def _on_item_deleted(self, event: Any) -> None:
        item = self._items.pop(event.item_id, None)
        if item is None:
            return
        self._order.remove(item.id)
        self._known.pop(item.id, None)
        self._transcript_to = _NOWHERE
        self._heard = (None, -1, _NOWHERE[4])
        self._end_audio_run()
        item.deleted = True
        for part in item.content:
            self._drop_audio(part)

    def _on_item_truncated(self, event: Any) -> None:
        item = self._known.get(event.item_id)
        if item is None:
            return
        part = self._part(item, event.content_index, "audio")
        cut = int(event.audio_end_ms * part.bytes_per_ms)
        if part.bytes_per_ms == 48.0:
            cut -= cut % 2
        if cut < part.audio_bytes:
            self._end_audio_run()
            kept = part.kept_bytes
            keep = max(0, min(kept, cut - part.dropped_bytes))
            if keep < kept:
                self._store.release(part, kept - keep)
                keep_first(part, keep)
            part.audio_bytes = cut
            part.dropped_bytes = cut - keep
        part.transcript = ""  # the service drops it: nothing the user did not hear stays
        item.truncated_ms = event.audio_end_ms

    def _finish(self, item: Item) -> None:
        item.done = True
        if item.id in self._announced:
            return
        if item.id in self._committed and self._transcribes:
            for part in item.content:
                if part.is_audio and (
                    part.transcription is None or part.transcription.status == "in_progress"
                ):
                    return  # announced when its transcription completes or fails
        self._announced.add(item.id)
        if self._publish is not None:
            self._publish(AgentItemDone(item))

    # input audio

    def _on_committed(self, event: Any) -> None:
        self._committed.add(event.item_id)

    def _heard_part(self, event: Any) -> Part:
        """The input audio part an event of its transcription is about, its transcription
        made if need be."""
        index = event.content_index if isinstance(event.content_index, int) else 0
        item = self._known.get(event.item_id)
        if item is None:
            item = self._ensure(event.item_id, "message", stamp(event))
        if item.role is None:
            item.role = "user"
        part = self._part(item, index, "input_audio")
        if part.transcription is None:
            part.transcription = Transcription(item_id=item.id, content_index=index)
        return part

    def _transcription(self, event: Any) -> Transcription:
        transcription = self._heard_part(event).transcription
        assert transcription is not None
        return transcription

    def _set_transcript(self, event: Any, text: str) -> None:
        item = self._known[event.item_id]
        index = event.content_index if isinstance(event.content_index, int) else 0
        item.content[index].transcript = text

    def _on_transcription_delta(self, event: Any) -> None:
        # Deltas come in runs for one part: its transcription is tried before any lookup.
        delta = event.delta
        if type(delta) is not str:
            return
        heard = self._heard
        if event.item_id == heard[0] and event.content_index == heard[1]:
            part = heard[2]
        else:
            part = self._heard_part(event)
            self._heard = (event.item_id, event.content_index, part)
        transcription = part.transcription
        assert transcription is not None
        part.transcript = transcription.text = transcription.text + delta

    def _on_segment(self, event: Any) -> None:
        self._transcription(event).segments.append(
            Segment(event.id, event.text, event.speaker, event.start, event.end)
        )

    def _on_transcribed(self, event: Any) -> None:
        transcription = self._transcription(event)
        transcription.status = "completed"
        transcription.text = event.transcript
        transcription.usage = event.usage
        self._set_transcript(event, event.transcript)
        self._transcription_over(event.item_id)

    def _on_transcription_failed(self, event: Any) -> None:
        transcription = self._transcription(event)
        transcription.status = "failed"
        transcription.error = event.error
        self._transcription_over(event.item_id)

    def _transcription_over(self, item_id: str) -> None:
        item = self._known[item_id]
        if item.done:
            self._finish(item)

    def _on_speech_started(self, event: Any) -> None:
        self._turns.speech_started(stamp(event))

    def _on_speech_stopped(self, event: Any) -> None:
        self._turns.speech_stopped(stamp(event), event.audio_end_ms)

    # responses

    def _on_response_created(self, event: Any) -> None:
        raw = event.response
        response_id = _text(raw.id)
        if response_id is None or response_id in self._by_response:
            return
        at = stamp(event)
        out_of_band = raw.conversation_id is None
        response = AssembledResponse(
            id=response_id,
            status=_text(raw.status) or "in_progress",
            out_of_band=out_of_band,
            metadata=raw.metadata if isinstance(raw.metadata, dict) else None,
            conversation_id=_text(raw.conversation_id),
            created=at,
        )
        response.metrics = self._turns.created(response_id, at, out_of_band=out_of_band)
        self.responses.append(response)
        self._by_response[response_id] = response

    def _response(self, response_id: str, at: float) -> AssembledResponse:
        response = self._by_response.get(response_id)
        if response is None:  # events of a response whose response.created the mirror missed
            response = AssembledResponse(id=response_id, created=at)
            self.responses.append(response)
            self._by_response[response_id] = response
        return response

    def _on_output_item(self, event: Any) -> None:
        raw = event.item
        item_id = _text(getattr(raw, "id", None))
        if item_id is None:
            return
        at = stamp(event)
        item = self._ensure(item_id, _tag(raw), at)
        if item.role is None and isinstance(raw, MessageItem):
            item.role = raw.role
        self._merge(item, raw)
        item.response_id = event.response_id
        items = self._response(event.response_id, at).items
        if item not in items:
            index = event.output_index
            items.insert(index if 0 <= index <= len(items) else len(items), item)

    def _on_output_item_done(self, event: Any) -> None:
        self._on_output_item(event)
        self._finish_event_item(event)

    def _on_content_part(self, event: Any) -> None:
        item = self._ensure(event.item_id, "message", stamp(event))
        given = event.part
        part = self._part(item, event.content_index, given.type)
        text = _text(getattr(given, "text", None))
        if text:
            part.text = text
        transcript = _text(getattr(given, "transcript", None))
        if transcript and item.truncated_ms is None:
            part.transcript = transcript

    def _on_text_delta(self, event: Any) -> None:
        item = self._known.get(event.item_id)
        if item is None:
            item = self._ensure(event.item_id)
        self._part(item, event.content_index, "text").text += event.delta
        self._turns.text(event.response_id, event)

    def _on_text_done(self, event: Any) -> None:
        item = self._ensure(event.item_id, "message", stamp(event))
        self._part(item, event.content_index, "text").text = event.text

    def _target(self, event: Any) -> _Target:
        """Where a delta goes: its item and part (made if need be), under the delta's key."""
        item = self._known.get(event.item_id)
        if item is None:
            item = self._ensure(event.item_id)
        part = self._part(item, event.content_index, "audio")
        return (event.item_id, event.content_index, event.response_id, item, part)

    def _audio_target(self, event: Any) -> Part:
        """A delta for another part than the last one: where the turn may see its first
        audio."""
        part = self._target(event)[4]
        self._audio_item = event.item_id
        self._audio_index = event.content_index
        self._audio_response = event.response_id
        self._audio_part = part
        self._turns.audio(event.response_id, event)
        return part

    # The hot path (most events are audio deltas): no decoding, no copies, few calls. Deltas
    # come in runs for one part, so the part of the last one is tried before any lookup.

    def _on_audio_kept(self, event: Any) -> None:
        delta = event.delta
        if not delta:
            return
        if (
            event.item_id == self._audio_item
            and event.content_index == self._audio_index
            and event.response_id == self._audio_response
        ):
            part = self._audio_part
        else:
            part = self._audio_target(event)
            self._audio_high = self._store.start_run(part)
        size = len(delta) * 3 // 4  # pcm_size, inline
        if delta[-1] == "=":
            size -= 2 if delta[-2] == "=" else 1
        part.chunks.append(delta)  # the part is in the store's order since start_run
        received = part.audio_bytes + size
        part.audio_bytes = received
        part.chunk_ends.append(received)
        if received > self._audio_high:  # the retention's countdown, in the part's bytes
            self._audio_high = self._store.over()

    def _on_audio_dropped(self, event: Any) -> None:
        delta = event.delta
        if not delta:
            return
        part = self._audio_part
        if (
            event.item_id != self._audio_item
            or event.content_index != self._audio_index
            or event.response_id != self._audio_response
        ):
            part = self._audio_target(event)
        size = len(delta) * 3 // 4  # pcm_size, inline
        if delta[-1] == "=":
            size -= 2 if delta[-2] == "=" else 1
        part.audio_bytes += size
        part.dropped_bytes += size

    def _on_transcript_delta(self, event: Any) -> None:
        target = self._transcript_to
        if (
            event.item_id == target[0]
            and event.content_index == target[1]
            and event.response_id == target[2]
        ):
            item, part = target[3], target[4]
        else:
            target = self._transcript_to = self._target(event)
            item, part = target[3], target[4]
            self._turns.text(event.response_id, event)
        if item.truncated_ms is None:
            part.transcript += event.delta

    def _on_transcript_done(self, event: Any) -> None:
        item = self._ensure(event.item_id, "message", stamp(event))
        if item.truncated_ms is None:
            self._part(item, event.content_index, "audio").transcript = event.transcript

    def _on_arguments_delta(self, event: Any) -> None:
        item = self._known.get(event.item_id) or self._ensure(event.item_id, "function_call")
        item.arguments += event.delta
        self._turns.text(event.response_id, event)

    def _on_arguments_done(self, event: Any) -> None:
        item = self._ensure(event.item_id, "function_call", stamp(event))
        item.arguments = event.arguments
        name = _text(getattr(event, "name", None))
        if name:
            item.name = name

    def _on_status(self, event: Any) -> None:
        item = self._known.get(event.item_id)
        if item is not None:
            item.status = event.type.rsplit(".", 1)[1]

    def _on_response_done(self, event: Any) -> None:
        raw = event.response
        response_id = _text(raw.id)
        if response_id is None:
            return
        at = stamp(event)
        response = self._response(response_id, at)
        response.raw = raw
        response.status = _text(raw.status) or "completed"
        details = raw.status_details
        if details is not UNSET and details is not None:
            response.reason = _text(details.reason)
            if details.error is not UNSET and details.error is not None:
                response.error = details.error
        if raw.usage is not UNSET and raw.usage is not None:
            response.usage = raw.usage
        response.finished = at
        if isinstance(raw.output, list):
            for given in raw.output:
                given_id = _text(getattr(given, "id", None))
                item = self._known.get(given_id) if given_id is not None else None
                if item is not None:
                    self._merge(item, given)
        turn = self._turns.done(response_id, at, response.status, response.usage, response.audio_ms)
        if turn is not None:
            response.metrics = turn
        if self._publish is not None:
            self._publish(AgentResponseDone(response))
            if turn is not None:
                self._publish(AgentTurn(turn))
