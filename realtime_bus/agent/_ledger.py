"""What of the assistant's audio was received and what was played: the sans-I/O bookkeeping.

Every byte of assistant audio takes a place in one playback stream, in arrival order, across
items and responses: the first byte of the second item follows the last byte of the first.
Two cursors move along that stream: ``received`` (the audio the server sent, kept for the
output) and ``played`` (what the output says it played, never beyond ``received``). An item's
received and played milliseconds follow from where its bytes sit in the stream, so a clock
that restarts at the second item's first delta cannot happen here.

The output reports progress in one of two ways: a byte count (:meth:`Ledger.played`) or marks
(:meth:`Ledger.mark` names a place in the stream; :meth:`Ledger.mark_played` says everything
up to it was played). When it reports neither, a wall-clock estimate stands in: audio is taken
to start playing as it arrives and to play in real time, pausing when the output runs dry,
which is what a player with an unbounded buffer does. The estimate never exceeds what was
received, and stops as soon as the output reports anything.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

__all__ = ["ItemPosition", "Ledger"]

_mark_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class ItemPosition:
    """Where the playback of one audio item stands.

    ``received_ms`` is the audio of the item that arrived (and was not discarded by an
    interrupt); ``played_ms`` is what the output played of it (reported, or estimated from the
    wall clock when the output reports nothing), never more than ``received_ms``.
    """

    item_id: str
    response_id: str
    content_index: int
    received_bytes: int
    played_bytes: int
    bytes_per_ms: int
    audio_done: bool
    """The server said this item's audio is complete."""
    interrupted: bool
    """An interrupt cut this item; later audio for it is ignored."""

    @property
    def received_ms(self) -> float:
        """Milliseconds of the item's audio received."""
        return self.received_bytes / self.bytes_per_ms

    @property
    def played_ms(self) -> float:
        """Milliseconds of the item's audio played."""
        return self.played_bytes / self.bytes_per_ms

    @property
    def unplayed_ms(self) -> float:
        """Milliseconds received but not played yet."""
        return (self.received_bytes - self.played_bytes) / self.bytes_per_ms


class _Item:
    __slots__ = (
        "audio_done",
        "bytes_per_ms",
        "content_index",
        "interrupted",
        "item_id",
        "played",
        "received",
        "response_id",
    )

    def __init__(self, item_id: str, response_id: str, content_index: int, bpm: int) -> None:
        self.item_id = item_id
        self.response_id = response_id
        self.content_index = content_index
        self.bytes_per_ms = bpm
        self.received = 0
        self.played = 0
        self.audio_done = False
        self.interrupted = False

    def snapshot(self, partial: int) -> ItemPosition:
        return ItemPosition(
            item_id=self.item_id,
            response_id=self.response_id,
            content_index=self.content_index,
            received_bytes=self.received,
            played_bytes=self.played + partial,
            bytes_per_ms=self.bytes_per_ms,
            audio_done=self.audio_done,
            interrupted=self.interrupted,
        )


class _Segment:
    """A run of consecutive bytes of one item in the playback stream."""

    __slots__ = ("end", "item", "start")

    def __init__(self, item: _Item, start: int) -> None:
        self.item = item
        self.start = start
        self.end = start


