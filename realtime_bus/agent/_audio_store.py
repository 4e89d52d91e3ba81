"""Audio kept by the conversation mirror, and the retention policy that bounds it.

Audio deltas arrive base64-encoded. The mirror keeps the delta strings as they came (no copy,
no decoding on the hot path) and decodes only when someone reads the audio. The retention
policy is counted in milliseconds of audio across the whole conversation: when more than the
limit is held, the oldest chunks are let go first.
"""

from __future__ import annotations

import binascii
import math
from bisect import bisect_left
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._model import Part

__all__ = [
    "DEFAULT_RETENTION",
    "AudioRetention",
    "AudioStore",
    "bytes_per_ms",
    "keep_first",
    "pcm_size",
]


@dataclass(frozen=True, slots=True)
class AudioRetention:
    """How much audio the mirror keeps as PCM.

    ``seconds`` is the most audio kept, counted over every item together, newest kept (it is
    let go in batches: up to 250 ms, or 2%, more may be held for a moment); ``None`` keeps all
    of it, ``0`` none. :meth:`none`, :meth:`last` and :meth:`all` read
    better at the call site. Durations, transcripts and text are kept whatever the policy.
    """

    seconds: float | None

    def __post_init__(self) -> None:
        if self.seconds is not None and not self.seconds >= 0:
            raise ValueError(f"retention seconds must be >= 0 or None, got {self.seconds!r}")

    @classmethod
    def none(cls) -> AudioRetention:
        """Keep no audio (durations only)."""
        return cls(0.0)

    @classmethod
    def last(cls, seconds: float) -> AudioRetention:
        """Keep the last ``seconds`` of audio."""
        return cls(float(seconds))

    @classmethod
    def all(cls) -> AudioRetention:
        """Keep all audio (memory grows with the conversation)."""
        return cls(None)


DEFAULT_RETENTION = AudioRetention(120.0)
"""The default: the last two minutes of audio, about 7.7 MB as kept (base64 of 24 kHz PCM16)."""

_NO_MARK = float("inf")

_FORMAT_BYTES_PER_MS = {"audio/pcm": 48.0, "audio/pcmu": 8.0, "audio/pcma": 8.0}


def bytes_per_ms(audio_format: str | None) -> float:
    """Bytes of audio per millisecond in a session audio format (PCM16 at 24 kHz by default)."""
    return _FORMAT_BYTES_PER_MS.get(audio_format or "audio/pcm", 48.0)


def pcm_size(chunk: str | bytes) -> int:
    """The decoded size of a base64 string (or the size of raw bytes), without decoding."""
    if isinstance(chunk, bytes) or not chunk:
        return len(chunk)
    return len(chunk) * 3 // 4 - (chunk[-1] == "=") - (chunk[-2] == "=")


def decode_chunk(chunk: str | bytes) -> bytes:
    """A kept chunk as PCM bytes."""
    return chunk if isinstance(chunk, bytes) else binascii.a2b_base64(chunk)


def keep_first(part: Part, size: int) -> None:
    """Cut ``part``'s kept chunks down to their first ``size`` PCM bytes (kept audio starts at
    ``part.dropped_bytes``), decoding at most one chunk: the one the cut falls in."""
    chunks, ends = part.chunks, part.chunk_ends
    if size <= 0:
        chunks.clear()
        ends.clear()
        return
    limit = part.dropped_bytes + size
    cut = bisect_left(ends, limit)  # the first chunk that ends at the limit or past it
    if cut == len(ends):
        return
    if ends[cut] > limit:
        start = ends[cut - 1] if cut else part.dropped_bytes
        chunks[cut] = decode_chunk(chunks[cut])[: limit - start]
        ends[cut] = limit
    del chunks[cut + 1 :]
    del ends[cut + 1 :]


