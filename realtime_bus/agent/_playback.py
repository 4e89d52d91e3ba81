"""Playback: the one contract between the bus and whatever plays the assistant's audio.

The output (a speaker, a phone line, a browser) gets the audio from :meth:`Playback.on_audio`
and says what it played: :meth:`Playback.played` with a byte count, or marks
(:meth:`Playback.mark` and :meth:`Playback.mark_played`, the shape of Twilio's ``mark``
messages). When it reports nothing, a wall-clock estimate stands in (see :mod:`._ledger`).
:meth:`Playback.interrupt` turns what was played into the service's truncation points; by
default speech from the user while audio plays calls it (see :class:`BargeIn`).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .._log import get_logger
from ..bus import Bus, BusClosed, ConnectionLost
from ..protocol import (
    AudioConfig,
    AudioOutputConfig,
    AudioPCMA,
    AudioPCMU,
    ErrorEvent,
    InputAudioBufferSpeechStarted,
    MessageItem,
    ResponseCancel,
    ResponseCreated,
    ResponseDone,
    ResponseOutputAudioDelta,
    ResponseOutputAudioDone,
    ResponseOutputItemAdded,
    SemanticVad,
    ServerVad,
    pcm_from_base64,
)
from ._barge_in import BargeIn, BargeInWatcher
from ._conversation import Conversation
from ._interrupt import CANCEL_LOST_RACE, Interruption, ack_of, plan
from ._ledger import ItemPosition, Ledger
from ._tasks import Tasks

__all__ = ["AudioChunk", "BargeIn", "Interruption", "ItemPosition", "Playback"]

_F = TypeVar("_F", bound=Callable[..., Any])
_event_ids = itertools.count(1)
_PCM_BYTES_PER_MS = 48
_G711_BYTES_PER_MS = 8


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """One delta of assistant audio, as handed to the output.

    ``audio`` is the base64 payload as the server sent it (a phone bridge forwards it as is);
    :attr:`data` decodes it. ``start`` and ``end`` are its byte offsets in the playback stream:
    ``playback.mark(at=chunk.end)`` names the moment this chunk has been played.
    """

    item_id: str
    response_id: str
    content_index: int
    audio: str
    start: int
    end: int

    @property
    def data(self) -> bytes:
        """The audio bytes, in the session's output format."""
        return pcm_from_base64(self.audio)

    @property
    def nbytes(self) -> int:
        """Length of the audio in bytes."""
        return self.end - self.start


def _decoded_length(b64: str) -> int:
    if not b64:
        return 0
    return len(b64) * 3 // 4 - b64.count("=", -2)


