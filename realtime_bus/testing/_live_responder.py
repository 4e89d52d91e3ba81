"""What the simulated GPT-Live model says, delegates and decides: a pluggable responder.

:class:`LiveResponder` is the default and the base class a test overrides. Its rules are
deterministic:

- :meth:`~LiveResponder.reply`: when the user asks for a task (their words include one of
  :attr:`~LiveResponder.task_words`: "check", "look up", "find", "book", "order", "search")
  and the session delegates, it delegates; otherwise it echoes ``"You said: <text>"``.
- :meth:`~LiveResponder.speak_delegation`: what the model says once a delegation is answered
  (the client's commentary as given; the Responses stand-in's text).
- :meth:`~LiveResponder.responses_text`: the deterministic stand-in for a Responses backend:
  ``"Done: <task>"``.
- :meth:`~LiveResponder.decide`: the answers to decision questions: a choice takes its first
  option, a predicate is true (probability 1.0) when a word of its name or instructions is in
  the conversation, else 0.0, a score takes its lowest level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..protocol.live import (
    ChoiceAnswer,
    ChoiceProbability,
    ChoiceQuestion,
    ClientDelegation,
    DecisionAnswer,
    DecisionItem,
    DecisionQuestion,
    DecisionsDelegation,
    InputText,
    PredicateAnswer,
    PredicateQuestion,
    ResponsesDelegation,
    ScoreAnswer,
    ScoreProbability,
    ScoreQuestion,
    SessionResource,
)

__all__ = ["EntryRole", "LiveContext", "LiveEntry", "LiveReply", "LiveResponder"]

EntryRole = Literal["user", "assistant", "developer", "thinking", "commentary"]


@dataclass(slots=True, frozen=True)
class LiveEntry:
    """One line of a simulated Live conversation: who said it and what."""

    role: EntryRole
    text: str
    delegation_id: str | None = None


@dataclass(slots=True)
class LiveContext:
    """What the simulated model knows when it answers: the session and the conversation."""

    session: SessionResource
    history: list[LiveEntry] = field(default_factory=list)
    decision_items: list[DecisionItem] = field(default_factory=list)
    """The input items given to decisions (``decision.item.create``)."""

    @property
    def user_text(self) -> str | None:
        """What the user said last, if anything."""
        for entry in reversed(self.history):
            if entry.role == "user":
                return entry.text
        return None

    @property
    def delegation_target(self) -> str | None:
        """Who the session delegates to (``client``, ``responses``, ``decisions``), or None."""
        delegation = self.session.delegation
        return _TARGETS.get(type(delegation))


@dataclass(slots=True, frozen=True)
class LiveReply:
    """What the model does with a turn: say ``text``, and/or delegate ``delegate`` (a task)."""

    text: str = ""
    delegate: str | None = None


_TARGETS: dict[type, str] = {
    ClientDelegation: "client",
    ResponsesDelegation: "responses",
    DecisionsDelegation: "decisions",
}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if len(w) > 2}


def _instructions_text(question: DecisionQuestion) -> str:
    parts = question.instructions
    if isinstance(parts, str):
        return parts
    return " ".join(p.text for p in parts if isinstance(p, InputText))


class LiveResponder:
    """The simulated model's choices (override any method in a test)."""

    task_words: tuple[str, ...] = ("check", "look up", "find", "book", "order", "search")

    def reply(self, context: LiveContext) -> LiveReply | str:
        """The model's answer to the user's latest turn."""
        text = context.user_text
        if text is None:
            return "Hello! How can I help?"
        lowered = text.lower()
        if context.delegation_target is not None and any(w in lowered for w in self.task_words):
            return LiveReply(text="Let me check that for you.", delegate=text)
        return f"You said: {text}"

    def speak_delegation(self, context: LiveContext, result: str) -> str:
        """What the model says with a delegation's ``result``."""
        return result

    def responses_text(self, context: LiveContext, task: str) -> str:
        """The Responses stand-in's answer to ``task``."""
        return f"Done: {task}"

    def decide(
        self, context: LiveContext, questions: list[DecisionQuestion]
    ) -> list[DecisionAnswer]:
        """One answer per question, in order."""
        heard = (
            set().union(*(_words(e.text) for e in context.history)) if context.history else set()
        )
        answers: list[DecisionAnswer] = []
        for question in questions:
            name = question.name
            if isinstance(question, ChoiceQuestion):
                values = [option.value for option in question.choices]
                answers.append(
                    ChoiceAnswer(
                        name=name,
                        choice=values[0] if values else "",
                        confidence=1.0,
                        probabilities=[
                            ChoiceProbability(value=v, probability=1.0 if i == 0 else 0.0)
                            for i, v in enumerate(values)
                        ],
                    )
                )
            elif isinstance(question, PredicateQuestion):
                label = name if isinstance(name, str) else ""
                asked = _words(f"{label} {_instructions_text(question)}")
                answers.append(
                    PredicateAnswer(name=name, probability=1.0 if asked & heard else 0.0)
                )
            elif isinstance(question, ScoreQuestion):
                answers.append(
                    ScoreAnswer(
                        name=name,
                        score=0.0,
                        confidence=1.0,
                        probabilities=[
                            ScoreProbability(
                                label=level.label, value=i, probability=1.0 if i == 0 else 0.0
                            )
                            for i, level in enumerate(question.levels)
                        ],
                    )
                )
        return answers
