"""Frames of simulated GPT-Live conversations: the Live corpus of the decode benchmark.

Deterministic for a seed. Each conversation starts a session and runs turns: the user's
transcript, the model's audio (most of the events and nearly all of the bytes) with its
transcript, usage updates with the context ratio, and now and then a delegation answered by
commentary, a Responses backend event, a decision, a mute, an info notice. Frames are built
from our structs; ``--validate`` checks every one against the ``openai`` package's models.

    python benchmarks/live_frames.py -n 20000 --out /tmp/live.jsonl [--validate]
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from realtime_bus.protocol import ServerEvent
from realtime_bus.protocol import live as L

_WORDS = ("sure", "I", "can", "help", "with", "your", "order", "it", "ships", "on", "Tuesday")


class _Conversation:
    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        self.session = f"sess_{index:06d}"
        self.count = 0
        self.ms = 0
        self.seconds = 0.0

    def eid(self) -> str:
        self.count += 1
        return f"event_{self.session}_{self.count}"

    def resource(self) -> L.SessionResource:
        return L.SessionResource(
            id=self.session,
            model="gpt-live-1",
            status="active",
            expires_at=1_800_000_000,
            instructions="You are a helpful support agent.",
            audio=L.AudioConfig(
                format=L.AudioPCM(rate=24000), output=L.AudioOutputConfig(voice="marin")
            ),
            delegation=L.ClientDelegation(acknowledgement_delay_ms=400),
        )

    def transcript(
        self, cls: type[L.InputTranscriptDelta | L.OutputTranscriptDelta]
    ) -> Iterator[ServerEvent]:
        for _ in range(self.rng.randint(3, 12)):
            start = self.ms
            self.ms += self.rng.randint(120, 400)
            yield cls(
                event_id=self.eid(),
                delta=self.rng.choice(_WORDS) + " ",
                start_ms=start,
                end_ms=self.ms,
            )

    def audio(self) -> Iterator[L.OutputAudioDelta]:
        for _ in range(self.rng.randint(10, 60)):
            size = self.rng.choice((960, 2400, 4800))  # 20, 50 or 100 ms of PCM16 at 24 kHz
            pcm = self.rng.randbytes(size)
            start = self.ms
            self.ms += size // 48
            yield L.OutputAudioDelta(
                delta=base64.b64encode(pcm).decode("ascii"), start_ms=start, end_ms=self.ms
            )

    def turn(self) -> Iterator[ServerEvent]:
        yield from self.transcript(L.InputTranscriptDelta)
        roll = self.rng.random()
        if roll < 0.2:
            delegation = f"del_{self.count}"
            yield L.DelegationCreated(
                event_id=self.eid(),
                delegation=L.Delegation(id=delegation, target="client"),
                offset_ms=self.ms,
            )
            yield L.CommentaryAppended(
                event_id=self.eid(),
                client_event_id=f"c{self.count}",
                start_ms=self.ms,
                end_ms=self.ms + 10,
            )
        elif roll < 0.3:
            yield L.ResponseEvent(
                event_id=self.eid(),
                delegation_id=f"del_{self.count}",
                event={"type": "response.output_text.delta", "delta": "checking", "sequence": 3},
            )
        elif roll < 0.35:
            yield L.DecisionEvent(
                event_id=self.eid(),
                trigger_id=f"trg_{self.count}",
                source_event_id=f"event_{self.count}",
                source_event_type="session.input_transcript.delta",
                event=L.DecisionCompleted(
                    decision=L.Decision(
                        model="gpt-decision-1",
                        answers=[L.PredicateAnswer(name="escalate", probability=0.12)],
                        usage=L.DecisionUsage(
                            input_tokens=120,
                            output_tokens=3,
                            total_tokens=123,
                            input_tokens_details=L.UsageInputTokensDetails(
                                cached_tokens=64, cache_write_tokens=0
                            ),
                            output_tokens_details=L.UsageOutputTokensDetails(reasoning_tokens=0),
                        ),
                    )
                ),
            )
        elif roll < 0.4:
            yield L.InputAudioMuted(event_id=self.eid(), client_event_id=f"c{self.count}")
            yield L.InputAudioUnmuted(event_id=self.eid(), client_event_id=f"c{self.count}")
        elif roll < 0.42:
            yield L.InfoEvent(event_id=self.eid(), code="idle", message="the user is quiet")
        audio = list(self.audio())
        words = list(self.transcript(L.OutputTranscriptDelta))
        for i, delta in enumerate(audio):  # transcript deltas interleaved with the audio
            yield delta
            if i < len(words):
                yield words[i]
        yield from words[len(audio) :]
        self.seconds += self.rng.uniform(2, 8)
        yield L.SessionUsageUpdated(
            event_id=self.eid(),
            usage=L.SessionUsage(seconds=round(self.seconds, 3)),
            context_window=L.ContextWindow(usage_ratio=min(1.0, self.seconds / 3600)),
        )

    def events(self) -> Iterator[ServerEvent]:
        yield L.SessionStarted(event_id=self.eid(), session=self.resource())
        for _ in range(self.rng.randint(2, 6)):
            yield from self.turn()
        yield L.SessionClosed(
            event_id=self.eid(),
            reason="close_requested",
            session=self.resource(),
            usage=L.SessionUsage(seconds=round(self.seconds, 3), active_seconds=int(self.seconds)),
        )


def frames(n: int, seed: int = 1) -> list[str]:
    """``n`` frames of back-to-back simulated Live conversations, as text."""
    rng = random.Random(seed)
    out: list[str] = []
    index = 0
    while len(out) < n:
        for event in _Conversation(rng, index).events():
            out.append(L.encode_live_server(event).decode())
            if len(out) == n:
                break
        index += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--validate", action="store_true", help="check against openai's models")
    args = parser.parse_args()
    made = frames(args.n, args.seed)
    if args.validate:
        import pydantic
        from openai.types.live import ServerEvent as Reference

        adapter: pydantic.TypeAdapter[object] = pydantic.TypeAdapter(Reference)
        for frame in made:
            adapter.validate_json(frame, strict=True)
    args.out.write_text("\n".join(made) + "\n", encoding="utf-8")
    print(f"{len(made)} frames to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
