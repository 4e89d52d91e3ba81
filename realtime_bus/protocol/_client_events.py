"""Every event the client sends on a realtime or transcription session (GA protocol)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, get_args

from msgspec import UNSET, UnsetType

from ._base import ClientEvent, _AudioEvent, defined_names, install_type_names
from ._models import ConversationItem, ResponseCreateParams, Session


class SessionUpdate(ClientEvent, tag="session.update"):
    """Change the session's configuration; only the fields that are set change.

    Answered by ``session.updated``, or by an ``error`` naming this event's ``event_id``.
    """

    session: Session


class ConversationItemCreate(ClientEvent, tag="conversation.item.create"):
    """Add an item to the conversation (after ``previous_item_id``, ``"root"`` for the start).

    Answered by ``conversation.item.added`` then ``conversation.item.done``.
    """

    item: ConversationItem
    previous_item_id: str | UnsetType | None = UNSET


class ConversationItemDelete(ClientEvent, tag="conversation.item.delete"):
    """Remove an item. Answered by ``conversation.item.deleted``."""

    item_id: str


class ConversationItemRetrieve(ClientEvent, tag="conversation.item.retrieve"):
    """Ask for the server's copy of an item. Answered by ``conversation.item.retrieved``."""

    item_id: str


class ConversationItemTruncate(ClientEvent, tag="conversation.item.truncate"):
    """Cut an assistant audio item at ``audio_end_ms`` (what the user actually heard).

    Answered by ``conversation.item.truncated``.
    """

    item_id: str
    content_index: int
    audio_end_ms: int


class InputAudioBufferAppend(_AudioEvent, tag="input_audio_buffer.append"):
    """Append base64 audio to the input buffer (no acknowledgement).

    Build one from PCM bytes with :meth:`from_pcm`.
    """


class InputAudioBufferCommit(ClientEvent, tag="input_audio_buffer.commit"):
    """Turn the input buffer into a user item. Answered by ``input_audio_buffer.committed``."""


class InputAudioBufferClear(ClientEvent, tag="input_audio_buffer.clear"):
    """Empty the input buffer. Answered by ``input_audio_buffer.cleared``."""


class OutputAudioBufferClear(ClientEvent, tag="output_audio_buffer.clear"):
    """Stop playing output audio (WebRTC and SIP). Answered by ``output_audio_buffer.cleared``."""


class ResponseCreate(ClientEvent, tag="response.create"):
    """Ask the model to respond. Answered by ``response.created`` ... ``response.done``."""

    response: ResponseCreateParams | UnsetType | None = UNSET


class ResponseCancel(ClientEvent, tag="response.cancel"):
    """Cancel the active response (or the one named). Answered by ``response.done`` (cancelled)."""

    response_id: str | UnsetType | None = UNSET


AnyClientEvent: TypeAlias = (
    ConversationItemCreate
    | ConversationItemDelete
    | ConversationItemRetrieve
    | ConversationItemTruncate
    | InputAudioBufferAppend
    | InputAudioBufferClear
    | InputAudioBufferCommit
    | OutputAudioBufferClear
    | ResponseCancel
    | ResponseCreate
    | SessionUpdate
)
"""The typed union of every GA client event."""

CLIENT_EVENT_CLASSES: tuple[type[ClientEvent], ...] = get_args(AnyClientEvent)
"""Every GA client event class, in the union's order."""
install_type_names(CLIENT_EVENT_CLASSES)

if not TYPE_CHECKING:  # type checkers read the definitions above themselves
    __all__ = defined_names(globals())
