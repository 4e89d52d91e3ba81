"""Which server event acknowledges which client event.

No acknowledgement echoes the client's ``event_id``; only an ``error`` names it. Successes are
matched by what they acknowledge: the item id, the response id, or simply the next event of the
acknowledging type where the protocol offers nothing better.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..protocol import (
    ClientEvent,
    ConversationItemCreate,
    ConversationItemDelete,
    ConversationItemRetrieve,
    ConversationItemTruncate,
    InputAudioBufferClear,
    InputAudioBufferCommit,
    OutputAudioBufferClear,
    ResponseCancel,
    ResponseCreate,
    SessionUpdate,
    TranslationSessionUpdate,
)

__all__ = ["AckRule", "ack_rule"]

AckRule = tuple[tuple[str, ...], Callable[[Any], bool]]


def _always(_event: Any) -> bool:
    return True


def _set(value: Any) -> bool:
    return isinstance(value, str)


def ack_rule(event: ClientEvent) -> AckRule | None:
    """The acknowledging event types and a test for the one that answers ``event``.

    ``None`` for events the server never acknowledges (``input_audio_buffer.append``).
    """
    if isinstance(event, (SessionUpdate, TranslationSessionUpdate)):
        return ("session.updated",), _always
    if isinstance(event, ConversationItemCreate):
        item_id = getattr(event.item, "id", None)
        if _set(item_id):
            return ("conversation.item.added", "conversation.item.created"), (
                lambda e: getattr(e.item, "id", None) == item_id
            )
        return ("conversation.item.added", "conversation.item.created"), _always
    if isinstance(event, ConversationItemDelete):
        return ("conversation.item.deleted",), lambda e: e.item_id == event.item_id
    if isinstance(event, ConversationItemRetrieve):
        return ("conversation.item.retrieved",), (
            lambda e: getattr(e.item, "id", None) == event.item_id
        )
    if isinstance(event, ConversationItemTruncate):
        return ("conversation.item.truncated",), lambda e: e.item_id == event.item_id
    if isinstance(event, InputAudioBufferCommit):
        return ("input_audio_buffer.committed",), _always
    if isinstance(event, InputAudioBufferClear):
        return ("input_audio_buffer.cleared",), _always
    if isinstance(event, OutputAudioBufferClear):
        return ("output_audio_buffer.cleared",), _always
    if isinstance(event, ResponseCreate):
        params = event.response
        metadata = getattr(params, "metadata", None)
        if isinstance(metadata, dict) and metadata:
            return ("response.created",), lambda e: e.response.metadata == metadata
        return ("response.created",), _always
    if isinstance(event, ResponseCancel):
        wanted = event.response_id

        def cancelled(e: Any) -> bool:
            if e.response.status != "cancelled":
                return False
            return not _set(wanted) or e.response.id == wanted

        return ("response.done",), cancelled
    return None
