"""The items of one session's conversation, in order, and the item events' rules."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from ..protocol import (
    ContentPart,
    ConversationItem,
    ErrorDetails,
    FunctionCallItem,
    FunctionCallOutputItem,
    MessageItem,
    base64_from_pcm,
    pcm16_duration_ms,
)
from ._errors import invalid_request

__all__ = ["Conversation", "StoredItem", "check_item", "public_item"]

_ALLOWED_CONTENT = {
    "user": {"input_text", "input_audio", "input_image", "text", "audio", "item_reference"},
    "system": {"input_text", "text"},
    "assistant": {"output_text", "output_audio", "text", "audio"},
}


class StoredItem:
    """One conversation item as the server keeps it: the item, and its audio as PCM.

    ``audio`` maps a content index to the PCM of that part (user input audio, assistant output
    audio); item events leave audio out, ``conversation.item.retrieved`` includes it. ``heard``
    is what the simulator understood of user audio.
    """

    __slots__ = ("audio", "audio_sent", "heard", "item", "truncated")

    def __init__(self, item: ConversationItem) -> None:
        self.item = item
        self.audio: dict[int, bytes] = {}
        self.audio_sent: dict[int, int] = {}
        """For audio still streaming: how many bytes of ``audio`` the client has been sent."""
        self.heard: dict[int, str] = {}
        self.truncated = False
        """Whether ``conversation.item.truncate`` cut the item (its stream stops there)."""

    def pcm(self, content_index: int) -> bytes:
        """The audio of part ``content_index`` (as far as it was sent, while streaming)."""
        data = self.audio.get(content_index, b"")
        limit = self.audio_sent.get(content_index)
        return data if limit is None else data[:limit]

    @property
    def id(self) -> str:
        """The item's id."""
        item_id = getattr(self.item, "id", None)
        assert isinstance(item_id, str)
        return item_id

    def audio_ms(self, content_index: int) -> int:
        """Duration of the audio of part ``content_index``, in whole milliseconds."""
        data = self.audio.get(content_index, b"")
        sent = self.audio_sent.get(content_index, len(data))
        return int(pcm16_duration_ms(sent))

    def with_audio(self) -> ConversationItem:
        """The item with its audio parts filled in (what ``retrieve`` answers)."""
        if not self.audio or not isinstance(self.item, MessageItem):
            return self.item
        content = list(self.item.content)
        # As the service does, assistant audio names its encoding (the simulator keeps PCM16).
        fmt = "pcm16" if self.item.role == "assistant" else UNSET
        for index in self.audio:
            if index < len(content):
                audio = base64_from_pcm(self.pcm(index))
                content[index] = msgspec.structs.replace(content[index], audio=audio, format=fmt)
        return msgspec.structs.replace(self.item, content=content)

    def for_responder(self) -> ConversationItem:
        """The item with user audio transcripts replaced by what the simulator heard."""
        if not self.heard or not isinstance(self.item, MessageItem):
            return self.item
        content = list(self.item.content)
        for index, text in self.heard.items():
            if index < len(content):
                content[index] = msgspec.structs.replace(content[index], transcript=text)
        return msgspec.structs.replace(self.item, content=content)


def public_item(item: ConversationItem) -> ConversationItem:
    """``item`` as item events show it: without inline audio."""
    if not isinstance(item, MessageItem):
        return item
    if all(part.audio is UNSET for part in item.content):
        return item
    content = [
        msgspec.structs.replace(part, audio=UNSET) if part.audio is not UNSET else part
        for part in item.content
    ]
    return msgspec.structs.replace(item, content=content)


def check_item(item: ConversationItem) -> ErrorDetails | None:
    """The service's error for an item a client may not create, or ``None``."""
    if isinstance(item, MessageItem):
        allowed = _ALLOWED_CONTENT[item.role]
        for index, part in enumerate(item.content):
            if part.type not in allowed:
                return invalid_request(
                    f"Invalid value: '{part.type}'. Supported values are: "
                    + ", ".join(f"'{t}'" for t in sorted(allowed))
                    + ".",
                    code="invalid_value",
                    param=f"item.content[{index}].type",
                )
    return None


class Conversation:
    """The ordered items of a session's default conversation."""

    def __init__(self, conversation_id: str) -> None:
        self.id = conversation_id
        self._order: list[str] = []
        self._items: dict[str, StoredItem] = {}

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def get(self, item_id: str) -> StoredItem | None:
        """The stored item ``item_id``, if present."""
        return self._items.get(item_id)

    @property
    def last_id(self) -> str | None:
        """The id of the last item, or ``None`` when empty."""
        return self._order[-1] if self._order else None

    def items(self) -> list[ConversationItem]:
        """The items in order (as item events show them)."""
        return [self._items[i].item for i in self._order]

    def stored(self) -> list[StoredItem]:
        """The stored items in order."""
        return [self._items[i] for i in self._order]

    def previous_of(self, item_id: str) -> str | None:
        """The id of the item before ``item_id``."""
        index = self._order.index(item_id)
        return self._order[index - 1] if index > 0 else None

    def add(self, stored: StoredItem, previous_item_id: Any = UNSET) -> str | None:
        """Insert after ``previous_item_id`` (``"root"``: first; unset or ``None``: last).

        Returns the id of the item now before it. The caller checked ``previous_item_id``.
        """
        if previous_item_id is UNSET or previous_item_id is None:
            previous = self.last_id
            self._order.append(stored.id)
        elif previous_item_id == "root":
            previous = None
            self._order.insert(0, stored.id)
        else:
            previous = previous_item_id
            self._order.insert(self._order.index(previous_item_id) + 1, stored.id)
        self._items[stored.id] = stored
        return previous

    def replace(self, stored: StoredItem) -> None:
        """Store a new version of an item already present."""
        self._items[stored.id] = stored

    def delete(self, item_id: str) -> None:
        """Remove ``item_id``."""
        self._order.remove(item_id)
        del self._items[item_id]

    def has_assistant_audio(self) -> bool:
        """Whether any assistant item carries audio (the voice can no longer change)."""
        return any(
            s.audio and isinstance(s.item, MessageItem) and s.item.role == "assistant"
            for s in self._items.values()
        )

    def function_name(self, call_id: str) -> str | None:
        """The function called by the ``function_call`` item with ``call_id``."""
        for stored in self._items.values():
            if isinstance(stored.item, FunctionCallItem) and stored.item.call_id == call_id:
                return stored.item.name
        return None


def completed(item: ConversationItem, item_id: str) -> ConversationItem:
    """``item`` as the server stores it: with its id, ``object`` and a final status."""
    changes: dict[str, Any] = {"id": item_id}
    if isinstance(item, (MessageItem, FunctionCallItem, FunctionCallOutputItem)):
        changes["object"] = "realtime.item"
        if item.status is UNSET or item.status is None:
            changes["status"] = "completed"
    if isinstance(item, MessageItem):
        changes["content"] = [_fill_part(p) for p in item.content]
    return msgspec.structs.replace(item, **changes)


def _fill_part(part: ContentPart) -> ContentPart:
    if part.type in ("input_audio", "output_audio", "audio") and part.transcript is UNSET:
        return msgspec.structs.replace(part, transcript=None)
    return part
