"""OpenTelemetry for the agent layer: a span per turn, latency histograms, token and cost counters.

Needs the ``otel`` extra (``pip install "realtime-bus[otel]"``, which brings
``opentelemetry-api``); the application configures the SDK and exporters as usual::

    from realtime_bus.agent.otel import TurnTelemetry

    conversation = Conversation(bus)
    TurnTelemetry(bus)          # subscribes to agent.turn

Each ``agent.turn`` becomes one span named ``realtime.turn`` that starts when the user's speech
ended (or at ``response.created`` for a turn without speech) and ends at ``response.done``,
with the turn's figures as attributes and its steps as span events. Latency to first played
audio is included when the application reported playback before the response was done.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace
from opentelemetry.trace import Status, StatusCode

from ._events import AgentTurn
from ._metrics import TurnMetrics

if TYPE_CHECKING:
    from ..bus import Bus
    from ..sync import SyncBus

__all__ = ["TurnTelemetry"]

_SCOPE = "realtime_bus.agent"

_FIGURES = (
    ("voice_to_voice_ms", "realtime.turn.voice_to_voice"),
    ("ttft_ms", "realtime.turn.ttft"),
    ("duration_ms", "realtime.turn.duration"),
    ("voice_to_played_ms", "realtime.turn.voice_to_played"),
)
"""TurnMetrics figure -> histogram (milliseconds); each is also a span attribute."""

_STEPS = (
    ("speech_stopped_at", "speech_stopped"),
    ("response_created_at", "response.created"),
    ("first_text_at", "first_text_delta"),
    ("first_audio_at", "first_audio_delta"),
    ("first_played_at", "first_audio_played"),
)


def _tokens(usage: Any) -> dict[tuple[str, str], int]:
    """Token counts by (direction, modality) from a usage object."""
    found: dict[tuple[str, str], int] = {}
    for direction, details in (
        ("input", getattr(usage, "input_token_details", None)),
        ("output", getattr(usage, "output_token_details", None)),
    ):
        for modality in ("text", "audio", "image"):
            value = getattr(details, f"{modality}_tokens", None)
            if isinstance(value, int) and value:
                found[(direction, modality)] = value
    cached = getattr(getattr(usage, "input_token_details", None), "cached_tokens", None)
    if isinstance(cached, int) and cached:
        found[("cached_input", "all")] = cached
    return found


class TurnTelemetry:
    """Reports every ``agent.turn`` of ``bus`` to OpenTelemetry.

    ``tracer_provider`` and ``meter_provider`` default to the global ones; ``attributes`` are
    added to every span and measurement (a deployment name, say). :meth:`record` takes a
    :class:`TurnMetrics` directly, for turns collected elsewhere.
    """

    def __init__(
        self,
        bus: Bus | SyncBus | None = None,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> None:
        self.attributes = dict(attributes or {})
        self._tracer = trace.get_tracer(_SCOPE, tracer_provider=tracer_provider)
        meter = metrics.get_meter(_SCOPE, meter_provider=meter_provider)
        self._histograms = {
            name: meter.create_histogram(metric, unit="ms", description=f"Turn {name[:-3]}")
            for name, metric in _FIGURES
        }
        self._turns = meter.create_counter("realtime.turns", description="Turns, by status")
        self._tokens = meter.create_counter(
            "realtime.tokens", unit="{token}", description="Tokens by direction and modality"
        )
        self._cost = meter.create_counter(
            "realtime.cost", unit="USD", description="Cost of priced turns"
        )
        self._bus = bus
        if bus is not None:
            bus.on(AgentTurn)(self._on_turn)

    def close(self) -> None:
        """Stop listening to the bus."""
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.off(self._on_turn)

    def _on_turn(self, event: AgentTurn) -> None:
        self.record(event.metrics)

    def record(self, turn: TurnMetrics) -> None:
        """Report one turn: its span, histograms and counters."""
        offset = time.time_ns() - time.monotonic_ns()

        def wall(at: float | None) -> int | None:
            return None if at is None else int(at * 1e9) + offset

        common: dict[str, Any] = {**self.attributes, "realtime.status": turn.status}
        if turn.model:
            common["gen_ai.request.model"] = turn.model
        start = wall(turn.speech_stopped_at or turn.response_created_at)
        span = self._tracer.start_span(
            "realtime.turn", start_time=start, attributes=self._span_attributes(turn, common)
        )
        for attr, name in _STEPS:
            at = wall(getattr(turn, attr))
            if at is not None:
                span.add_event(name, timestamp=at)
        if turn.status == "failed":
            span.set_status(Status(StatusCode.ERROR, "response failed"))
        span.end(end_time=wall(turn.done_at))

        for name, _metric in _FIGURES:
            value = getattr(turn, name)
            if value is not None:
                self._histograms[name].record(value, common)
        self._turns.add(1, common)
        if turn.usage is not None:
            for (direction, modality), count in _tokens(turn.usage).items():
                where = {"realtime.direction": direction, "realtime.modality": modality}
                self._tokens.add(count, {**common, **where})
        if turn.cost is not None:
            self._cost.add(turn.cost.total, common)

    def _span_attributes(self, turn: TurnMetrics, common: dict[str, Any]) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            **common,
            "gen_ai.system": "openai",
            "realtime.response_id": turn.response_id,
            "realtime.out_of_band": turn.out_of_band,
            "realtime.audio_ms": turn.audio_ms,
        }
        for name, _metric in _FIGURES:
            value = getattr(turn, name)
            if value is not None:
                attrs[f"realtime.{name}"] = value
        if turn.audio_end_ms is not None:
            attrs["realtime.audio_end_ms"] = turn.audio_end_ms
        if turn.silence_duration_ms is not None:
            attrs["realtime.silence_duration_ms"] = turn.silence_duration_ms
        usage = turn.usage
        if usage is not None:
            for field, attr in (
                ("input_tokens", "gen_ai.usage.input_tokens"),
                ("output_tokens", "gen_ai.usage.output_tokens"),
            ):
                value = getattr(usage, field, None)
                if isinstance(value, int):
                    attrs[attr] = value
        if turn.cost is not None:
            attrs["realtime.cost_usd"] = turn.cost.total
        return attrs
