"""The blocking views of the GPT-Live helpers: ``sync_bus.session.commentary.append(...)``,
``sync_bus.decision.create()``, ``sync_bus.transport.dtmf.send(...)``, ..."""

from __future__ import annotations

from ..bus._live_resources import (
    LiveDecisionItemResource,
    LiveDecisionResource,
    LiveInputAudioResource,
    LiveInstructionsResource,
    LiveOutputAudioFixtureResource,
    LiveResponseItemResource,
    LiveResponseResource,
    LiveSessionResource,
    SidebandTransportDtmfResource,
)
from ._namespace import SyncNamespace, blocking, nested

__all__ = [
    "SyncLiveDecisionResource",
    "SyncLiveResponseResource",
    "SyncLiveSessionResource",
    "SyncSidebandTransportResource",
]


class SyncLiveInputAudioResource(SyncNamespace):
    """``sync_bus.session.input_audio``."""

    __slots__ = ()
    append = blocking(LiveInputAudioResource.append)
    mute = blocking(LiveInputAudioResource.mute)
    unmute = blocking(LiveInputAudioResource.unmute)


class SyncLiveAppendResource(SyncNamespace):
    """``sync_bus.session.instructions``, ``.thinking`` and ``.commentary``."""

    __slots__ = ()
    append = blocking(LiveInstructionsResource.append)


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
    instructions = nested(SyncLiveAppendResource)
    thinking = nested(SyncLiveAppendResource)
    commentary = nested(SyncLiveAppendResource)
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
