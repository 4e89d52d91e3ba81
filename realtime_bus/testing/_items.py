"""The conversation item events: create, delete, retrieve and truncate, with the service's errors.

Truncation follows the service's rules, which clients most often get wrong: only assistant items
that carry audio can be truncated, never at 0 ms nor past the audio that was actually sent
(``Audio content of 3700ms is already shorter than 3760ms``); a truncated item loses its
transcript.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from msgspec import UNSET

from ..protocol import (
    ClientEvent,
    ConversationItemAdded,
    ConversationItemCreate,
    ConversationItemDelete,
    ConversationItemDeleted,
    ConversationItemDone,
    ConversationItemRetrieve,
    ConversationItemRetrieved,
    ConversationItemTruncate,
    ConversationItemTruncated,
    MessageItem,
    pcm_from_base64,
)
from ._conversation import StoredItem, check_item, completed, public_item
from ._errors import invalid_request, item_not_found
from ._speech import decode_speech

if TYPE_CHECKING:
    from ._port import SessionPort

__all__ = ["item_create", "item_delete", "item_retrieve", "item_truncate"]


def _event_id(event: ClientEvent) -> str | None:
    return event.event_id if isinstance(event.event_id, str) else None


def item_create(session: SessionPort, event: ConversationItemCreate) -> None:
    event_id = _event_id(event)
    item = event.item
    given_id = getattr(item, "id", UNSET)
    if isinstance(given_id, str) and given_id in session.conversation:
        session.emit_error(
            invalid_request(
                f"Item with id '{given_id}' already exists.",
                code="invalid_value",
                param="item.id",
                event_id=event_id,
            )
        )
        return
    previous = event.previous_item_id
    if isinstance(previous, str) and previous != "root" and previous not in session.conversation:
        session.emit_error(
            invalid_request(
                f"Previous item with id '{previous}' does not exist.",
                code="invalid_value",
                param="previous_item_id",
                event_id=event_id,
            )
        )
        return
    error = check_item(item)
    if error is not None:
        session.emit_error(msgspec.structs.replace(error, event_id=event_id))
        return
    item_id = given_id if isinstance(given_id, str) and given_id else session.new_id("item")
    stored = StoredItem(item)
    if isinstance(item, MessageItem):
        for index, part in enumerate(item.content):
            if isinstance(part.audio, str) and part.audio:
                try:
                    pcm = pcm_from_base64(part.audio)
                except ValueError:
                    session.emit_error(
                        invalid_request(
                            "Invalid audio: expected base64-encoded audio bytes.",
                            code="invalid_value",
                            param=f"item.content[{index}].audio",
                            event_id=event_id,
                        )
                    )
                    return
                stored.audio[index] = pcm
                heard = decode_speech(pcm)
                if heard is not None:
                    stored.heard[index] = heard
    stored.item = completed(public_item(item), item_id)
    placed_after = session.conversation.add(stored, previous)
    shown = stored.item
    session.emit(ConversationItemAdded(item=shown, previous_item_id=placed_after))
    session.emit(ConversationItemDone(item=shown, previous_item_id=placed_after))


def item_delete(session: SessionPort, event: ConversationItemDelete) -> None:
    if event.item_id not in session.conversation:
        session.emit_error(item_not_found("deleting", event.item_id, _event_id(event)))
        return
    session.conversation.delete(event.item_id)
    session.emit(ConversationItemDeleted(item_id=event.item_id))


def item_retrieve(session: SessionPort, event: ConversationItemRetrieve) -> None:
    stored = session.conversation.get(event.item_id)
    if stored is None:
        session.emit_error(item_not_found("retrieving", event.item_id, _event_id(event)))
        return
    session.emit(ConversationItemRetrieved(item=stored.with_audio()))


def item_truncate(session: SessionPort, event: ConversationItemTruncate) -> None:
    event_id = _event_id(event)
    stored = session.conversation.get(event.item_id)
    if stored is None:
        session.emit_error(item_not_found("truncating", event.item_id, event_id))
        return
    item = stored.item
    index = event.content_index
    is_audio = (
        isinstance(item, MessageItem)
        and item.role == "assistant"
        and 0 <= index < max(len(item.content), 1)
        and stored.audio_ms(index) > 0
    )
    if not is_audio or event.audio_end_ms <= 0:
        session.emit_error(
            invalid_request("Only model output audio messages can be truncated", event_id=event_id)
        )
        return
    duration = stored.audio_ms(index)
    if event.audio_end_ms > duration:
        session.emit_error(
            invalid_request(
                f"Audio content of {duration}ms is already shorter than {event.audio_end_ms}ms",
                code="invalid_value",
                param="audio_end_ms",
                event_id=event_id,
            )
        )
        return
    keep = event.audio_end_ms * 48 // 2 * 2
    stored.audio[index] = stored.pcm(index)[:keep]
    stored.audio_sent.pop(index, None)
    stored.truncated = True
    assert isinstance(item, MessageItem)
    if index < len(item.content):
        content = list(item.content)
        content[index] = msgspec.structs.replace(content[index], transcript="")
        stored.item = msgspec.structs.replace(item, content=content)
    session.emit(
        ConversationItemTruncated(
            item_id=event.item_id,
            content_index=index,
            audio_end_ms=event.audio_end_ms,
        )
    )
