"""A dialect is data the bus is built with: codec, handshake rule, acknowledgements, helpers.

The reader, writer, dispatcher, waiters, outbound queue and reconnects are the same for every
protocol family; what differs is captured in a :class:`DialectSpec`:

- ``decode`` / ``encode``: frames to typed events and back;
- ``handshake``: who speaks first. Realtime is *server first*: the server sends
  ``session.created`` and the writer waits for it. A *client first* protocol sends its start
  event (built from the session configuration) as soon as the socket opens, then waits for
  the server's answer (``Handshake(ready={"session.started"}, start=...)``);
- ``acknowledgement``: which server event answers which client event (for ``bus.request``);
- ``session_of``: the session id and expiry the ready event carries;
- ``configures`` / ``replay``: what a written client event adds to the configuration the bus
  keeps, and the event that sends it again on a new session (server-first protocols; a
  client-first start event already carries it);
- ``helpers``: the typed helper namespace (``bus.helpers``);
- ``error_types`` / ``error_event_id``: the server's error events and the client event each
  names (a request it names raises :class:`ServerError`).

Adding a dialect: build a ``DialectSpec`` from your protocol's codec and tables, then either
pass it as ``Bus(protocol=spec)`` or call :func:`register_dialect` so ``protocol="name"`` finds
it. Nothing in the bus's connection logic changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from ..protocol import ClientEvent, SessionUpdate, decoder_for, encoder_for
from ..transport import ConfigurationError
from ._correlation import AckRule, ack_rule
from ._resources import (
    ConversationResource,
    InputAudioBufferResource,
    OutputAudioBufferResource,
    ResponseResource,
    SessionResource,
)
from ._sender import Sender

__all__ = [
    "DialectSpec",
    "Handshake",
    "RealtimeHelpers",
    "dialect_for",
    "register_dialect",
]


class FrameDecoder(Protocol):
    """Turns one frame into a typed server event (raises ``DecodeError``)."""

    def decode(self, frame: bytes | str) -> Any:
        """The event in ``frame``."""
        ...


class FrameEncoder(Protocol):
    """Turns a client event into one frame."""

    def encode(self, event: Any) -> bytes:
        """The frame for ``event``."""
        ...


@dataclass(frozen=True, slots=True)
class Handshake:
    """How a session starts on a new connection.

    ``ready``: the server event types that establish it. ``start``: for client-first
    protocols, builds the first client event from the kept configuration; ``None`` means
    the server speaks first.
    """

    ready: frozenset[str]
    start: Callable[[Mapping[str, Any]], ClientEvent] | None = None

    @property
    def client_first(self) -> bool:
        """Whether the client sends first."""
        return self.start is not None


def _no_session(_event: Any) -> tuple[str | None, int | None]:
    return None, None


def _nothing(_event: Any) -> Mapping[str, Any] | None:
    return None


@dataclass(frozen=True)
class DialectSpec:
    """Everything protocol-specific a bus needs (see the module docstring)."""

    name: str
    decoder: FrameDecoder
    encoder: FrameEncoder
    handshake: Handshake
    acknowledgement: Callable[[ClientEvent], AckRule | None]
    session_of: Callable[[Any], tuple[str | None, int | None]] = _no_session
    configures: Callable[[ClientEvent], Mapping[str, Any] | None] = _nothing
    replay: Callable[[Mapping[str, Any]], ClientEvent] | None = None
    helpers: Callable[[Sender], Any] = field(default=lambda _sender: None)
    error_types: frozenset[str] = frozenset({"error"})
    """Server event types that report an error (a request they name fails with it)."""
    error_event_id: Callable[[Any], Any] = field(default=lambda event: event.error.event_id)
    """The client ``event_id`` an error event names."""


class RealtimeHelpers:
    """The Realtime helper namespaces (``bus.session``, ``bus.response``, ...)."""

    __slots__ = ("conversation", "input_audio_buffer", "output_audio_buffer", "response", "session")

    def __init__(self, sender: Sender) -> None:
        self.session = SessionResource(sender)
        self.response = ResponseResource(sender)
        self.input_audio_buffer = InputAudioBufferResource(sender)
        self.conversation = ConversationResource(sender)
        self.output_audio_buffer = OutputAudioBufferResource(sender)


def _realtime_session(event: Any) -> tuple[str | None, int | None]:
    session = event.session
    sid = session.id if isinstance(session.id, str) else None
    expires = session.expires_at if isinstance(session.expires_at, int) else None
    return sid, expires


def _realtime_configures(event: ClientEvent) -> Mapping[str, Any] | None:
    if type(event) is SessionUpdate:
        config: Mapping[str, Any] = msgspec.to_builtins(event.session)
        return config
    return None


def _realtime_replay(config: Mapping[str, Any]) -> ClientEvent:
    return msgspec.convert({"type": "session.update", "session": config}, SessionUpdate)


def _realtime(name: str) -> DialectSpec:
    return DialectSpec(
        name=name,
        decoder=decoder_for(name),  # type: ignore[arg-type]
        encoder=encoder_for(name),  # type: ignore[arg-type]
        handshake=Handshake(ready=frozenset({"session.created"})),
        acknowledgement=ack_rule,
        session_of=_realtime_session,
        configures=_realtime_configures,
        replay=_realtime_replay,
        helpers=RealtimeHelpers,
    )


_DIALECTS: dict[str, Callable[[], DialectSpec]] = {
    "ga": lambda: _realtime("ga"),
    "beta": lambda: _realtime("beta"),
    "translation": lambda: _realtime("translation"),
}
_built: dict[str, DialectSpec] = {}


def register_dialect(
    spec: DialectSpec | Callable[[], DialectSpec], name: str | None = None
) -> None:
    """Make ``protocol=name`` build buses speaking ``spec`` (a spec, or a function making one)."""
    if isinstance(spec, DialectSpec):
        ready = spec
        name = name or spec.name
        _DIALECTS[name] = lambda: ready
    else:
        if name is None:
            raise TypeError("give the name a dialect factory registers under")
        _DIALECTS[name] = spec
    _built.pop(name, None)


def dialect_for(protocol: str | DialectSpec) -> DialectSpec:
    """The dialect named ``protocol`` (one built per name and shared by every bus)."""
    if isinstance(protocol, DialectSpec):
        return protocol
    spec = _built.get(protocol)
    if spec is None:
        factory = _DIALECTS.get(protocol)
        if factory is None:
            known = ", ".join(repr(n) for n in sorted(_DIALECTS))
            raise ConfigurationError(f"unknown protocol {protocol!r}: expected one of {known}")
        spec = _built[protocol] = factory()
    return spec
