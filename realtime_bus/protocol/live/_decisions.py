"""GPT-Live decisions: the questions a session asks, the items it reads, the answers it gets.

A *decision* is a structured judgement (a choice, a yes/no predicate, a score) that a Live
session evaluates over its conversation, either when it delegates to ``decisions`` or when a
transcript trigger fires. The client feeds it items (``decision.item.create``) and reads the
answers from ``decision.event``.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

from msgspec import UNSET, UnsetType

from .._base import Model

__all__ = [
    "ChoiceAnswer",
    "ChoiceOption",
    "ChoiceProbability",
    "ChoiceQuestion",
    "CustomToolCallItem",
    "CustomToolCallOutputItem",
    "Decision",
    "DecisionAnswer",
    "DecisionCompleted",
    "DecisionItem",
    "DecisionMessage",
    "DecisionQuestion",
    "DecisionUsage",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "ImageDetail",
    "InputImage",
    "InputJson",
    "InputText",
    "InstructionPart",
    "MessagePart",
    "OutputText",
    "PredicateAnswer",
    "PredicateQuestion",
    "Refusal",
    "RefusalAnswer",
    "ScoreAnswer",
    "ScoreLevel",
    "ScoreProbability",
    "ScoreQuestion",
    "ToolOutputPart",
    "UsageInputTokensDetails",
    "UsageOutputTokensDetails",
]

ImageDetail: TypeAlias = Literal["low", "high", "auto", "original"]
_Status: TypeAlias = Literal["in_progress", "completed", "incomplete"]


class _Tagged(Model, tag_field="type"):
    """A nested object that is one member of a union told apart by its ``type``."""


# ---------------------------------------------------------------------------------------------
# Content parts


class InputText(_Tagged, tag="input_text"):
    """Text given to the model."""

    text: str


class InputImage(_Tagged, tag="input_image"):
    """An image given to the model, by URL or data URL."""

    image_url: str
    detail: ImageDetail | UnsetType | None = UNSET


class InputJson(_Tagged, tag="input_json"):
    """Structured data given to the model: one JSON object or a list of them."""

    data: list[dict[str, Any]] | dict[str, Any]


class OutputText(_Tagged, tag="output_text"):
    """Text the assistant said."""

    text: str


class Refusal(_Tagged, tag="refusal"):
    """The assistant's refusal."""

    refusal: str


InstructionPart: TypeAlias = InputText | InputImage | InputJson
"""A part of a question's instructions."""

ToolOutputPart: TypeAlias = InputText | InputImage
"""A part of a tool call's output."""

MessagePart: TypeAlias = InputText | InputImage | InputJson | OutputText | Refusal
"""A part of a decision message. User messages take input text, images and JSON; developer
and system messages input text; assistant messages output text and refusals."""


# ---------------------------------------------------------------------------------------------
# Questions


class ChoiceOption(Model):
    """One option of a choice question."""

    value: str | bool
    description: str | UnsetType | None = UNSET


class ScoreLevel(Model):
    """One level of a score question, from the lowest to the highest."""

    label: str
    description: str | UnsetType | None = UNSET


class ChoiceQuestion(_Tagged, tag="choice"):
    """Pick one of ``choices``."""

    choices: list[ChoiceOption]
    instructions: str | list[InstructionPart]
    name: str | UnsetType | None = UNSET


class PredicateQuestion(_Tagged, tag="predicate"):
    """A yes/no question, answered with a probability."""

    instructions: str | list[InstructionPart]
    name: str | UnsetType | None = UNSET


class ScoreQuestion(_Tagged, tag="score"):
    """Place the conversation on a scale of ``levels``."""

    instructions: str | list[InstructionPart]
    levels: list[ScoreLevel]
    name: str | UnsetType | None = UNSET


DecisionQuestion: TypeAlias = ChoiceQuestion | PredicateQuestion | ScoreQuestion


# ---------------------------------------------------------------------------------------------
# Decision input items


class DecisionMessage(_Tagged, tag="message"):
    """A message given to decisions (``role`` user, developer, system or assistant).

    ``id`` is given by the server in ``decision.item.created``; ``phase`` applies to assistant
    messages only.
    """

    role: Literal["user", "developer", "system", "assistant"]
    content: str | list[MessagePart]
    id: str | UnsetType | None = UNSET
    phase: Literal["commentary", "final_answer"] | UnsetType | None = UNSET


class _ToolCall(_Tagged):
    call_id: str
    name: str


class FunctionCallItem(_ToolCall, tag="function_call"):
    """A function call, as context for decisions."""

    arguments: str
    id: str | UnsetType | None = UNSET
    namespace: str | UnsetType | None = UNSET
    status: _Status | UnsetType | None = UNSET


class _CallOutput(_Tagged):
    call_id: str
    output: str | list[ToolOutputPart]
    id: str | UnsetType | None = UNSET
    status: _Status | UnsetType | None = UNSET


class FunctionCallOutputItem(_CallOutput, tag="function_call_output"):
    """The output of a function call, as context for decisions."""


class CustomToolCallItem(_ToolCall, tag="custom_tool_call"):
    """A custom tool call (free-form input), as context for decisions."""

    input: str
    id: str | UnsetType | None = UNSET
    namespace: str | UnsetType | None = UNSET
    status: _Status | UnsetType | None = UNSET


class CustomToolCallOutputItem(_CallOutput, tag="custom_tool_call_output"):
    """The output of a custom tool call, as context for decisions."""


DecisionItem: TypeAlias = (
    DecisionMessage
    | FunctionCallItem
    | FunctionCallOutputItem
    | CustomToolCallItem
    | CustomToolCallOutputItem
)
"""An input item for decisions."""


# ---------------------------------------------------------------------------------------------
# Answers


class PredicateAnswer(_Tagged, tag="predicate"):
    """How likely the predicate is true."""

    probability: float
    name: str | UnsetType | None = UNSET


class ChoiceProbability(Model):
    """The probability of one option of a choice."""

    value: str | bool
    probability: float


class ChoiceAnswer(_Tagged, tag="choice"):
    """The option chosen, with the probability of every option."""

    choice: str | bool
    confidence: float
    probabilities: list[ChoiceProbability]
    name: str | UnsetType | None = UNSET


class ScoreProbability(Model):
    """The probability of one level of a score."""

    label: str
    value: int
    probability: float


class ScoreAnswer(_Tagged, tag="score"):
    """The score given, with the probability of every level."""

    score: float
    confidence: float
    probabilities: list[ScoreProbability]
    name: str | UnsetType | None = UNSET


class RefusalAnswer(_Tagged, tag="refusal"):
    """The question was not answered."""

    name: str | UnsetType | None = UNSET


DecisionAnswer: TypeAlias = PredicateAnswer | ChoiceAnswer | ScoreAnswer | RefusalAnswer


class UsageInputTokensDetails(Model):
    """Where a decision's input tokens came from."""

    cached_tokens: int
    cache_write_tokens: int


class UsageOutputTokensDetails(Model):
    """What a decision's output tokens were spent on."""

    reasoning_tokens: int


class DecisionUsage(Model):
    """The tokens a decision used."""

    input_tokens: int
    input_tokens_details: UsageInputTokensDetails
    output_tokens: int
    output_tokens_details: UsageOutputTokensDetails
    total_tokens: int


class Decision(Model):
    """The answers to a decision's questions, in the order they were asked."""

    answers: list[DecisionAnswer]
    model: str
    usage: DecisionUsage


class DecisionCompleted(_Tagged, tag="decision.completed"):
    """The ``event`` of a ``decision.event``: a decision was evaluated."""

    decision: Decision
