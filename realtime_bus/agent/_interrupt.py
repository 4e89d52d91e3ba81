"""What an interrupt sends, and how each of its client events is acknowledged.

The plan is data: :func:`plan` turns what playback knows (the active response, the items and
their played positions) into the client events to send, in the order the service wants them
(``response.cancel`` first, then ``output_audio_buffer.clear``, then one truncate or delete per
item). :class:`Interruption` reports what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..protocol import (
    ClientEvent,
    ConversationItemDelete,
    ConversationItemTruncate,
    ErrorEvent,
    OutputAudioBufferClear,
    ResponseCancel,
)
from ._ledger import ItemPosition

__all__ = ["CANCEL_LOST_RACE", "Interruption", "ack_of", "plan"]

CANCEL_LOST_RACE = frozenset({"response_cancel_not_active"})
"""Error codes that mean the response had already ended when ``response.cancel`` arrived."""


@dataclass(frozen=True, slots=True)
class Interruption:
    """What :meth:`Playback.interrupt` did.

    ``truncated`` maps an item id to the ``audio_end_ms`` it was truncated at; ``deleted``
    lists the items of which nothing was played. ``errors`` holds the service's refusals (a
    cancel that lost the race with the server is not one of them: it lands in
    ``cancel_lost_race``).
    """

    response_id: str | None = None
    cancelled: bool = False
    """``response.cancel`` was sent (and acknowledged, unless ``cancel_lost_race``)."""
    cancel_lost_race: bool = False
    """The response had already ended at the server; the cancel was absorbed."""
    cleared_output_buffer: bool = False
    truncated: dict[str, int] = field(default_factory=dict)
    deleted: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def did_anything(self) -> bool:
        """Whether anything was sent (a repeated interrupt sends nothing)."""
        return bool(self.cancelled or self.cleared_output_buffer or self.truncated or self.deleted)


def plan(
    *,
    cancel: str | None,
    clear_output_buffer: bool,
    items: Iterable[ItemPosition],
    silent_items: Iterable[tuple[str, int]] = (),
) -> list[ClientEvent]:
    """The events of one interrupt, in order.

    ``items`` are the audio items to cut: each is truncated at what was played of it, clamped
    to what was received, or deleted when nothing of it was played (the service refuses a
    truncation at 0 ms). ``silent_items`` are audio items whose audio had not arrived yet:
    deleted too.
    """
    events: list[ClientEvent] = []
    if cancel is not None:
        events.append(ResponseCancel(response_id=cancel))
    if clear_output_buffer:
        events.append(OutputAudioBufferClear())
    for item in items:
        end_ms = min(item.played_bytes, item.received_bytes) // item.bytes_per_ms
        if end_ms <= 0:
            events.append(ConversationItemDelete(item_id=item.item_id))
        else:
            events.append(
                ConversationItemTruncate(
                    item_id=item.item_id, content_index=item.content_index, audio_end_ms=end_ms
                )
            )
    for item_id, _ in silent_items:
        events.append(ConversationItemDelete(item_id=item_id))
    return events


def ack_of(event: ClientEvent) -> tuple[tuple[str, ...], Callable[[Any], bool]]:
    """The server events that answer ``event`` (its acknowledgement, or an error naming it)."""
    event_id = event.event_id

    def named(e: Any) -> bool:
        return type(e) is ErrorEvent and e.error.event_id == event_id

    if isinstance(event, ResponseCancel):
        rid = event.response_id

        def cancelled(e: Any) -> bool:
            # A response that ended otherwise (completed, or cancelled by the server's own
            # turn detection) means this cancel lost the race: its error follows, wait for it.
            if named(e):
                return True
            if type(e) is ErrorEvent or e.response.id != rid:
                return False
            details = e.response.status_details
            return getattr(details, "reason", None) == "client_cancelled"

        return ("response.done", "error"), cancelled
    if isinstance(event, OutputAudioBufferClear):
        return (
            "output_audio_buffer.cleared",
            "error",
        ), lambda e: named(e) or type(e) is not ErrorEvent
    item_id = getattr(event, "item_id", None)
    if isinstance(event, ConversationItemTruncate):
        return (
            "conversation.item.truncated",
            "error",
        ), lambda e: named(e) or (type(e) is not ErrorEvent and e.item_id == item_id)
    return (
        "conversation.item.deleted",
        "error",
    ), lambda e: named(e) or (type(e) is not ErrorEvent and e.item_id == item_id)
