"""The OpenTelemetry adapter, read back through the SDK's in-memory exporters."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from realtime_bus.agent import AgentTurn, Conversation
from realtime_bus.agent.otel import TurnTelemetry
from realtime_bus.protocol import ConversationItemCreate, user_message
from realtime_bus.testing import Simulator, silence, synthesize_speech
from tests._sim import make_bus

pytestmark = pytest.mark.anyio


def _metrics(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    assert data is not None
    found: dict[str, list[Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found[metric.name] = list(metric.data.data_points)
    return found


async def test_a_span_per_turn_with_figures_histograms_and_counters(sim: Simulator) -> None:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])

    bus = make_bus(sim)
    conversation = Conversation(bus)
    TurnTelemetry(
        bus,
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        attributes={"deployment": "test"},
    )
    async with bus:
        # A voice turn (server VAD answers it), then a text turn.
        pcm = silence(300) + synthesize_speech("hello") + silence(900)
        for start in range(0, len(pcm), 4800):
            await bus.input_audio_buffer.append(pcm[start : start + 4800])
        await bus.wait_for(AgentTurn, timeout=20)
        await bus.request(ConversationItemCreate(item=user_message("and in text?")))
        await bus.response.create(output_modalities=["text"])
        await bus.wait_for(AgentTurn, timeout=10)

    voice, text = (s for s in spans.get_finished_spans())
    assert voice.name == text.name == "realtime.turn"
    first = conversation.metrics.turns[0]
    assert voice.attributes is not None
    assert voice.attributes["realtime.response_id"] == first.response_id
    assert voice.attributes["realtime.voice_to_voice_ms"] == first.voice_to_voice_ms
    assert voice.attributes["gen_ai.request.model"] == "gpt-realtime"
    assert voice.attributes["deployment"] == "test"
    assert voice.attributes["realtime.cost_usd"] == pytest.approx(first.cost.total)  # type: ignore[union-attr]
    assert [e.name for e in voice.events][:2] == ["speech_stopped", "response.created"]
    assert voice.start_time is not None
    assert voice.end_time is not None
    duration_ms = (voice.end_time - voice.start_time) / 1e6
    assert duration_ms == pytest.approx(
        (first.done_at - first.speech_stopped_at) * 1000,  # type: ignore[operator]
        abs=1.0,
    )
    assert text.attributes is not None
    assert "realtime.voice_to_voice_ms" not in text.attributes

    found = _metrics(reader)
    (v2v,) = found["realtime.turn.voice_to_voice"]
    assert v2v.count == 1
    assert sum(p.count for p in found["realtime.turn.ttft"]) == 2
    assert sum(p.value for p in found["realtime.turns"]) == 2
    tokens = {
        (p.attributes["realtime.direction"], p.attributes["realtime.modality"]): p.value
        for p in found["realtime.tokens"]
    }
    usage = conversation.metrics.usage
    assert tokens[("output", "audio")] == usage.output_audio_tokens
    assert sum(v for (d, _m), v in tokens.items() if d == "input") == usage.input_tokens
    (cost,) = found["realtime.cost"]
    assert cost.value == pytest.approx(conversation.metrics.cost.total)
