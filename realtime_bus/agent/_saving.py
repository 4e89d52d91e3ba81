"""Saving a conversation as JSON, reading it back, and the events that recreate it.

The saved form is a versioned msgspec schema, so a damaged file fails with an error that names
the field. Recreating sends one ``conversation.item.create`` per item (converted as
:mod:`._history` says), with the item's own id and ``previous_item_id`` chaining them in order.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import msgspec

from ..protocol import ConversationItemCreate
from ._history import recreatable
from ._model import Item, Part, Segment, Transcription

__all__ = ["SAVE_VERSION", "SavedConversation", "history_events", "load", "dump"]

SAVE_VERSION = 1
"""The version of the saved form this library writes (and the only one it reads)."""


class SavedTranscription(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An input transcription as saved."""

    status: str
    text: str = ""
    segments: list[tuple[str, str, str, float, float]] = []
    error: str | None = None


class SavedPart(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A content part as saved; ``audio`` is base64 PCM, present when it was kept whole."""

    type: str
    text: str = ""
    transcript: str = ""
    audio: str | None = None
    audio_bytes: int = 0
    bytes_per_ms: float = 48.0
    image_url: str | None = None
    transcription: SavedTranscription | None = None


class SavedItem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An item as saved."""

    id: str
    type: str
    role: str | None = None
    status: str | None = None
    content: list[SavedPart] = []
    name: str | None = None
    call_id: str | None = None
    arguments: str = ""
    output: str | None = None
    server_label: str | None = None
    response_id: str | None = None
    truncated_ms: int | None = None


class SavedConversation(msgspec.Struct, kw_only=True):
    """The saved form of a conversation."""

    version: int
    items: list[SavedItem]
    session_id: str | None = None
    model: str | None = None


_ITEM_FIELDS = tuple(name for name in SavedItem.__struct_fields__ if name != "content")
"""What an item and its saved form hold alike (the saved schema is the one list of them)."""
_PART_FIELDS = tuple(
    name for name in SavedPart.__struct_fields__ if name not in ("audio", "transcription")
)
"""What a part and its saved form hold alike."""


def _fields(source: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(source, name) for name in names}


def _save_part(part: Part) -> SavedPart:
    audio = None
    if part.is_audio and part.kept_bytes and part.audio_complete:
        audio = base64.b64encode(part.audio).decode()
    transcription = None
    if part.transcription is not None:
        t = part.transcription
        transcription = SavedTranscription(
            status=t.status,
            text=t.text,
            segments=[(s.id, s.text, s.speaker, s.start, s.end) for s in t.segments],
            error=None if t.error is None else str(t.error.message or t.error.code or "failed"),
        )
    return SavedPart(**_fields(part, _PART_FIELDS), audio=audio, transcription=transcription)


def dump(items: Iterable[Item], *, session_id: str | None, model: str | None) -> str:
    """``items`` in the saved form, as a JSON string."""
    saved = SavedConversation(
        version=SAVE_VERSION,
        session_id=session_id,
        model=model,
        items=[
            SavedItem(**_fields(item, _ITEM_FIELDS), content=[_save_part(p) for p in item.content])
            for item in items
        ],
    )
    return msgspec.json.encode(saved).decode()


def load(data: str | bytes) -> SavedConversation:
    """Parse a saved conversation; raises ``ValueError`` naming what is wrong."""
    try:
        saved = msgspec.json.decode(data, type=SavedConversation)
    except msgspec.ValidationError as exc:
        raise ValueError(f"not a saved conversation: {exc}") from None
    except msgspec.DecodeError as exc:
        raise ValueError(f"not a saved conversation (invalid JSON): {exc}") from None
    if saved.version != SAVE_VERSION:
        raise ValueError(
            f"saved conversation version {saved.version} (this library reads {SAVE_VERSION})"
        )
    return saved


def restore_item(saved: SavedItem) -> tuple[Item, list[tuple[Part, bytes]]]:
    """An :class:`Item` from its saved form, and the audio of its parts (to be kept)."""
    item = Item(**_fields(saved, _ITEM_FIELDS), done=True)
    audio: list[tuple[Part, bytes]] = []
    for given in saved.content:
        part = Part(**_fields(given, _PART_FIELDS))
        if given.transcription is not None:
            t = given.transcription
            part.transcription = Transcription(
                item_id=item.id,
                content_index=len(item.content),
                status=t.status if t.status in ("completed", "failed") else "in_progress",  # type: ignore[arg-type]
                text=t.text,
                segments=[Segment(*s) for s in t.segments],
            )
        part.dropped_bytes = given.audio_bytes
        if given.audio is not None:
            try:
                pcm = base64.b64decode(given.audio, validate=True)
            except ValueError:
                raise ValueError(f"item {item.id}: audio is not valid base64") from None
            audio.append((part, pcm))
        item.content.append(part)
    return item, audio


# -- recreating --------------------------------------------------------------------------------


def history_events(items: Iterable[Item], *, audio: bool = False) -> list[ConversationItemCreate]:
    """The ``conversation.item.create`` events that recreate ``items`` on an empty session.

    Each keeps the item's id and names the one before it as ``previous_item_id``; items
    convert as :func:`recreatable` says (audio as its transcript unless ``audio=True`` and
    the audio was kept whole). Deleted items and MCP items are left out.
    """
    events: list[ConversationItemCreate] = []
    previous: str | None = None
    for given in recreatable((i for i in items if not i.deleted), audio=audio):
        event = ConversationItemCreate(item=given)
        if previous is not None:
            event.previous_item_id = previous
        events.append(event)
        item_id = getattr(given, "id", None)
        previous = item_id if isinstance(item_id, str) else previous
    return events


def created_id(event: Any) -> str | None:
    """The item id an acknowledgement (``conversation.item.added``/``created``) names."""
    item_id = getattr(event.item, "id", None)
    return item_id if isinstance(item_id, str) else None
