"""The conversation as items a client can create again on a new session.

What carries over, item by item:

========================  ==========================================================
mirror item               created on the new session as
========================  ==========================================================
user / system message     the same parts: text as ``input_text``; user audio as
                          ``input_audio`` when the whole of it is kept (see
                          :class:`AudioRetention`), else as its transcript
assistant message         ``output_text`` with the text, or the audio's transcript
                          (a truncated audio turn has none: the user did not hear it)
function call             ``function_call`` with its ``name``, ``call_id`` and
                          ``arguments``
function call output      ``function_call_output`` with its ``call_id`` and ``output``
MCP items                 not carried over (the new session lists its tools again)
========================  ==========================================================

Every item keeps its id: the client assigns it, so nothing that refers to an item (a
``previous_item_id``, a truncate, an app's own notes) needs remapping.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from ..protocol import (
    ContentPart,
    ConversationItem,
    FunctionCallItem,
    FunctionCallOutputItem,
    MessageItem,
    base64_from_pcm,
)
from ._model import Item, Part

__all__ = ["fingerprint", "recreatable", "to_protocol"]


def _user_part(part: Part, *, audio: bool) -> ContentPart:
    if part.is_audio:
        if audio and part.audio_bytes and part.audio_complete:
            return ContentPart(type="input_audio", audio=base64_from_pcm(part.audio))
        return ContentPart(type="input_text", text=part.content)
    if part.type == "input_image" and part.image_url:
        return ContentPart(type="input_image", image_url=part.image_url)
    return ContentPart(type="input_text", text=part.content)


def to_protocol(item: Item, *, audio: bool = True) -> ConversationItem | None:
    """``item`` as a client creates it; ``None`` for items that do not carry over.

    ``audio=False`` turns user audio into its transcript even when the audio is kept.
    """
    if item.type == "message":
        role = item.role if item.role in ("user", "system", "assistant") else "user"
        if role == "assistant":
            parts = [ContentPart(type="output_text", text=p.content) for p in item.content]
        else:
            parts = [_user_part(p, audio=audio and role == "user") for p in item.content]
        return MessageItem(id=item.id, role=role, content=parts or _empty(role))  # type: ignore[arg-type]
    if item.type == "function_call":
        return FunctionCallItem(
            id=item.id,
            call_id=item.call_id or item.id,
            name=item.name or "",
            arguments=item.arguments,
        )
    if item.type == "function_call_output" and item.call_id:
        return FunctionCallOutputItem(id=item.id, call_id=item.call_id, output=item.output or "")
    return None


def _empty(role: str) -> list[ContentPart]:
    kind = "output_text" if role == "assistant" else "input_text"
    return [ContentPart(type=kind, text="")]  # type: ignore[arg-type]


def recreatable(items: Iterable[Item], *, audio: bool = True) -> list[ConversationItem]:
    """The items that carry over, converted, in order."""
    out: list[ConversationItem] = []
    for item in items:
        converted = to_protocol(item, audio=audio)
        if converted is not None:
            out.append(converted)
    return out


def fingerprint(item: ConversationItem) -> bytes:
    """Bytes that change when the item would be created differently."""
    return msgspec.json.encode(item)
