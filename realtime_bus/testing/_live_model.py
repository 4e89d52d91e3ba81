"""The simulated GPT-Live model: hears turns, speaks, delegates, decides.

Speech is the simulator's deterministic speech (:mod:`._speech`): the model's audio carries
its own text, so the output transcript and what a client decodes from the audio agree, and
audio made with :func:`synthesize_speech` is heard as the text it carries. Work is done one
turn at a time, in order; pacing follows the simulator's ``realtime_factor`` and
``audio_chunk_ms``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from msgspec import UNSET

from .._log import get_logger
from ..protocol import live as L
from ._live_responder import LiveEntry, LiveReply
from ._speech import decode_speech, synthesize_speech, unintelligible_transcript

if TYPE_CHECKING:
    from ._live_ports import LiveSessionPort

__all__ = ["LiveModelRunner"]

_log = get_logger("realtime_bus.testing.live")
_BYTES_PER_MS = 48  # PCM16 at 24 kHz


class LiveModelRunner:
    """What one session's model does, one piece of work at a time."""

    def __init__(self, session: LiveSessionPort) -> None:
        self.session = session
        self.delegations: dict[str, L.Delegation] = {}
        """Delegations handed out, by id."""
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- scheduling ------------------------------------------------------------------------

    def schedule(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` after what is already queued."""
        task = asyncio.get_running_loop().create_task(self._run(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, work: Coroutine[Any, Any, None]) -> None:
        async with self._lock:
            if self.session.ended:
                work.close()
                return
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception:  # a responder bug must not kill the session
                _log.error("simulator_live_model_failed", session_id=self.session.id, exc_info=True)

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until queued work is done."""
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def close(self) -> None:
        """Stop all work (the session ended)."""
        for task in list(self._tasks):
            task.cancel()

    # -- turns -----------------------------------------------------------------------------

    async def user_turn(self, pcm: bytes, start_sample: int, end_sample: int) -> None:
        """The user spoke ``pcm``: transcribe it, then answer."""
        text = decode_speech(pcm) or unintelligible_transcript(len(pcm))
        self.session.history.append(LiveEntry("user", text))
        await self.transcript(L.InputTranscriptDelta, text, start_sample // 24, end_sample // 24)
        await self.answer()

    async def answer(self) -> None:
        """Ask the responder what to do with the latest turn, and do it."""
        session = self.session
        result = session.server.responder.reply(session.context())
        reply = LiveReply(text=result) if isinstance(result, str) else result
        if reply.text:
            await self.speak(reply.text)
        if reply.delegate is not None:
            await self.delegate(reply.delegate)
        self.usage()

    async def commentary(self, content: str, delegation_id: str | None) -> None:
        """The client gave commentary: the model tells the user (a delegation's result)."""
        session = self.session
        text = content
        if delegation_id is not None:
            self.delegations.pop(delegation_id, None)
            text = session.server.responder.speak_delegation(session.context(), content)
        await self.speak(text)
        self.usage()

    # -- speaking --------------------------------------------------------------------------

    async def speak(self, text: str) -> None:
        """Say ``text``: output audio with its transcript, paced."""
        pcm = synthesize_speech(text, lead_silence_ms=0, trail_silence_ms=100)
        self.session.history.append(LiveEntry("assistant", text))
        await self.play(pcm, transcript=text)

    async def play(self, pcm: bytes, *, transcript: str | None) -> None:
        """Send ``pcm`` (PCM16 24 kHz) as output audio, with ``transcript`` spread over it."""
        session = self.session
        sim = session.server.sim
        chunk = max(2, _BYTES_PER_MS * max(1, sim.audio_chunk_ms))
        chunks = [pcm[i : i + chunk] for i in range(0, len(pcm), chunk)]
        deltas = _word_deltas(transcript) if transcript else []
        per_chunk: list[list[str]] = [[] for _ in chunks]
        for index, delta in enumerate(deltas):
            per_chunk[min(len(chunks) - 1, index * len(chunks) // len(deltas))].append(delta)
        for index, piece in enumerate(chunks):
            if session.ended:
                return
            start = max(session.output_ms, session.input_samples // 24)
            end = start + len(piece) // _BYTES_PER_MS
            session.output_ms = end
            session.keep(piece)
            audio = base64.b64encode(session.from_internal(piece)).decode("ascii")
            session.broadcast(L.OutputAudioDelta(delta=audio, start_ms=start, end_ms=end))
            last = index == len(chunks) - 1
            for n, delta in enumerate(per_chunk[index]):
                event = L.OutputTranscriptDelta(
                    event_id=session.new_id("event"), delta=delta, start_ms=start, end_ms=end
                )
                session.broadcast(event)
                if last and n == len(per_chunk[index]) - 1:
                    self.triggers(event)
            await self._pace(len(piece) // _BYTES_PER_MS)

    async def transcript(
        self,
        cls: type[L.InputTranscriptDelta | L.OutputTranscriptDelta],
        text: str,
        start_ms: int,
        end_ms: int,
    ) -> None:
        """Send ``text`` as transcript deltas over ``start_ms``..``end_ms`` (one per word)."""
        deltas = _word_deltas(text)
        span = max(1, end_ms - start_ms)
        event = None
        for index, delta in enumerate(deltas):
            event = cls(
                event_id=self.session.new_id("event"),
                delta=delta,
                start_ms=start_ms + span * index // len(deltas),
                end_ms=start_ms + span * (index + 1) // len(deltas),
            )
            self.session.broadcast(event)
        if event is not None:
            self.triggers(event)
        await asyncio.sleep(0)

    async def _pace(self, ms: int) -> None:
        factor = self.session.server.sim.realtime_factor
        await asyncio.sleep(ms / 1000 * factor if factor > 0 else 0)

    # -- delegation ------------------------------------------------------------------------

    async def delegate(self, task: str) -> None:
        """Hand ``task`` to the session's delegation target."""
        session = self.session
        assert session.config is not None
        target = session.config.delegation
        if not isinstance(
            target, L.ClientDelegation | L.ResponsesDelegation | L.DecisionsDelegation
        ):
            return
        kind = {
            L.ClientDelegation: "client",
            L.ResponsesDelegation: "responses",
            L.DecisionsDelegation: "decisions",
        }[type(target)]
        delegation = L.Delegation(
            id=session.new_id("del"),
            target=kind,  # type: ignore[arg-type]
            response_id=session.new_id("resp") if kind == "responses" else UNSET,
        )
        self.delegations[delegation.id] = delegation
        session.broadcast(
            L.DelegationCreated(
                event_id=session.new_id("event"), delegation=delegation, offset_ms=session.now_ms()
            )
        )
        if isinstance(target, L.ResponsesDelegation):
            text = session.server.responder.responses_text(session.context(), task)
            assert isinstance(delegation.response_id, str)
            self.backend_events(text, delegation.response_id, delegation.id, None)
            self.delegations.pop(delegation.id, None)
            await self.speak(session.server.responder.speak_delegation(session.context(), text))
        elif isinstance(target, L.DecisionsDelegation):
            self.delegations.pop(delegation.id, None)
            decision = self.decide(target.decisions.questions, target.decisions.model)
            session.broadcast(
                L.DecisionEvent(
                    event_id=session.new_id("event"),
                    delegation_id=delegation.id,
                    event=L.DecisionCompleted(decision=decision),
                )
            )
        # A client target answers with appends naming the delegation (see commentary()).

    def backend_events(
        self, text: str, response_id: str, delegation_id: str | None, client_event_id: str | None
    ) -> None:
        """The Responses stand-in's events for one response that says ``text``."""
        session = self.session
        response = {"id": response_id, "object": "response", "status": "in_progress"}
        done = {
            **response,
            "status": "completed",
            "output": [
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text}],
                }
            ],
        }
        for event in (
            {"type": "response.created", "response": response},
            {"type": "response.output_text.delta", "delta": text},
            {"type": "response.output_text.done", "text": text},
            {"type": "response.completed", "response": done},
        ):
            session.broadcast(
                L.ResponseEvent(
                    event_id=session.new_id("event"),
                    event=event,
                    delegation_id=delegation_id if delegation_id is not None else UNSET,
                    client_event_id=client_event_id if client_event_id is not None else UNSET,
                )
            )

    async def backend_response(self, client_event_id: str | None) -> None:
        """``response.create``: the stand-in answers the items given to it."""
        session = self.session
        items = session.response_items
        last = items[-1] if items else {}
        task = str(last.get("output") or last.get("content") or session.context().user_text or "")
        text = session.server.responder.responses_text(session.context(), task)
        self.backend_events(text, session.new_id("resp"), None, client_event_id)
        await asyncio.sleep(0)

    # -- decisions -------------------------------------------------------------------------

    def decision_questions(self) -> list[L.DecisionQuestion]:
        """The questions ``decision.create`` evaluates: delegation's, else the triggers'."""
        config = self.session.config
        assert config is not None
        if isinstance(config.delegation, L.DecisionsDelegation):
            return list(config.delegation.decisions.questions)
        triggers = config.triggers if isinstance(config.triggers, list) else []
        return [q for trigger in triggers for q in trigger.decisions.questions]

    def decide(self, questions: list[L.DecisionQuestion], model: str) -> L.Decision:
        """A decision over ``questions``, answered by the responder."""
        session = self.session
        answers = session.server.responder.decide(session.context(), questions)
        words = sum(len(e.text.split()) for e in session.history)
        return L.Decision(
            answers=answers,
            model=model,
            usage=L.DecisionUsage(
                input_tokens=words + 20 * len(questions),
                input_tokens_details=L.UsageInputTokensDetails(
                    cached_tokens=0, cache_write_tokens=0
                ),
                output_tokens=len(answers),
                output_tokens_details=L.UsageOutputTokensDetails(reasoning_tokens=0),
                total_tokens=words + 20 * len(questions) + len(answers),
            ),
        )

    async def evaluate(self, questions: list[L.DecisionQuestion]) -> None:
        """``decision.create``: evaluate ``questions`` now."""
        config = self.session.config
        assert config is not None
        model = (
            config.delegation.decisions.model
            if isinstance(config.delegation, L.DecisionsDelegation)
            else "gpt-live-decisions"
        )
        self.session.broadcast(
            L.DecisionEvent(
                event_id=self.session.new_id("event"),
                event=L.DecisionCompleted(decision=self.decide(questions, model)),
            )
        )
        await asyncio.sleep(0)

    def triggers(self, event: L.InputTranscriptDelta | L.OutputTranscriptDelta) -> None:
        """Fire the transcript triggers watching ``event``'s type (at the end of an utterance)."""
        session = self.session
        config = session.config
        if config is None or not isinstance(config.triggers, list):
            return
        for trigger in config.triggers:
            if trigger.event_type != event.type:
                continue
            decision = self.decide(trigger.decisions.questions, "gpt-live-decisions")
            session.broadcast(
                L.DecisionEvent(
                    event_id=session.new_id("event"),
                    trigger_id=session.new_id("trig"),
                    source_event_id=event.event_id,
                    source_event_type=event.type,
                    event=L.DecisionCompleted(decision=decision),
                )
            )

    # -- usage -----------------------------------------------------------------------------

    def usage(self) -> None:
        """Report usage and how full the context is."""
        session = self.session
        tokens = sum(len(entry.text) for entry in session.history) // 4 + session.now_ms() // 100
        ratio = min(1.0, tokens / max(1, session.server.context_window_tokens))
        session.broadcast(
            L.SessionUsageUpdated(
                event_id=session.new_id("event"),
                usage=session.usage(),
                context_window=L.ContextWindow(usage_ratio=round(ratio, 4)),
            )
        )

    async def wait(self) -> None:
        """Wait for the work queued so far (used by tests through the session)."""
        with contextlib.suppress(TimeoutError):
            await self.idle()


def _word_deltas(text: str) -> list[str]:
    """``"a b c"`` -> ``["a ", "b ", "c"]``: a Live transcript's deltas, one per word."""
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + words[-1:]
