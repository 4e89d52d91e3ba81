"""Pacing a session's output: audio deltas against the clock, transcripts in step with them.

A response's audio and a translation's audio go out alike: each delta is due ``seconds *
realtime_factor`` after the one before it, measured against the loop's clock so that the time
spent sending does not add up; at ``realtime_factor`` 0 deltas go out as fast as the client
reads them. The words of a transcript go out with the audio chunk that carries them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._port import Outlet, Pacing

__all__ = ["Pacer", "in_step", "words"]


class Pacer:
    """Spaces one session's output deltas (read ``realtime_factor`` at each one)."""

    __slots__ = ("_due", "_outlet", "_pacing", "_sent")

    def __init__(self, pacing: Pacing, outlet: Outlet) -> None:
        self._pacing = pacing
        self._outlet = outlet
        self._sent = 0
        self._due = 0.0

    async def pace(self, seconds: float) -> None:
        """Wait until the output so far is due (``seconds`` more of it was just sent)."""
        factor = self._pacing.realtime_factor
        if factor > 0 and seconds > 0:
            # Against a clock, so that pacing does not drift by the time spent sending.
            now = asyncio.get_running_loop().time()
            self._due = max(self._due, now) + seconds * factor
            await asyncio.sleep(self._due - now)
            return
        # As fast as possible: many deltas per write; yield to the loop between batches (so a
        # cancel is read promptly) and wait whenever the client is slow.
        self._sent += 1
        outlet = self._outlet
        if self._sent % 32 == 0 or not outlet.writable:
            await outlet.cooperate()


def words(text: str) -> list[str]:
    """``"a b c"`` -> ``["a", " b", " c"]``: deltas that join back to the text."""
    parts = text.split(" ")
    return [p if i == 0 else " " + p for i, p in enumerate(parts)]


def in_step(parts: list[str], chunks: int) -> Iterator[str]:
    """For each of ``chunks`` audio chunks, the transcript ``parts`` it carries, joined (``""``
    for a chunk that carries none): spread evenly, the last chunk ending the transcript."""
    sent = 0
    for index in range(chunks):
        due = len(parts) * (index + 1) // chunks
        yield "".join(parts[sent:due])
        sent = due
