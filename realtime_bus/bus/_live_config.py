"""What a GPT-Live bus is built from: its ``session.start`` configuration, its endpoints, and
the lifecycle event that announces the end of its session.

Nothing here needs the bus: :class:`~realtime_bus.LiveBus` (next to :class:`~realtime_bus.Bus`,
whose ``Bus.live(...)`` constructors return it) is built from these parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import quote

from msgspec import UNSET, UnsetType

from ..protocol import live as L
from ..transport import Endpoint, TokenProvider
from ..transport._endpoint import _with_query, _ws_scheme
from ._lifecycle import LifecycleEvent

__all__ = [
    "ENDS_THE_BUS",
    "SETTINGS",
    "LiveSessionClosed",
    "azure_live_endpoint",
    "live_endpoint",
    "live_session_config",
    "session_suffix",
]

ENDS_THE_BUS: frozenset[str] = frozenset({"close_requested", "remote_hangup"})


class LiveSessionClosed(LifecycleEvent, frozen=True, kw_only=True):
    """The server closed the Live session (``session.closed``): why, and its final usage.

    ``will_reconnect`` says whether the bus starts a new session (configured as this one was).
    """

    type: ClassVar[str] = "bus.live_session_closed"
    session_id: str | None
    reason: L.CloseReason
    seconds: float
    will_reconnect: bool


def live_session_config(
    model: str | None = "gpt-live-1",
    *,
    instructions: str | UnsetType = UNSET,
    voice: L.Voice | UnsetType = UNSET,
    audio_format: L.AudioFormat | UnsetType = UNSET,
    delegation: L.DelegationConfig | UnsetType = UNSET,
    triggers: list[L.DecisionTrigger] | UnsetType = UNSET,
    input: list[L.InitialItem] | UnsetType = UNSET,
    store: bool | UnsetType = UNSET,
    session: L.SessionConfig | None = None,
) -> L.SessionConfig:
    """The ``session.start`` configuration from keyword settings (or ``session`` as given)."""
    if session is not None:
        return session
    if model is None:
        raise ValueError("a Live session needs a model (or a session=...)")
    audio: L.AudioConfig | UnsetType = UNSET
    if voice is not UNSET or audio_format is not UNSET:
        audio = L.AudioConfig(
            format=audio_format,
            output=L.AudioOutputConfig(voice=voice) if voice is not UNSET else UNSET,
        )
    return L.SessionConfig(
        model=model,
        instructions=instructions,
        audio=audio,
        delegation=delegation,
        triggers=triggers,
        input=input,
        store=store,
    )


def live_endpoint(
    suffix: str,
    connection: tuple[str, dict[str, str]],
    extra_query: Mapping[str, str] | None = None,
) -> Endpoint:
    """The OpenAI Live endpoint (``.../v1/live/sessions`` + ``suffix``), as the ``openai``
    package builds it: ``connection`` is the base URL and headers (the key as a bearer token)
    of :func:`~realtime_bus.transport._endpoint.openai_base_and_headers`; no query parameters
    but ``extra_query``."""
    base, headers = connection
    return Endpoint(
        url=_with_query(base + "/live/sessions" + suffix, dict(extra_query or {})), headers=headers
    )


def azure_live_endpoint(
    endpoint: str,
    headers: dict[str, str],
    token_provider: TokenProvider | None = None,
    extra_query: Mapping[str, str] | None = None,
) -> Endpoint:
    """An Azure OpenAI Live endpoint (``{endpoint}/openai/v1/live/sessions``) with the headers
    of :func:`~realtime_bus.transport._endpoint.azure_headers`; a ``token_provider`` (Entra
    ID) is asked for a fresh token before every connection."""
    url = _ws_scheme(endpoint).rstrip("/") + "/openai/v1/live/sessions"
    return Endpoint(
        url=_with_query(url, dict(extra_query or {})),
        headers=headers,
        token_provider=token_provider,
    )


def session_suffix(session_id: str, action: str) -> str:
    if not session_id:
        raise ValueError("give the id of the Live session")
    return f"/{quote(session_id, safe='')}/{action}"


# The keyword settings that make a session's configuration.
SETTINGS = ("instructions", "voice", "audio_format", "delegation", "triggers", "input", "store")