class Ledger:
    """The playback stream's bookkeeping (no I/O, no clock of its own: callers pass ``now``).

    ``keep_items`` bounds how many items' positions are remembered once fully played.
    """

    def __init__(self, *, keep_items: int = 64) -> None:
        self.received = 0
        """Bytes of assistant audio placed in the playback stream so far."""
        self.played = 0
        """Bytes of the playback stream played so far (``<= received``)."""
        self.reported = False
        """Whether the output has reported progress (then the wall clock is no longer used)."""
        self._items: dict[tuple[str, int], _Item] = {}
        self._segments: deque[_Segment] = deque()
        self._marks: deque[tuple[str, int]] = deque()
        self._keep = keep_items
        self._finished: deque[tuple[str, int]] = deque()
        self._clock_end = 0.0
        self._clock_bpm = 48
        self.started: list[tuple[str, str, float | None]] = []
        """Items whose first byte started playing since last read: (item id, response id,
        when, or ``None`` for "just now"). The reader empties it."""
        self._provisional: list[tuple[str, str, float]] = []

    # -- audio in ------------------------------------------------------------------------------

    def add(
        self, item_id: str, response_id: str, content_index: int, nbytes: int, bpm: int, now: float
    ) -> tuple[int, int] | None:
        """Place ``nbytes`` of an item's audio at the end of the stream.

        Returns the stream offsets ``(start, end)`` it occupies, or ``None`` when the item was
        interrupted (its late audio is not to be played).
        """
        key = (item_id, content_index)
        item = self._items.get(key)
        if item is None:
            item = self._items[key] = _Item(item_id, response_id, content_index, bpm)
        if item.interrupted:
            return None
        tail = self._segments[-1] if self._segments else None
        if tail is None or tail.item is not item:
            tail = _Segment(item, self.received)
            self._segments.append(tail)
        start = self.received
        self._settle_provisional(now)
        if item.received == 0 and not self.reported:
            # By the wall clock, it starts once the audio before it has played; that counts
            # only if the output still has not reported by then.
            self._provisional.append((item_id, response_id, max(self._clock_end, now)))
        tail.end += nbytes
        item.received += nbytes
        self.received += nbytes
        self._clock_end = max(self._clock_end, now) + nbytes / (bpm * 1000)
        self._clock_bpm = bpm
        return start, self.received

    def audio_done(self, item_id: str, content_index: int) -> None:
        """The server finished the item's audio."""
        item = self._items.get((item_id, content_index))
        if item is not None:
            item.audio_done = True

    # -- progress ------------------------------------------------------------------------------

    def report(self, nbytes: int) -> int:
        """The output played ``nbytes`` more bytes; returns the played cursor."""
        if nbytes < 0:
            raise ValueError(f"played bytes cannot be negative, got {nbytes}")
        self.reported = True
        self._advance(self.played + nbytes)
        return self.played

    def mark(self, at: int | None = None) -> str:
        """Name the stream position ``at`` (default: the end of what was received)."""
        offset = self.received if at is None else at
        if not 0 <= offset <= self.received:
            raise ValueError(f"a mark must lie within the audio received (0..{self.received})")
        name = f"rb-mark-{next(_mark_ids)}"
        self._marks.append((name, offset))
        return name

    def mark_played(self, name: str) -> bool:
        """Everything up to mark ``name`` was played. False for a mark unknown or discarded."""
        if all(known != name for known, _ in self._marks):
            return False
        while True:
            known, offset = self._marks.popleft()
            if known == name:
                break
        self.reported = True
        self._advance(offset)
        return True

    @property
    def pending_marks(self) -> int:
        """Marks named but not acknowledged yet."""
        return len(self._marks)

    def estimate(self, now: float) -> None:
        """Move the played cursor by the wall clock, if the output has never reported."""
        self._settle_provisional(now)
        if self.reported:
            return
        ahead = max(0.0, self._clock_end - now) * self._clock_bpm * 1000
        self._advance(self.received - int(ahead + 0.999))

    def _settle_provisional(self, now: float) -> None:
        if not self._provisional:
            return
        if self.reported:
            self._provisional.clear()
            return
        due = [entry for entry in self._provisional if entry[2] <= now]
        if due:
            self.started.extend(due)
            self._provisional = [entry for entry in self._provisional if entry[2] > now]

    def _advance(self, cursor: int) -> None:
        cursor = min(cursor, self.received)
        if cursor <= self.played:
            return
        if self.reported:
            for segment in self._segments:
                if segment.start >= cursor:
                    break
                item = segment.item
                if item.played == 0 and segment.start >= self.played:
                    self.started.append((item.item_id, item.response_id, None))
        self.played = cursor
        segments = self._segments
        while segments and segments[0].end <= cursor:
            done = segments.popleft()
            done.item.played += done.end - done.start
            done.start = done.end
            self._retire(done.item)

    def _retire(self, item: _Item) -> None:
        """Once an item has no audio left to play, it counts towards ``keep_items``."""
        if any(s.item is item for s in self._segments):
            return
        key = (item.item_id, item.content_index)
        if key in self._finished:
            return
        self._finished.append(key)
        while len(self._finished) > self._keep:
            self._items.pop(self._finished.popleft(), None)

    # -- interrupting --------------------------------------------------------------------------

    def discard_unplayed(self, item_keys: set[tuple[str, int]]) -> None:
        """Drop the audio not played yet (the output flushed it), forget pending marks, and
        ignore later audio of ``item_keys``. The stream continues from the played cursor."""
        for key in item_keys:
            item = self._items.get(key)
            if item is not None:
                item.interrupted = True
        for segment in self._segments:
            played = max(0, min(self.played, segment.end) - segment.start)
            segment.item.played += played
            segment.item.received -= segment.end - segment.start - played
        segments = list(self._segments)
        self._segments.clear()
        for segment in segments:
            self._retire(segment.item)
        self._marks.clear()
        self.received = self.played
        self._clock_end = 0.0

    def reset(self) -> None:
        """Forget the items (a new session: its items are not the old ones)."""
        self.discard_unplayed(set())
        self._items.clear()
        self._finished.clear()

    # -- reading -------------------------------------------------------------------------------

    def unplayed(self) -> int:
        """Bytes received and not played."""
        return self.received - self.played

    def position(self, item_id: str, content_index: int | None = None) -> ItemPosition | None:
        """The position of one item (its first audio part unless ``content_index`` says)."""
        for (known, index), item in self._items.items():
            if known == item_id and (content_index is None or index == content_index):
                return item.snapshot(self._partial(item))
        return None

    def positions(self) -> dict[str, ItemPosition]:
        """Every remembered item's position, in arrival order (keyed by item id)."""
        out: dict[str, ItemPosition] = {}
        for (item_id, _), item in self._items.items():
            out.setdefault(item_id, item.snapshot(self._partial(item)))
        return out

    def positions_all(self) -> list[ItemPosition]:
        """Every remembered audio part's position, in arrival order."""
        return [item.snapshot(self._partial(item)) for item in self._items.values()]

    def current(self) -> ItemPosition | None:
        """The item playing now: the first with audio not played yet, else the last one."""
        if self._segments:
            item = self._segments[0].item
            return item.snapshot(self._partial(item))
        if self._items:
            item = next(reversed(self._items.values()))
            return item.snapshot(self._partial(item))
        return None

    def items_of(self, response_id: str) -> list[ItemPosition]:
        """The positions of the audio items of one response, in arrival order."""
        return [
            item.snapshot(self._partial(item))
            for item in self._items.values()
            if item.response_id == response_id
        ]

    def _partial(self, item: _Item) -> int:
        """Played bytes of ``item`` inside segments still in the stream."""
        total = 0
        for segment in self._segments:
            if segment.start >= self.played:
                break
            if segment.item is item:
                total += min(self.played, segment.end) - segment.start
        return total
