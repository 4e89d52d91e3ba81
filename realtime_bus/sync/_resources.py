"""The blocking views of the Realtime helpers: ``sync_bus.session``, ``sync_bus.response``, ...

Each names its async twin's helpers once; the types (overloads included) come from there.
"""

from __future__ import annotations

from ..bus._resources import (
    ConversationItemResource,
    InputAudioBufferResource,
    OutputAudioBufferResource,
    ResponseResource,
    SessionResource,
)
from ._namespace import SyncNamespace, blocking, nested

__all__ = [
    "SyncConversationItemResource",
    "SyncConversationResource",
    "SyncInputAudioBufferResource",
    "SyncOutputAudioBufferResource",
    "SyncResponseResource",
    "SyncSessionResource",
]


class SyncSessionResource(SyncNamespace):
    """``sync_bus.session``."""

    __slots__ = ()
    update = blocking(SessionResource.update)


class SyncResponseResource(SyncNamespace):
    """``sync_bus.response``."""

    __slots__ = ()
    create = blocking(ResponseResource.create)
    cancel = blocking(ResponseResource.cancel)


class SyncInputAudioBufferResource(SyncNamespace):
    """``sync_bus.input_audio_buffer``."""

    __slots__ = ()
    append = blocking(InputAudioBufferResource.append)
    commit = blocking(InputAudioBufferResource.commit)
    clear = blocking(InputAudioBufferResource.clear)


class SyncOutputAudioBufferResource(SyncNamespace):
    """``sync_bus.output_audio_buffer``."""

    __slots__ = ()
    clear = blocking(OutputAudioBufferResource.clear)


class SyncConversationItemResource(SyncNamespace):
    """``sync_bus.conversation.item``."""

    __slots__ = ()
    create = blocking(ConversationItemResource.create)
    delete = blocking(ConversationItemResource.delete)
    retrieve = blocking(ConversationItemResource.retrieve)
    truncate = blocking(ConversationItemResource.truncate)


class SyncConversationResource(SyncNamespace):
    """``sync_bus.conversation``."""

    __slots__ = ()
    item = nested(SyncConversationItemResource)