class AudioStore:
    """The conversation's kept audio: the parts holding it, oldest first.

    Parts are let go oldest first, chunk by chunk; audio arrives one part at a time, so the
    order of parts is the order of their audio. Each part records where each of its chunks
    ends (:attr:`Part.chunk_ends`), so a trim finds the chunks to let go by bisection.
    Trimming happens in batches, once a little more than the limit is held (the larger of
    250 ms and 2% over), so that keeping audio costs next to nothing per delta.
    """

    __slots__ = ("held_ms", "high_ms", "keeps", "limit_ms", "mark", "order", "run")

    def __init__(self, retention: AudioRetention) -> None:
        limit = None if retention.seconds is None else retention.seconds * 1000.0
        self.limit_ms = limit
        self.keeps = limit is None or limit > 0
        """Whether any audio is kept at all."""
        self.high_ms = float("inf") if limit is None else limit + max(250.0, limit * 0.02)
        self.held_ms = 0.0
        """The audio held, less what the run's part received since :attr:`mark`."""
        self.order: deque[Part] = deque()
        self.run: Part | None = None
        """The part receiving deltas: the mirror counts its bytes, the store's figures lag."""
        self.mark = 0
        """The run's ``audio_bytes`` already counted in :attr:`held_ms`."""

    def held(self) -> float:
        """Milliseconds of audio kept right now (reads only: safe from another thread)."""
        run = self.run
        if run is None:
            return self.held_ms
        return self.held_ms + (run.audio_bytes - self.mark) / run.bytes_per_ms

    def start_run(self, part: Part) -> float:
        """``part`` receives the deltas from now on: the mirror appends its chunks and their
        ends and counts its ``audio_bytes`` (no figure of the store per delta). Returns the
        ``audio_bytes`` of ``part`` past which :meth:`over` is due (a countdown in the part's
        own bytes)."""
        self.end_run()
        if not part.chunks:  # its first chunk comes next: the part is the newest
            self.order.append(part)
        self.run = part
        self.mark = part.audio_bytes
        high = part.audio_bytes + (self.high_ms - self.held_ms) * part.bytes_per_ms
        # A whole number of bytes when there is a mark: the delta compares ints, which the
        # interpreter does inline (an int against a float is a call, out of cache per delta).
        return math.floor(high) if high < _NO_MARK else high

    def end_run(self) -> None:
        """Count the run's bytes and end it (before anything else changes kept audio)."""
        run = self.run
        if run is not None:
            self.held_ms += (run.audio_bytes - self.mark) / run.bytes_per_ms
            self.run = None

    def over(self) -> float:
        """The run's part went past the mark :meth:`start_run` gave: trim, and the next mark."""
        run = self.run
        assert run is not None
        self.end_run()
        self.trim()
        return self.start_run(run)

    def add(self, part: Part, chunk: str | bytes, size: int) -> None:
        """Keep ``chunk``, the last ``size`` PCM bytes of ``part``'s ``audio_bytes`` (not a
        run's part: see :meth:`start_run`)."""
        if not part.chunks:
            self.order.append(part)
        part.chunks.append(chunk)
        part.chunk_ends.append(part.audio_bytes)
        self.held_ms += size / part.bytes_per_ms
        if self.held_ms > self.high_ms:
            self.trim()

    def trim(self) -> None:
        """Let the oldest audio go until no more than the limit is held."""
        limit = self.limit_ms or 0.0
        order = self.order
        held = self.held_ms
        while held > limit and order:
            part = order[0]
            per_ms = part.bytes_per_ms
            dropped = part.dropped_bytes
            kept = part.audio_bytes - dropped
            if held - kept / per_ms >= limit:  # all of it goes
                held -= kept / per_ms
                part.dropped_bytes = part.audio_bytes
                part.chunks.clear()
                part.chunk_ends.clear()
                order.popleft()
                continue
            # The oldest chunks that hold (held - limit) ms, found among the chunks' ends and
            # let go at once (each chunk ever kept goes through here: no Python per chunk).
            need = (held - limit) * per_ms
            ends = part.chunk_ends
            last = bisect_left(ends, dropped + need)
            if last and ends[last - 1] - dropped >= need:
                last -= 1  # dropped + need was rounded up
            elif last < len(ends) - 1 and ends[last] - dropped < need:
                last += 1  # or down
            elif last == len(ends):
                last -= 1  # or past the last chunk's end: all of them go
            gone = ends[last] - dropped
            del part.chunks[: last + 1]
            del ends[: last + 1]
            part.dropped_bytes = dropped + gone
            held -= gone / per_ms
            if not ends:
                order.popleft()
        self.held_ms = held

    def release(self, part: Part, size: int) -> None:
        """Account for ``size`` kept bytes that ``part`` gave up (truncation, deletion; not
        during a run: see :meth:`end_run`)."""
        self.held_ms = max(0.0, self.held_ms - size / part.bytes_per_ms)
