"""Which speech led to which response, and when each step of the turn arrived."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..protocol import Usage
from ._metrics import SessionMetrics, TurnMetrics, stamp
from ._pricing import ModelPrice, cost_of, price_for

__all__ = ["TurnTracker"]


class TurnTracker:
    """Builds one :class:`TurnMetrics` per response, fed by the conversation mirror."""

    __slots__ = (
        "_audio_end_ms",
        "_speech_started",
        "_speech_stopped",
        "metrics",
        "model",
        "open",
        "pricing",
        "silence_duration_ms",
    )

    def __init__(self, pricing: Mapping[str, ModelPrice]) -> None:
        self.pricing = pricing
        self.model: str | None = None
        self.silence_duration_ms: int | None = None
        self.open: dict[str, TurnMetrics] = {}
        self.metrics = SessionMetrics()
        self._speech_started: float | None = None
        self._speech_stopped: float | None = None
        self._audio_end_ms: int | None = None

    def speech_started(self, at: float) -> None:
        """The user started speaking (a new turn begins; older speech is forgotten)."""
        self._speech_started = at
        self._speech_stopped = None
        self._audio_end_ms = None

    def speech_stopped(self, at: float, audio_end_ms: int) -> None:
        """The server's VAD declared the end of user speech."""
        self._speech_stopped = at
        self._audio_end_ms = audio_end_ms

    def created(self, response_id: str, at: float, *, out_of_band: bool) -> TurnMetrics:
        """A response started; an in-band one takes the speech that preceded it."""
        turn = TurnMetrics(
            response_id=response_id,
            model=self.model,
            out_of_band=out_of_band,
            response_created_at=at,
            silence_duration_ms=self.silence_duration_ms,
        )
        if not out_of_band and self._speech_stopped is not None:
            turn.speech_started_at = self._speech_started
            turn.speech_stopped_at = self._speech_stopped
            turn.audio_end_ms = self._audio_end_ms
            self._speech_started = self._speech_stopped = None
            self._audio_end_ms = None
        self.open[response_id] = turn
        return turn

    def text(self, response_id: str, event: Any) -> None:
        """A text (or transcript, or arguments) delta arrived."""
        self._first(response_id, event, "first_text_at")

    def audio(self, response_id: str, event: Any) -> None:
        """An audio delta arrived."""
        self._first(response_id, event, "first_audio_at")

    def _first(self, response_id: str, event: Any, field: str) -> None:
        """Stamp the turn's first delta of a kind (``field``), and its first delta at all."""
        turn = self.open.get(response_id)
        if turn is not None and getattr(turn, field) is None:
            at = stamp(event)
            setattr(turn, field, at)
            if turn.first_delta_at is None:
                turn.first_delta_at = at

    def played(self, response_id: str, at: float) -> None:
        """The application reports that audio of ``response_id`` started playing."""
        turn = self.open.get(response_id)
        if turn is None:
            for done in reversed(self.metrics.turns[-8:]):
                if done.response_id == response_id:
                    turn = done
                    break
        if turn is not None and turn.first_played_at is None:
            turn.first_played_at = at

    def done(
        self, response_id: str, at: float, status: str, usage: Usage | None, audio_ms: float
    ) -> TurnMetrics | None:
        """The response is done: finish its turn and add it to the session's totals."""
        turn = self.open.pop(response_id, None)
        if turn is None:
            return None
        turn.done_at = at
        turn.status = status
        turn.usage = usage
        turn.audio_ms = audio_ms
        turn.cost = cost_of(usage, price_for(turn.model, self.pricing))
        self.metrics.add(turn)
        return turn
