"""The outbound queue: bounded, ordered, batching, and it outlives a single connection.

- ``put`` waits for room (backpressure); ``put_nowait`` raises :class:`QueueFull`.
- Order is kept, except that control events (``response.cancel``,
  ``output_audio_buffer.clear``) overtake the audio appends queued at the tail: a barge-in should
  not wait behind seconds of queued microphone audio. They never overtake anything else.
- A session's configuration replay has a slot of its own at the front (:meth:`set_replay`):
  there is at most one, a newer one replaces an unwritten older one, and it takes no room
  from the events the application queues.
- ``take`` hands the writer the next frame; consecutive queued ``input_audio_buffer.append``
  events are merged into one frame (up to ``max_append_bytes`` of base64), which only ever
  happens to events that are already waiting, so merging never delays a frame.
"""

from __future__ import annotations

import binascii
from collections import deque

from ..protocol import ClientEvent, InputAudioBufferAppend, base64_from_pcm
from ._errors import BusClosed, QueueFull
from ._state import Flag

__all__ = ["OutboundQueue"]

PRIORITY_TYPES = frozenset({"response.cancel", "output_audio_buffer.clear"})
APPEND_TYPE = "input_audio_buffer.append"

MAX_APPEND_BASE64 = 15 * 1024 * 1024 * 4 // 3
"""The protocol accepts up to 15 MiB of audio in one append: this much base64."""


def merge_appends(events: list[InputAudioBufferAppend]) -> InputAudioBufferAppend:
    """One append carrying the audio of ``events`` in order (keeps the first ``event_id``).

    Base64 strings concatenate into valid base64 when every piece but the last encodes a
    multiple of 3 bytes (no ``=`` padding): true for 20 ms of PCM16 (960 bytes). Otherwise the
    audio is decoded and encoded again.
    """
    first = events[0]
    if all(not e.audio.endswith("=") for e in events[:-1]):
        audio = "".join(e.audio for e in events)
    else:
        audio = base64_from_pcm(b"".join(binascii.a2b_base64(e.audio) for e in events))
    return InputAudioBufferAppend(audio=audio, event_id=first.event_id)


class OutboundQueue:
    """A bounded queue of client events for the writer of the current connection."""

    __slots__ = (
        "_closed",
        "_empty",
        "_items",
        "_readable",
        "_replay",
        "_room",
        "_taken_replay",
        "coalesce",
        "frames_saved",
        "max_append_chars",
        "maxsize",
    )

    def __init__(
        self, maxsize: int = 1024, *, coalesce: bool = True, max_append_chars: int = 1 << 20
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.coalesce = coalesce
        self.max_append_chars = min(max_append_chars, MAX_APPEND_BASE64)
        self.frames_saved = 0
        self._items: deque[ClientEvent] = deque()
        self._replay: ClientEvent | None = None
        self._taken_replay: ClientEvent | None = None
        self._readable = Flag()
        self._room = Flag()
        self._room.set()
        self._empty = Flag()
        self._empty.set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._items) + (self._replay is not None)

    def put_nowait(self, event: ClientEvent) -> None:
        """Queue ``event`` or raise :class:`QueueFull` (then nothing was queued)."""
        if self._closed:
            raise BusClosed("the bus is closed")
        if len(self._items) >= self.maxsize:
            raise QueueFull(f"outbound queue is full ({self.maxsize} events)")
        self._insert(event)

    async def put(self, event: ClientEvent) -> None:
        """Queue ``event``, waiting while the queue is full."""
        while len(self._items) >= self.maxsize:
            if self._closed:
                raise BusClosed("the bus is closed")
            self._room.clear()
            await self._room.wait()
        if self._closed:
            raise BusClosed("the bus is closed")
        self._insert(event)

    def _insert(self, event: ClientEvent) -> None:
        items = self._items
        if event.type in PRIORITY_TYPES and items and items[-1].type == APPEND_TYPE:
            # Slip in before the run of appends at the tail, and no further.
            index = len(items)
            while index > 0 and items[index - 1].type == APPEND_TYPE:
                index -= 1
            items.insert(index, event)
        else:
            items.append(event)
        self._readable.set()
        self._empty.clear()

    def set_replay(self, event: ClientEvent) -> None:
        """Send ``event`` (a configuration replay) before anything else; replaces an older one
        not written yet."""
        self._replay = event
        self._readable.set()
        self._empty.clear()

    def requeue_front(self, event: ClientEvent) -> None:
        """Put back an event the writer took but could not write (the connection dropped)."""
        if event is self._taken_replay:
            self._taken_replay = None
            if self._replay is None:
                self._replay = event
        else:
            self._items.appendleft(event)
        self._readable.set()
        self._empty.clear()

    async def wait_empty(self) -> None:
        """Wait until the writer has taken everything queued."""
        await self._empty.wait()

    async def wait_readable(self) -> None:
        """Wait until there is something to take."""
        while not self._items and self._replay is None:
            if self._closed:
                raise BusClosed("the bus is closed")
            self._readable.clear()
            await self._readable.wait()

    def take(self) -> ClientEvent:
        """The next event to write (appends merged); the queue must not be empty."""
        items = self._items
        if self._replay is not None:
            event, self._replay = self._replay, None
            self._taken_replay = event
            if not items:
                self._empty.set()
            return event
        event = items.popleft()
        if self.coalesce and event.type == APPEND_TYPE and items and items[0].type == APPEND_TYPE:
            assert isinstance(event, InputAudioBufferAppend)
            run = [event]
            size = len(event.audio)
            while items and items[0].type == APPEND_TYPE:
                nxt = items[0]
                assert isinstance(nxt, InputAudioBufferAppend)
                if size + len(nxt.audio) > self.max_append_chars:
                    break
                size += len(nxt.audio)
                items.popleft()
                run.append(nxt)
            if len(run) > 1:
                self.frames_saved += len(run) - 1
                event = merge_appends(run)
        if len(items) < self.maxsize:
            self._room.set()
        if not items:
            self._empty.set()
        return event

    def close(self) -> list[ClientEvent]:
        """Refuse further events; returns what was still queued (not written)."""
        self._closed = True
        left = list(self._items)
        if self._replay is not None:
            left.insert(0, self._replay)
            self._replay = None
        self._items.clear()
        self._readable.set()
        self._room.set()
        self._empty.set()
        return left

    @property
    def closed(self) -> bool:
        """Whether the queue refuses new events."""
        return self._closed
