"""Turn metrics: when each step of a turn happened, what it cost, and the session's totals.

Every time here is ``time.monotonic()`` seconds, taken from the receive time the bus stamps on
each frame (``event.received``), so figures measure the network and the model, not handlers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from msgspec import UNSET

from ..protocol import Usage
from ._pricing import Cost

__all__ = ["SessionMetrics", "TurnMetrics", "UsageTotals"]


def _ms(start: float | None, end: float | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start) * 1000.0


@dataclass(eq=False, slots=True)
class TurnMetrics:
    """The figures of one turn: a response, and the user speech that led to it.

    Times are monotonic seconds of arrival. ``speech_stopped_at`` is when
    ``input_audio_buffer.speech_stopped`` arrived; its ``audio_end_ms`` (position in the input
    audio) *includes* the VAD's ``silence_duration_ms`` (the server only declares the end of
    speech after that much silence), and so does ``voice_to_voice_ms``, measured from that
    arrival: the user stopped talking about ``silence_duration_ms`` earlier. ``cost`` is
    ``None`` when the model is not in the pricing table or the usage lacks details.
    ``first_played_at`` is set when the application reports playback
    (:meth:`Conversation.audio_played`).
    """

    response_id: str
    model: str | None = None
    out_of_band: bool = False
    status: str = "in_progress"
    speech_started_at: float | None = None
    speech_stopped_at: float | None = None
    audio_end_ms: int | None = None
    silence_duration_ms: int | None = None
    response_created_at: float | None = None
    first_delta_at: float | None = None
    first_text_at: float | None = None
    first_audio_at: float | None = None
    first_played_at: float | None = None
    done_at: float | None = None
    audio_ms: float = 0.0
    usage: Usage | None = None
    cost: Cost | None = None

    @property
    def voice_to_voice_ms(self) -> float | None:
        """From the end of user speech (``speech_stopped`` arrival) to the first assistant
        audio delta; ``None`` for a turn without both (a text turn)."""
        return _ms(self.speech_stopped_at, self.first_audio_at)

    @property
    def ttft_ms(self) -> float | None:
        """From ``response.created`` to the first output delta (text, audio, transcript or
        function arguments)."""
        return _ms(self.response_created_at, self.first_delta_at)

    @property
    def duration_ms(self) -> float | None:
        """From ``response.created`` to ``response.done``."""
        return _ms(self.response_created_at, self.done_at)

    @property
    def voice_to_played_ms(self) -> float | None:
        """From the end of user speech to the first audio actually played (when reported)."""
        return _ms(self.speech_stopped_at, self.first_played_at)

    @property
    def created_to_played_ms(self) -> float | None:
        """From ``response.created`` to the first audio played (when reported)."""
        return _ms(self.response_created_at, self.first_played_at)


@dataclass(slots=True)
class UsageTotals:
    """Token counts summed over responses."""

    total_tokens: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    input_text_tokens: int = 0
    input_audio_tokens: int = 0
    input_image_tokens: int = 0
    cached_tokens: int = 0
    cached_text_tokens: int = 0
    cached_audio_tokens: int = 0
    output_text_tokens: int = 0
    output_audio_tokens: int = 0

    def add(self, usage: Usage) -> None:
        """Add one response's usage (a count unset or ``null`` adds 0: ``UNSET`` is false)."""
        self.total_tokens += usage.total_tokens or 0
        self.input_tokens += usage.input_tokens or 0
        self.output_tokens += usage.output_tokens or 0
        details = usage.input_token_details
        if details is not UNSET and details is not None:
            self.input_text_tokens += details.text_tokens or 0
            self.input_audio_tokens += details.audio_tokens or 0
            self.input_image_tokens += details.image_tokens or 0
            self.cached_tokens += details.cached_tokens or 0
            cached = details.cached_tokens_details
            if cached is not UNSET and cached is not None:
                self.cached_text_tokens += cached.text_tokens or 0
                self.cached_audio_tokens += cached.audio_tokens or 0
        out = usage.output_token_details
        if out is not UNSET and out is not None:
            self.output_text_tokens += out.text_tokens or 0
            self.output_audio_tokens += out.audio_tokens or 0


@dataclass(eq=False, slots=True)
class SessionMetrics:
    """Totals over the conversation's turns (``conversation.metrics``).

    ``cost`` sums the turns that could be priced; ``unpriced_turns`` counts those that could
    not (unknown model, usage without details), so a total is never silently short:
    :attr:`cost_complete` says whether every turn was priced.
    """

    turns: list[TurnMetrics] = field(default_factory=list)
    usage: UsageTotals = field(default_factory=UsageTotals)
    cost: Cost = field(default_factory=lambda: Cost(0.0, 0.0, 0.0))
    priced_turns: int = 0
    unpriced_turns: int = 0

    @property
    def cost_complete(self) -> bool:
        """Whether every turn with usage could be priced."""
        return self.unpriced_turns == 0

    def add(self, turn: TurnMetrics) -> None:
        """Count a finished turn."""
        self.turns.append(turn)
        if turn.usage is not None:
            self.usage.add(turn.usage)
            if turn.cost is None:
                self.unpriced_turns += 1
            else:
                self.priced_turns += 1
                self.cost = self.cost + turn.cost

    def values(self, name: str) -> list[float]:
        """One figure (``"voice_to_voice_ms"``, ``"ttft_ms"``, ...) of every turn that has it."""
        found = (getattr(turn, name) for turn in self.turns)
        return [v for v in found if v is not None]

    def percentile(self, name: str, q: float) -> float | None:
        """The ``q``-th percentile (0-100, nearest rank) of a figure, or ``None`` if none."""
        values = sorted(self.values(name))
        if not values:
            return None
        rank = max(0, min(len(values) - 1, round(q / 100.0 * len(values) + 0.5) - 1))
        return values[rank]


def stamp(event: Any) -> float:
    """The event's receive time, or now for events that did not come through a bus."""
    received = event.received
    return received if isinstance(received, float) else time.monotonic()
