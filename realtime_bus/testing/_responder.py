"""What the simulated assistant says: a pluggable responder.

A responder is any callable taking a :class:`ResponderContext` and returning (or awaiting) a
:class:`Reply`, a plain string (a text reply) or a :class:`ToolCall`.

The default, :class:`DefaultResponder`, is deterministic:

1. When the last item is a ``function_call_output``, it answers with that output:
   ``"get_weather returned: {...}"``.
2. Otherwise it reads the latest user message (typed text, or what it heard in the user's
   audio). When a function tool matches the message, it calls it. A tool matches when its name,
   or its name without a leading verb (``get_weather`` -> ``weather``, with underscores as
   spaces), appears in the message. The call's arguments fill the schema's first required string
   property (else its first string property) with the words after ``in``, ``for``, ``of``,
   ``at``, ``about``, ``to``, ``near`` or ``on`` that follow the match, up to punctuation:
   ``"what's the weather in Paris?"`` -> ``get_weather({"location": "Paris"})``. With
   ``tool_choice`` ``"required"`` or naming a function it calls a tool even without a match;
   with ``"none"`` it never does.
3. Otherwise it echoes: ``"You said: <message>"``; it greets when there is no user message,
   and asks ``"Are you still there?"`` when the user's turn was silent (VAD's idle timeout).

:class:`ScriptedResponder` replays a fixed list of replies, for tests.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import msgspec

from ..protocol import (
    ContentPart,
    ConversationItem,
    FunctionCallItem,
    FunctionCallOutputItem,
    FunctionTool,
    MessageItem,
    Modality,
    RealtimeSession,
    Tool,
    ToolChoice,
    ToolChoiceFunction,
)

__all__ = [
    "DefaultResponder",
    "Reply",
    "Responder",
    "ResponderContext",
    "ResponderResult",
    "ScriptExhausted",
    "ScriptedResponder",
    "ToolCall",
    "as_reply",
    "item_text",
    "run_responder",
]


class ToolCall(msgspec.Struct, kw_only=True):
    """The assistant calls function ``name``; ``arguments`` is a JSON string or a dict."""

    name: str
    arguments: str | dict[str, Any] = "{}"

    @property
    def arguments_json(self) -> str:
        """The arguments as the JSON string the protocol carries."""
        if isinstance(self.arguments, str):
            return self.arguments
        return msgspec.json.encode(self.arguments).decode()


class Reply(msgspec.Struct, kw_only=True):
    """What the assistant answers: text (spoken when the response has audio) and tool calls.

    A response's output items are ``text`` (one message, when not empty), then one
    ``function_call`` per entry of ``tool_calls``. For any other order or several messages, give
    ``output`` instead: its entries, in order, each a message (a string) or a call.
    """

    text: str = ""
    tool_calls: list[ToolCall] = msgspec.field(default_factory=list)
    output: list[str | ToolCall] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        if self.output and (self.text or self.tool_calls):
            raise ValueError("give a Reply either output, or text and tool_calls, not both")

    def items(self) -> list[str | ToolCall]:
        """The output items in order: messages (strings) and calls."""
        if self.output:
            return list(self.output)
        return ([self.text] if self.text else []) + list(self.tool_calls)


@dataclass(slots=True)
class ResponderContext:
    """What a responder sees when a response is created.

    ``conversation`` holds the items the response answers (the session's conversation, or the
    ``input`` of an out-of-band response); in user audio parts ``transcript`` holds what the
    simulator heard, whether or not input transcription is on.
    """

    conversation: list[ConversationItem]
    session: RealtimeSession
    instructions: str
    tools: list[Tool]
    tool_choice: ToolChoice
    output_modalities: list[Modality]
    metadata: dict[str, str] | None = None
    response_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def last_user_text(self) -> str | None:
        """The text of the latest user message, if there is one."""
        for item in reversed(self.conversation):
            if isinstance(item, MessageItem) and item.role == "user":
                return item_text(item)
        return None


ResponderResult: TypeAlias = Reply | str | ToolCall
Responder: TypeAlias = Callable[[ResponderContext], ResponderResult | Awaitable[ResponderResult]]
"""A callable that decides the assistant's reply (sync or async)."""


def as_reply(result: ResponderResult) -> Reply:
    """Normalise what a responder returned to a :class:`Reply`."""
    if isinstance(result, Reply):
        return result
    if isinstance(result, str):
        return Reply(text=result)
    if isinstance(result, ToolCall):
        return Reply(tool_calls=[result])
    raise TypeError(f"a responder must return Reply, str or ToolCall, not {type(result).__name__}")


async def run_responder(responder: Responder, context: ResponderContext) -> Reply:
    """Call ``responder`` (sync or async) and normalise its result."""
    result = responder(context)
    if inspect.isawaitable(result):
        result = await result
    return as_reply(result)


def _part_text(part: ContentPart) -> str:
    for value in (part.text, part.transcript):
        if isinstance(value, str) and value:
            return value
    return ""


def item_text(item: ConversationItem) -> str:
    """The words of a message item: its text parts and audio transcripts, joined."""
    if not isinstance(item, MessageItem):
        return ""
    return " ".join(t for t in (_part_text(p) for p in item.content) if t)


