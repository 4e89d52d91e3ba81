"""The sync facade of a GPT-Live bus: ``SyncBus.live(...)`` and its sideband and fork twins."""

from __future__ import annotations

from typing import Any

from ..bus import LiveBus
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
from ..protocol import live as L
from ._bus import SyncBus
from ._namespace import SyncNamespace, blocking, nested

__all__ = ["SyncLiveBus"]


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


class SyncLiveBus(SyncBus):
    """A blocking :class:`~realtime_bus.LiveBus`: ``bus.session.commentary.append(...)``,
    ``bus.decision.create()``, ``bus.response.create()`` (and ``bus.transport`` on a sideband)
    block as their async twins await.

    ::

        with SyncBus.live(model="gpt-live-1", instructions="Be brief.") as bus:
            bus.session.input_audio.append(pcm)
            print(bus.wait_for("session.output_transcript.delta", timeout=10).delta)
    """

    session: SyncLiveSessionResource  # type: ignore[assignment]
    response: SyncLiveResponseResource  # type: ignore[assignment]

    def __init__(self, *, bus: LiveBus) -> None:
        super().__init__(bus=bus)
        self.async_bus: LiveBus = bus
        invoke = self._invoke
        self.session = SyncLiveSessionResource(bus.session, invoke, "session")
        self.response = SyncLiveResponseResource(bus.response, invoke, "response")
        self.decision = SyncLiveDecisionResource(bus.decision, invoke, "decision")
        self.transport = (
            SyncSidebandTransportResource(bus.transport, invoke, "transport")
            if bus.transport is not None
            else None
        )

    @property
    def context_usage_ratio(self) -> float | None:
        """How full the model's context is (0 to 1), from the latest usage update."""
        return self.async_bus.context_usage_ratio

    @property
    def usage(self) -> L.SessionUsage | None:
        """The session's usage, from the latest update."""
        return self.async_bus.usage

    @property
    def close_reason(self) -> L.CloseReason | None:
        """Why the last session closed, once one has."""
        return self.async_bus.close_reason


def live(model: str | None = "gpt-live-1", **kwargs: Any) -> SyncLiveBus:
    """A sync bus to GPT-Live; takes the arguments of :meth:`LiveBus.openai`."""
    return SyncLiveBus(bus=LiveBus.openai(model, **kwargs))


def azure_live(*, endpoint: str, **kwargs: Any) -> SyncLiveBus:
    """A sync bus to GPT-Live on Azure; takes the arguments of :meth:`LiveBus.azure`."""
    return SyncLiveBus(bus=LiveBus.azure(endpoint=endpoint, **kwargs))


def live_sideband(session_id: str, **kwargs: Any) -> SyncLiveBus:
    """A sync bus attached to a running Live session (see :meth:`LiveBus.sideband`)."""
    return SyncLiveBus(bus=LiveBus.sideband(session_id, **kwargs))


def live_fork(session_id: str, **kwargs: Any) -> SyncLiveBus:
    """A sync bus on a fork of a stored Live session (see :meth:`LiveBus.fork`)."""
    return SyncLiveBus(bus=LiveBus.fork(session_id, **kwargs))
