"""Shortcuts for the conversation items people create most."""

from __future__ import annotations

import json
from typing import Any

from msgspec import UnsetType

from ._audio import base64_from_pcm
from ._models import ContentPart, FunctionCallOutputItem, MessageItem

__all__ = [
    "assistant_message",
    "function_output",
    "system_message",
    "user_audio",
    "user_message",
]


def user_message(text: str) -> MessageItem:
    """A user message with one ``input_text`` part."""
    return MessageItem(role="user", content=[ContentPart(type="input_text", text=text)])


def system_message(text: str) -> MessageItem:
    """A system message with one ``input_text`` part."""
    return MessageItem(role="system", content=[ContentPart(type="input_text", text=text)])


def assistant_message(text: str) -> MessageItem:
    """An assistant message with one ``output_text`` part (to seed a conversation)."""
    return MessageItem(role="assistant", content=[ContentPart(type="output_text", text=text)])


def user_audio(pcm: bytes, *, transcript: str | None = None) -> MessageItem:
    """A user message carrying audio (raw bytes in the session's input format)."""
    part = ContentPart(type="input_audio", audio=base64_from_pcm(pcm))
    if transcript is not None:
        part.transcript = transcript
    return MessageItem(role="user", content=[part])


def function_output(call_id: str | UnsetType | None, output: Any) -> FunctionCallOutputItem:
    """The result of a function call; anything but a string is sent as JSON.

    ``call_id`` is typed as the events carry it (``FunctionCallItem.call_id``), so it can be
    passed on as is; a call without one raises ``ValueError`` (the service always sends it).
    """
    if not isinstance(call_id, str) or not call_id:
        raise ValueError("function_output needs the call's call_id; this call has none")
    text = output if isinstance(output, str) else json.dumps(output)
    return FunctionCallOutputItem(call_id=call_id, output=text)
