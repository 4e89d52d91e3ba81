"""The blocking views of the helpers: ``sync_bus.session``, ``sync_bus.response``, ... for
Realtime, and ``sync_bus.session.commentary``, ``sync_bus.decision``, ... for GPT-Live.

Each names its async twin's helpers once; the types (overloads included) come from there.
"""

from __future__ import annotations

from ..bus._live_resources import (
    LiveCommentaryResource,
    LiveDecisionItemResource,
    LiveDecisionResource,
    LiveInputAudioResource,
    LiveInstructionsResource,
    LiveOutputAudioFixtureResource,
    LiveResponseItemResource,
    LiveResponseResource,
    LiveSessionResource,
    LiveThinkingResource,
    SidebandTransportDtmfResource,
)
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
    "SyncLiveDecisionResource",
    "SyncLiveResponseResource",
    "SyncLiveSessionResource",
    "SyncOutputAudioBufferResource",
    "SyncResponseResource",
    "SyncSessionResource",
    "SyncSidebandTransportResource",
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


# -- GPT-Live -----------------------------------------------------------------------------


class SyncLiveInputAudioResource(SyncNamespace):
    """``sync_bus.session.input_audio``."""

    __slots__ = ()
    append = blocking(LiveInputAudioResource.append)
    mute = blocking(LiveInputAudioResource.mute)
    unmute = blocking(LiveInputAudioResource.unmute)


class SyncLiveInstructionsResource(SyncNamespace):
    """``sync_bus.session.instructions``."""

    __slots__ = ()
    append = blocking(LiveInstructionsResource.append)


class SyncLiveThinkingResource(SyncNamespace):
    """``sync_bus.session.thinking``."""

    __slots__ = ()
    append = blocking(LiveThinkingResource.append)


class SyncLiveCommentaryResource(SyncNamespace):
    """``sync_bus.session.commentary``."""

    __slots__ = ()
    append = blocking(LiveCommentaryResource.append)


class SyncLiveOutputAudioFixtureResource(SyncNamespace):
    """``sync_bus.session.output_audio.fixture``."""

    __slots__ = ()
    play = blocking(LiveOutputAudioFixtureResource.play)


class SyncLiveOutputAudioResource(SyncNamespace):
    """``sync_bus.session.output_audio``."""

    __slots__ = ()
    fixture = nested(SyncLiveOutputAudioFixtureResource)


class SyncLiveSessionResource(SyncNamespace):
    """``sync_bus.session`` of a Live bus."""

    __slots__ = ()
    update = blocking(LiveSessionResource.update)
    close = blocking(LiveSessionResource.close)
    input_audio = nested(SyncLiveInputAudioResource)
    instructions = nested(SyncLiveInstructionsResource)
    thinking = nested(SyncLiveThinkingResource)
    commentary = nested(SyncLiveCommentaryResource)
    output_audio = nested(SyncLiveOutputAudioResource)


class SyncLiveDecisionItemResource(SyncNamespace):
    """``sync_bus.decision.item``."""

    __slots__ = ()
    create = blocking(LiveDecisionItemResource.create)
    delete = blocking(LiveDecisionItemResource.delete)


class SyncLiveDecisionResource(SyncNamespace):
    """``sync_bus.decision``."""

    __slots__ = ()
    create = blocking(LiveDecisionResource.create)
    item = nested(SyncLiveDecisionItemResource)


class SyncLiveResponseItemResource(SyncNamespace):
    """``sync_bus.response.item`` of a Live bus."""

    __slots__ = ()
    create = blocking(LiveResponseItemResource.create)


class SyncLiveResponseResource(SyncNamespace):
    """``sync_bus.response`` of a Live bus."""

    __slots__ = ()
    create = blocking(LiveResponseResource.create)
    item = nested(SyncLiveResponseItemResource)


class SyncSidebandTransportDtmfResource(SyncNamespace):
    """``sync_bus.transport.dtmf``."""

    __slots__ = ()
    send = blocking(SidebandTransportDtmfResource.send)


class SyncSidebandTransportResource(SyncNamespace):
    """``sync_bus.transport`` (sideband only)."""

    __slots__ = ()
    dtmf = nested(SyncSidebandTransportDtmfResource)