class Playback:
    """Tracks the assistant's audio from arrival to playing, and interrupts at what was heard.

    ::

        playback = Playback(bus, conversation)

        @playback.on_audio
        def play(chunk: AudioChunk) -> None:
            speaker.write(chunk.data)          # the speaker later calls playback.played(n)

        @playback.on_clear
        def flush() -> None:
            speaker.flush()

    ``conversation`` is the :class:`Conversation` whose mirror the interrupts keep in step (it
    follows the server's truncate and delete acknowledgements) and whose turn metrics learn
    when each response's audio started playing (``TurnMetrics.first_played_at``); it may be
    ``None``.
    ``barge_in`` decides when user speech interrupts (``False`` turns it off).
    ``server_output_buffer`` says whether the server plays the audio itself (WebRTC and SIP
    calls, so an interrupt sends ``output_audio_buffer.clear``); by default it is true for buses
    attached to a call (``call_id``). ``ack_timeout`` bounds how long :meth:`interrupt` waits
    for the server's acknowledgements.
    """

    def __init__(
        self,
        bus: Bus,
        conversation: Conversation | None = None,
        *,
        barge_in: BargeIn | bool = True,
        server_output_buffer: bool | None = None,
        ack_timeout: float = 5.0,
        keep_items: int = 64,
    ) -> None:
        self.bus = bus
        self.conversation = conversation
        if isinstance(barge_in, bool):
            barge_in = BargeIn(enabled=barge_in)
        self.barge_in = barge_in
        if server_output_buffer is None:
            server_output_buffer = "call_id=" in bus.endpoint.url
        self.server_output_buffer = server_output_buffer
        self.ack_timeout = ack_timeout
        self.interruptions: list[Interruption] = []
        """Every interrupt that did something, oldest first."""
        self._ledger = Ledger(keep_items=keep_items)
        self._log = get_logger("realtime_bus.agent.playback", bus=bus.name)
        self._audio_callbacks: list[Callable[[AudioChunk], Any]] = []
        self._clear_callbacks: list[Callable[[], Any]] = []
        self._bytes_per_ms = _PCM_BYTES_PER_MS
        self._server_interrupts = True
        self._active: dict[str, bool] = {}  # response id -> has audio output
        self._announced: dict[str, list[str]] = {}  # response id -> assistant message items
        self._server_cancelled: set[str] = set()
        self._client_cancelled: set[str] = set()
        self._server_playing: set[str] = set()
        self._interrupting: asyncio.Task[Interruption] | None = None
        self._tasks = Tasks(bus.name)
        self._async_audio = False
        self._handlers: list[tuple[str, Callable[[Any], Any]]] = [
            ("session.created", self._on_session),
            ("session.updated", self._on_session),
            ("response.created", self._on_response_created),
            ("response.output_item.added", self._on_item_added),
            ("response.output_audio.delta", self._on_delta),
            ("response.output_audio.done", self._on_audio_done),
            ("response.done", self._on_response_done),
            ("output_audio_buffer.started", self._on_buffer_started),
            ("output_audio_buffer.stopped", self._on_buffer_stopped),
            ("output_audio_buffer.cleared", self._on_buffer_stopped),
            ("input_audio_buffer.speech_started", self._on_speech_started),
            ("bus.reconnected", self._on_reconnected),
            ("bus.closed", self._on_closed),
        ]
        for key, handler in self._handlers:
            bus.add_handler(key, handler)
        self._watcher = BargeInWatcher(bus, self, barge_in)

    def __repr__(self) -> str:
        return (
            f"Playback(bus={self.bus.name!r}, received={self._ledger.received}, "
            f"played={self._ledger.played})"
        )

    # -- the output's side of the contract ---------------------------------------------------

    def on_audio(self, fn: Callable[[AudioChunk], Any]) -> Callable[[AudioChunk], Any]:
        """Register a callback (or decorate one) that receives each chunk to play, in order.

        Chunks of an interrupted item are never handed out. An ``async`` callback is awaited
        before the next event is dispatched.
        """
        if inspect.iscoroutinefunction(fn) and not self._async_audio:
            self._async_audio = True
            self.bus.off(self._on_delta, "response.output_audio.delta")
            self.bus.add_handler("response.output_audio.delta", self._on_delta_async)
            self._handlers = [
                (k, self._on_delta_async if h == self._on_delta else h) for k, h in self._handlers
            ]
        self._audio_callbacks.append(fn)
        return fn

    def on_clear(self, fn: _F) -> _F:
        """Register a callback (or decorate one) that flushes the output's buffered audio.

        Called first thing in :meth:`interrupt`, before any event is sent; it may be
        ``async``. After it, the output starts counting from zero unplayed bytes.
        """
        self._clear_callbacks.append(fn)
        return fn

    def played(self, nbytes: int) -> None:
        """The output played ``nbytes`` more bytes of assistant audio (in arrival order,
        across items and responses). More than was received is clamped to it."""
        self._ledger.report(nbytes)
        if self._ledger.started:
            self._note_started()

    def mark(self, *, at: int | None = None) -> str:
        """Name a place in the playback stream and return the name.

        ``at`` is a byte offset (:attr:`AudioChunk.end` of the chunk just sent); by default,
        the end of the audio received so far. A phone bridge sends the name as a ``mark``
        after the media, and calls :meth:`mark_played` when the mark comes back.
        """
        return self._ledger.mark(at)

    def mark_played(self, name: str) -> bool:
        """Everything up to mark ``name`` was played (earlier marks are implied).

        Returns False, changing nothing, for a mark that is unknown or was discarded by an
        interrupt (Twilio returns the marks of cleared audio: they were not played).
        """
        found = self._ledger.mark_played(name)
        if self._ledger.started:
            self._note_started()
        return found

    def _note_started(self) -> None:
        """Tell the conversation when each response's audio started playing (its turn metrics
        then have the latency to the first audio played)."""
        started, self._ledger.started = self._ledger.started, []
        conversation = self.conversation
        if conversation is None:
            return
        now = time.monotonic()
        for _item_id, response_id, at in started:
            conversation.audio_played(response_id=response_id, at=now if at is None else at)

    # -- reading -------------------------------------------------------------------------------

    @property
    def position(self) -> ItemPosition | None:
        """The item playing now (the first with audio not yet played), else the last one."""
        self._ledger.estimate(time.monotonic())
        return self._ledger.current()

    @property
    def positions(self) -> dict[str, ItemPosition]:
        """Received and played milliseconds of each recent audio item, in arrival order."""
        self._ledger.estimate(time.monotonic())
        return self._ledger.positions()

    def position_of(self, item_id: str) -> ItemPosition | None:
        """The position of one item, if it is remembered."""
        self._ledger.estimate(time.monotonic())
        return self._ledger.position(item_id)

    @property
    def unplayed_ms(self) -> float:
        """Milliseconds of audio received and not played yet."""
        self._ledger.estimate(time.monotonic())
        return self._ledger.unplayed() / self._bytes_per_ms

    @property
    def is_playing(self) -> bool:
        """Whether assistant audio is playing or still to come: audio is unplayed, a response
        with audio output is in progress, or the server's own buffer is playing."""
        if self._server_playing or any(self._active.values()):
            return True
        self._ledger.estimate(time.monotonic())
        return self._ledger.unplayed() > 0

    @property
    def reports(self) -> bool:
        """Whether the output has reported progress (else the wall-clock estimate is used)."""
        return self._ledger.reported

    # -- interrupting ----------------------------------------------------------------------

    async def interrupt(self) -> Interruption:
        """Stop the assistant at what was heard.

        Calls the ``on_clear`` callbacks, sends ``response.cancel`` when a response is in
        progress and the server has not cancelled it already, ``output_audio_buffer.clear``
        on sessions with a server-side buffer, then truncates each audio item of the response
        at its played position (clamped to the audio received), or deletes it when nothing of
        it was played. Waits up to ``ack_timeout`` for the acknowledgements, so the
        conversation mirror matches when it returns.

        Idempotent: a call while one runs shares its result; a later call with nothing left
        to cut sends nothing. Never raises for the service's answers: a cancel that lost the
        race with the server is absorbed (logged at debug level), other refusals are in
        :attr:`Interruption.errors`.
        """
        if self._interrupting is not None and not self._interrupting.done():
            return await asyncio.shield(self._interrupting)
        task = self._interrupting = self._tasks.spawn(self._interrupt(), "interrupt")
        return await asyncio.shield(task)

    def _targets(self) -> tuple[str | None, list[ItemPosition], list[tuple[str, int]]]:
        ledger = self._ledger
        ledger.estimate(time.monotonic())
        cancel: str | None = None
        for rid in reversed(self._active):
            if rid not in self._server_cancelled and rid not in self._client_cancelled:
                cancel = rid
                break
        items: list[ItemPosition] = []
        heard: set[str] = set()
        for position in ledger.positions_all():
            if position.interrupted:
                continue
            heard.add(position.item_id)
            streaming = not position.audio_done and position.response_id in self._active
            if position.played_bytes < position.received_bytes or streaming:
                items.append(position)
        silent = [
            (item_id, 0)
            for rid, item_ids in self._announced.items()
            if self._active.get(rid)
            for item_id in item_ids
            if item_id not in heard
        ]
        return cancel, items, silent

    async def _interrupt(self) -> Interruption:
        cancel, items, silent = self._targets()
        ledger = self._ledger
        keys = {(p.item_id, p.content_index) for p in items} | set(silent)
        ledger.discard_unplayed(keys)
        for rid, _ in list(self._announced.items()):
            self._announced[rid] = [i for i in self._announced[rid] if (i, 0) not in silent]
        await self._run_clear_callbacks()
        clear = self.server_output_buffer and bool(self._server_playing or self._active)
        events = plan(cancel=cancel, clear_output_buffer=clear, items=items, silent_items=silent)
        if cancel is not None:
            self._client_cancelled.add(cancel)
        if not events:
            return Interruption()
        answers = await self._send_all(events)
        result = self._summarise(cancel, clear, events, answers)
        self.interruptions.append(result)
        self._log.info(
            "interrupted",
            response_id=cancel,
            truncated=result.truncated,
            deleted=list(result.deleted),
            errors=list(result.errors),
        )
        return result

    async def _run_clear_callbacks(self) -> None:
        for fn in list(self._clear_callbacks):
            try:
                outcome = fn()
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception as exc:  # the output's failure must not stop the interrupt
                self._log.warning("on_clear callback failed", error=repr(exc))

    async def _send_all(self, events: list[Any]) -> list[Any]:
        bus = self.bus
        waits = []
        try:
            for event in events:
                # The id is ours, so the wait can be armed before the event can be answered.
                event.event_id = f"rbplay{id(self):x}_{next(_event_ids)}"
                types, check = ack_of(event)
                waits.append(bus.expect(*types, check=check))
                await bus.send(event)
        except BusClosed:
            for exp in waits:
                exp.cancel()
            return [None] * len(events)
        answers: list[Any] = []
        for exp in waits:
            try:
                answers.append(await exp.wait(self.ack_timeout))
            except (TimeoutError, BusClosed, ConnectionLost) as exc:
                answers.append(exc)
        answers.extend([None] * (len(events) - len(answers)))
        return answers

    def _summarise(
        self, cancel: str | None, clear: bool, events: list[Any], answers: list[Any]
    ) -> Interruption:
        truncated: dict[str, int] = {}
        deleted: list[str] = []
        errors: list[str] = []
        lost_race = False
        for event, answer in zip(events, answers, strict=True):
            if type(answer) is ErrorEvent:
                code = answer.error.code
                if isinstance(event, ResponseCancel) and code in CANCEL_LOST_RACE:
                    lost_race = True
                    self._log.debug("cancel lost the race with the server", code=code)
                else:
                    errors.append(f"{event.type}: {answer.error.message}")
                continue
            if isinstance(answer, BaseException):
                errors.append(f"{event.type}: no acknowledgement ({type(answer).__name__})")
                continue
            if event.type == "conversation.item.truncate":
                truncated[event.item_id] = event.audio_end_ms
            elif event.type == "conversation.item.delete":
                deleted.append(event.item_id)
        return Interruption(
            response_id=cancel,
            cancelled=cancel is not None,
            cancel_lost_race=lost_race,
            cleared_output_buffer=clear,
            truncated=truncated,
            deleted=tuple(deleted),
            errors=tuple(errors),
        )

    # -- detaching -----------------------------------------------------------------------------

    async def close(self) -> None:
        """Unregister from the bus and stop the tasks this playback started."""
        for key, handler in self._handlers:
            self.bus.off(handler, key)
        self._watcher.detach()
        await self._tasks.stop()

    # -- bus events ------------------------------------------------------------------------

    def _on_session(self, event: Any) -> None:
        session = event.session
        audio = getattr(session, "audio", None)
        if isinstance(audio, AudioConfig):
            out = audio.output
            if isinstance(out, AudioOutputConfig):
                fmt = out.format
                g711 = isinstance(fmt, (AudioPCMU, AudioPCMA))
                self._bytes_per_ms = _G711_BYTES_PER_MS if g711 else _PCM_BYTES_PER_MS
            audio_in = audio.input
            turn = getattr(audio_in, "turn_detection", None)
            if isinstance(turn, (ServerVad, SemanticVad)):
                self._server_interrupts = turn.interrupt_response is not False
            elif turn is None and audio_in is not None:
                self._server_interrupts = False

    def _on_response_created(self, event: ResponseCreated) -> None:
        response = event.response
        rid = response.id
        if isinstance(rid, str):
            modalities = response.output_modalities
            self._active[rid] = not isinstance(modalities, list) or "audio" in modalities
            self._announced[rid] = []

    def _on_item_added(self, event: ResponseOutputItemAdded) -> None:
        item = event.item
        announced = self._announced.get(event.response_id)
        if announced is not None and isinstance(item, MessageItem) and isinstance(item.id, str):
            announced.append(item.id)

    def _accept(self, event: ResponseOutputAudioDelta) -> AudioChunk | None:
        span = self._ledger.add(
            event.item_id,
            event.response_id,
            event.content_index,
            _decoded_length(event.delta),
            self._bytes_per_ms,
            time.monotonic(),
        )
        if span is None:
            return None
        if self._ledger.started:
            self._note_started()
        return AudioChunk(
            item_id=event.item_id,
            response_id=event.response_id,
            content_index=event.content_index,
            audio=event.delta,
            start=span[0],
            end=span[1],
        )

    def _on_delta(self, event: ResponseOutputAudioDelta) -> None:
        chunk = self._accept(event)
        if chunk is not None:
            for fn in self._audio_callbacks:
                fn(chunk)

    async def _on_delta_async(self, event: ResponseOutputAudioDelta) -> None:
        chunk = self._accept(event)
        if chunk is not None:
            for fn in self._audio_callbacks:
                outcome = fn(chunk)
                if inspect.isawaitable(outcome):
                    await outcome

    def _on_audio_done(self, event: ResponseOutputAudioDone) -> None:
        self._ledger.audio_done(event.item_id, event.content_index)

    def _on_response_done(self, event: ResponseDone) -> None:
        self._ledger.estimate(time.monotonic())
        if self._ledger.started:
            self._note_started()
        rid = event.response.id
        if isinstance(rid, str):
            self._active.pop(rid, None)
            self._announced.pop(rid, None)
            self._server_cancelled.discard(rid)
            self._client_cancelled.discard(rid)

    def _on_buffer_started(self, event: Any) -> None:
        self._server_playing.add(event.response_id)

    def _on_buffer_stopped(self, event: Any) -> None:
        self._server_playing.discard(event.response_id)
        if not event.response_id:
            self._server_playing.clear()

    def _on_speech_started(self, event: InputAudioBufferSpeechStarted) -> None:
        if self._server_interrupts:
            # The server's turn detection cancels the default response itself.
            self._server_cancelled.update(self._active)

    def _on_reconnected(self, _event: Any) -> None:
        self._ledger.reset()
        self._active.clear()
        self._announced.clear()
        self._server_cancelled.clear()
        self._client_cancelled.clear()
        self._server_playing.clear()

    def _on_closed(self, _event: Any) -> None:
        self._watcher.detach()
        self._tasks.cancel()
