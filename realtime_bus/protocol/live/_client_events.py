"""Every event a client sends on a GPT-Live connection (primary, sideband or fork).

Most are answered by an acknowledgement carrying the command's ``event_id`` as
``client_event_id``; a refusal is an ``error`` whose ``client_event_id`` names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from msgspec import UNSET, UnsetType

from .._base import ClientEvent, _AudioEvent, defined_names, install_type_names
from ._decisions import DecisionItem
from ._session import ForkSessionConfig, SessionConfig, SessionUpdateConfig


class SessionStart(ClientEvent, tag="session.start"):
    """The first message on a primary connection: the whole configuration.

    Answered by ``session.started`` (the resolved configuration and the session id); nothing
    else may be sent before it.
    """

    session: SessionConfig


class ForkSessionStart(ClientEvent, tag="session.start"):
    """The first message on a fork connection: what the fork changes from its parent.

    Answered by ``session.started`` for the new session.
    """

    session: ForkSessionConfig


class SessionUpdate(ClientEvent, tag="session.update"):
    """Change delegation or transcript triggers. Answered by ``session.updated``."""

    session: SessionUpdateConfig


class InputAudioAppend(_AudioEvent, tag="session.input_audio.append"):
    """Send base64 audio in the session's input format (no acknowledgement).

    Build one from PCM bytes with :meth:`from_pcm`. Only the primary connection sends audio.
    """


class InputAudioMute(ClientEvent, tag="session.input_audio.mute"):
    """Stop feeding input audio to the model. Answered by ``session.input_audio.muted``."""


class InputAudioUnmute(ClientEvent, tag="session.input_audio.unmute"):
    """Feed input audio to the model again. Answered by ``session.input_audio.unmuted``."""


class OutputAudioFixturePlay(_AudioEvent, tag="session.output_audio.fixture.play"):
    """Play a complete clip (PCM16 24 kHz mono, base64, at most 30 s) through the output.

    Answered by ``session.output_audio.fixture.playing`` then ``...played``; input is muted
    while it plays.
    """


class InstructionsAppend(ClientEvent, tag="session.instructions.append"):
    """Add developer instructions while the session runs (optionally for a delegation).

    Answered by ``session.instructions.appended``.
    """

    content: str
    delegation_id: str | UnsetType | None = UNSET


class ThinkingAppend(ClientEvent, tag="session.thinking.append"):
    """Give the model silent reasoning or progress (optionally for a delegation).

    Answered by ``session.thinking.appended``.
    """

    content: str
    delegation_id: str | UnsetType | None = UNSET


class CommentaryAppend(ClientEvent, tag="session.commentary.append"):
    """Give the model something to tell the user (optionally the result of a delegation).

    Answered by ``session.commentary.appended``.
    """

    content: str
    delegation_id: str | UnsetType | None = UNSET


class DecisionCreate(ClientEvent, tag="decision.create"):
    """Evaluate the configured questions now. ``event_id`` is required and may not be reused.

    Answered by ``decision.event``.
    """

    event_id: str


class DecisionItemCreate(ClientEvent, tag="decision.item.create"):
    """Add an input item for future decisions. Answered by ``decision.item.created``."""

    item: DecisionItem


class DecisionItemDelete(ClientEvent, tag="decision.item.delete"):
    """Remove an input item from future decisions. Answered by ``decision.item.deleted``."""

    item_id: str


class ResponseItemCreate(ClientEvent, tag="response.item.create"):
    """Add an input item to the Responses backend (a message, a function call's output, ...).

    ``item`` is a Responses API input item, carried as its JSON object: that API's item
    types are its own, outside the Live protocol. Requires Responses delegation.
    """

    item: dict[str, Any]


class ResponseCreate(ClientEvent, tag="response.create"):
    """Ask the Responses backend for a response, or continue one waiting for tool results."""


class SessionClose(ClientEvent, tag="session.close"):
    """Close the session. Answered by ``session.closed`` with the reason and final usage."""


class TransportDtmfSend(ClientEvent, tag="transport.dtmf.send"):
    """Send one DTMF key (``0``-``9``, ``A``-``D``, ``*``, ``#``) on a SIP call (sideband only).

    Answered by ``transport.dtmf.sent`` on the sideband.
    """

    event: str


_COMMON: tuple[type[ClientEvent], ...] = (
    SessionUpdate,
    InputAudioMute,
    InputAudioUnmute,
    OutputAudioFixturePlay,
    InstructionsAppend,
    ThinkingAppend,
    CommentaryAppend,
    DecisionCreate,
    DecisionItemCreate,
    DecisionItemDelete,
    ResponseItemCreate,
    ResponseCreate,
    SessionClose,
)

PRIMARY_CLIENT_EVENT_CLASSES: tuple[type[ClientEvent], ...] = (
    SessionStart,
    InputAudioAppend,
    *_COMMON,
)
"""What a client may send on the primary connection (``/v1/live/sessions``)."""

SIDEBAND_CLIENT_EVENT_CLASSES: tuple[type[ClientEvent], ...] = (*_COMMON, TransportDtmfSend)
"""What a server may send on a sideband (``/v1/live/sessions/{id}/attach``)."""

FORK_CLIENT_EVENT_CLASSES: tuple[type[ClientEvent], ...] = (
    ForkSessionStart,
    InputAudioAppend,
    *_COMMON,
)
"""What a client may send on a fork (``/v1/live/sessions/{id}/fork``)."""

CLIENT_EVENT_CLASSES: tuple[type[ClientEvent], ...] = (
    SessionStart,
    ForkSessionStart,
    InputAudioAppend,
    *_COMMON,
    TransportDtmfSend,
)
"""Every Live client event class (two of them share the wire name ``session.start``)."""

install_type_names(CLIENT_EVENT_CLASSES)

AnyClientEvent: TypeAlias = (
    SessionStart
    | ForkSessionStart
    | SessionUpdate
    | InputAudioAppend
    | InputAudioMute
    | InputAudioUnmute
    | OutputAudioFixturePlay
    | InstructionsAppend
    | ThinkingAppend
    | CommentaryAppend
    | DecisionCreate
    | DecisionItemCreate
    | DecisionItemDelete
    | ResponseItemCreate
    | ResponseCreate
    | SessionClose
    | TransportDtmfSend
)
"""The typed union of every Live client event."""

if not TYPE_CHECKING:  # type checkers read the definitions above themselves
    __all__ = defined_names(globals())
