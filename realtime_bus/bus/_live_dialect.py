"""GPT-Live as a bus dialect: codec, client-first handshake, acknowledgements, session memory.

A Live session starts with the client's ``session.start``, built from the configuration the
bus keeps (so a reconnect starts a new session configured as the last one was: the start
event itself is the replay); ``session.started`` opens it. Every Live acknowledgement echoes
the command's ``event_id`` as ``client_event_id``, so requests are matched exactly, and an
``error`` names the failed command the same way. ``session.update`` changes the kept
delegation and triggers.

Three dialects: ``live`` (the primary connection), ``live_fork`` (a fork: its start event
carries the fork's overrides) and ``live_sideband`` (attaches to a running session: nothing
is sent first and nothing is waited for).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from ..protocol import ClientEvent
from ..protocol import live as L
from ._correlation import AckRule
from ._dialect import DialectSpec, Handshake, register_dialect
from ._live_resources import LiveHelpers, SidebandHelpers
from ._sender import Sender

__all__ = ["LIVE_ACKS", "live_ack_rule", "live_dialect", "live_error_of"]

LIVE_ACKS: dict[type[ClientEvent], tuple[str, ...]] = {
    L.SessionStart: ("session.started",),
    L.ForkSessionStart: ("session.started",),
    L.SessionUpdate: ("session.updated",),
    L.InputAudioMute: ("session.input_audio.muted",),
    L.InputAudioUnmute: ("session.input_audio.unmuted",),
    L.OutputAudioFixturePlay: ("session.output_audio.fixture.playing",),
    L.InstructionsAppend: ("session.instructions.appended",),
    L.ThinkingAppend: ("session.thinking.appended",),
    L.CommentaryAppend: ("session.commentary.appended",),
    L.DecisionItemCreate: ("decision.item.created",),
    L.DecisionItemDelete: ("decision.item.deleted",),
    L.ResponseCreate: ("response.event",),
    L.SessionClose: ("session.closed",),
    L.TransportDtmfSend: ("transport.dtmf.sent",),
}
"""Which server event acknowledges each Live command (matched by ``client_event_id``).

``session.input_audio.append`` and ``response.item.create`` have no acknowledgement;
``decision.create`` is answered by a ``decision.event`` that does not name it.
"""


def live_ack_rule(event: ClientEvent) -> AckRule | None:
    """The acknowledging types and the test for the one answering ``event``."""
    if isinstance(event, L.DecisionCreate):
        # The answer carries no client_event_id: the next decision of no delegation or trigger.
        return ("decision.event",), (
            lambda e: not isinstance(e.delegation_id, str) and not isinstance(e.trigger_id, str)
        )
    types = LIVE_ACKS.get(type(event))
    if types is None:
        return None
    event_id = event.event_id
    return types, lambda e: getattr(e, "client_event_id", None) == event_id


def live_error_of(event: Any) -> str | None:
    """The ``event_id`` of the command a Live ``error`` names, if it is one."""
    if type(event) is not L.ErrorEvent:
        return None
    named = event.client_event_id
    if not isinstance(named, str):
        named = event.error.client_event_id
    return named if isinstance(named, str) else None


def _session_of(event: Any) -> tuple[str | None, int | None]:
    session = getattr(event, "session", None)
    if isinstance(session, L.SessionResource):
        return session.id, session.expires_at
    return None, None


def _configures(event: ClientEvent) -> Mapping[str, Any] | None:
    if isinstance(event, L.SessionUpdate):
        change: Mapping[str, Any] = msgspec.to_builtins(event.session)
        return change
    return None


def _start(config: Mapping[str, Any]) -> ClientEvent:
    return L.SessionStart(session=msgspec.convert(dict(config), L.SessionConfig))


def _fork_start(config: Mapping[str, Any]) -> ClientEvent:
    fork = {k: v for k, v in config.items() if k in L.ForkSessionConfig.__struct_fields__}
    return L.ForkSessionStart(session=msgspec.convert(fork, L.ForkSessionConfig))


def live_dialect(
    name: str = "live",
    *,
    start: Callable[[Mapping[str, Any]], ClientEvent] | None = _start,
    helpers: Callable[[Sender], Any] = LiveHelpers,
) -> DialectSpec:
    """A Live dialect (see the module docstring)."""
    return DialectSpec(
        name=name,
        decoder=L.live_decoder(),
        encoder=L.live_encoder(),
        handshake=Handshake(
            ready=frozenset({"session.started"}) if start is not None else frozenset(),
            start=start,
        ),
        acknowledgement=live_ack_rule,
        session_of=_session_of,
        configures=_configures,
        replay=None,
        helpers=helpers,
        error_event_id=live_error_of,
    )


register_dialect(lambda: live_dialect("live"), "live")
register_dialect(lambda: live_dialect("live_fork", start=_fork_start), "live_fork")
register_dialect(
    lambda: live_dialect("live_sideband", start=None, helpers=SidebandHelpers), "live_sideband"
)