_VERBS = frozenset(
    {
        "get",
        "fetch",
        "find",
        "lookup",
        "look",
        "search",
        "set",
        "create",
        "check",
        "call",
        "make",
        "send",
        "list",
        "update",
        "delete",
        "book",
        "start",
        "stop",
        "open",
        "close",
    }
)
_ARG = re.compile(r"\b(?:in|for|of|at|about|to|near|on)\s+([^?.!,;]+)", re.IGNORECASE)


def _keywords(name: str) -> list[str]:
    words = [w for w in re.split(r"[_\-\s]+|(?<=[a-z])(?=[A-Z])", name) if w]
    phrases = [name.lower(), " ".join(words).lower()]
    if len(words) > 1 and words[0].lower() in _VERBS:
        phrases.append(" ".join(words[1:]).lower())
    return phrases


def _string_property(parameters: Any) -> str | None:
    if not isinstance(parameters, dict):
        return None
    props = parameters.get("properties")
    if not isinstance(props, dict):
        return None
    strings = [k for k, v in props.items() if isinstance(v, dict) and v.get("type") == "string"]
    required = parameters.get("required")
    for name in required if isinstance(required, list) else []:
        if name in strings:
            return str(name)
    return strings[0] if strings else None


def _arguments(tool: FunctionTool, text: str, match_end: int) -> dict[str, Any]:
    prop = _string_property(tool.parameters)
    if prop is None:
        return {}
    found = _ARG.search(text, match_end) or _ARG.search(text)
    value = found.group(1).strip() if found else text[match_end:].strip(" ?.!,;") or text
    return {prop: value}


class DefaultResponder:
    """The deterministic default assistant (rules in this module's documentation)."""

    def __call__(self, context: ResponderContext) -> Reply:
        conversation = context.conversation
        if conversation and isinstance(conversation[-1], FunctionCallOutputItem):
            output = conversation[-1]
            name = next(
                (
                    item.name
                    for item in conversation
                    if isinstance(item, FunctionCallItem) and item.call_id == output.call_id
                ),
                "the tool",
            )
            return Reply(text=f"{name} returned: {output.output}")
        text = context.last_user_text
        last_is_user = bool(conversation) and isinstance(conversation[-1], MessageItem)
        if text is not None and last_is_user:
            call = self._tool_call(context, text)
            if call is not None:
                return Reply(tool_calls=[call])
        if text is None:
            return Reply(text="Hello! How can I help you today?")
        if not text:
            return Reply(text="Are you still there?")
        return Reply(text=f"You said: {text}")

    def _tool_call(self, context: ResponderContext, text: str) -> ToolCall | None:
        choice = context.tool_choice
        if choice == "none":
            return None
        tools = [t for t in context.tools if isinstance(t, FunctionTool) and t.name]
        if isinstance(choice, ToolChoiceFunction):
            tools = [t for t in tools if t.name == choice.name]
        lowered = text.lower()
        for tool in tools:
            assert isinstance(tool.name, str)
            for phrase in _keywords(tool.name):
                at = lowered.find(phrase)
                if at >= 0:
                    return ToolCall(
                        name=tool.name, arguments=_arguments(tool, text, at + len(phrase))
                    )
        if tools and (choice == "required" or isinstance(choice, ToolChoiceFunction)):
            tool = tools[0]
            assert isinstance(tool.name, str)
            return ToolCall(name=tool.name, arguments=_arguments(tool, text, 0))
        return None


class ScriptExhausted(RuntimeError):
    """A :class:`ScriptedResponder` was asked for more replies than it holds."""


class ScriptedResponder:
    """Replays ``replies`` in order, one per response; records every context it was given.

    Each entry is a :class:`Reply`, a string, a :class:`ToolCall`, or a callable taking the
    context and returning one of those. When the script runs out, the response fails with a
    ``server_error`` (and :class:`ScriptExhausted` is recorded in :attr:`errors`).

    >>> script = ScriptedResponder("Hi!", ToolCall(name="get_weather", arguments={"city": "Oslo"}))
    """

    def __init__(self, *replies: ResponderResult | Responder) -> None:
        self._replies: list[ResponderResult | Responder] = list(replies)
        self.contexts: list[ResponderContext] = []
        """Every context this responder was asked about, in order."""
        self.errors: list[Exception] = []

    def extend(self, replies: Iterable[ResponderResult | Responder]) -> None:
        """Append more replies to the script."""
        self._replies.extend(replies)

    @property
    def remaining(self) -> int:
        """How many replies are left."""
        return len(self._replies)

    async def __call__(self, context: ResponderContext) -> ResponderResult:
        self.contexts.append(context)
        if not self._replies:
            exc = ScriptExhausted(f"the script has no reply for response #{len(self.contexts)}")
            self.errors.append(exc)
            raise exc
        entry = self._replies.pop(0)
        if isinstance(entry, (Reply, str, ToolCall)):
            return entry
        result = entry(context)
        if inspect.isawaitable(result):
            result = await result
        return result
