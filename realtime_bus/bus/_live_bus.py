"""A bus speaking GPT-Live: the same machinery as a Realtime bus, with Live's dialect.

``Bus.live(model="gpt-live-1", ...)`` (or :meth:`LiveBus.openai`) connects to
``/v1/live/sessions``, sends ``session.start`` built from the configuration it was given and
holds every other event until ``session.started``; ``Bus.azure_live(...)`` does the same at an
Azure resource's ``/openai/v1/live/sessions``. ``Bus.live_sideband(session_id)`` attaches to a
running session, ``Bus.live_fork(session_id)`` forks a stored one. Handlers, waiters, streams,
the outbound queue, reconnects and the sync facade are the bus's own.

On top: ``bus.context_usage_ratio`` (from ``session.usage.updated``) lets an application act
before the context runs out; ``session.closed`` is announced as a :class:`LiveSessionClosed`
lifecycle event with its reason. A session closed because the client asked (or the caller hung
up) ends the bus; one that expired, was lost or was ended for content starts a new session on
reconnect, configured as the last one was (``session.update`` changes included).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import msgspec
from msgspec import UNSET, UnsetType

from ..protocol import live as L
from ..transport import Endpoint, TokenProvider
from ..transport._endpoint import DEFAULT_OPENAI_BASE, MissingCredentials, _with_query, _ws_scheme
from ._bus import Bus
from ._dialect import dialect_for
from ._lifecycle import LifecycleEvent
from ._live_dialect import LIVE_ACKS  # noqa: F401 - importing it registers the Live dialects
from ._live_resources import (
    LiveDecisionResource,
    LiveHelpers,
    LiveResponseResource,
    LiveSessionResource,
    SidebandTransportResource,
)

__all__ = [
    "LiveBus",
    "LiveSessionClosed",
    "azure_live_endpoint",
    "live_endpoint",
    "live_session_config",
]

_ENDS_THE_BUS: frozenset[str] = frozenset({"close_requested", "remote_hangup"})


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
    suffix: str = "",
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    websocket_base_url: str | None = None,
    organization: str | None = None,
    project: str | None = None,
    extra_query: Mapping[str, str] | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> Endpoint:
    """The OpenAI Live endpoint (``.../v1/live/sessions`` + ``suffix``), as the ``openai``
    package builds it: no query parameters, the key as a bearer token."""
    key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
    if not key:
        raise MissingCredentials(
            "no API key: pass api_key=... or set the OPENAI_API_KEY environment variable"
        )
    if websocket_base_url is not None:
        base = _ws_scheme(websocket_base_url)
    else:
        base = _ws_scheme(base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_OPENAI_BASE)
    headers = {"Authorization": f"Bearer {key}"}
    if organization:
        headers["OpenAI-Organization"] = organization
    if project:
        headers["OpenAI-Project"] = project
    headers.update(extra_headers or {})
    url = _with_query(base.rstrip("/") + "/live/sessions" + suffix, dict(extra_query or {}))
    return Endpoint(url=url, headers=headers)


def azure_live_endpoint(
    suffix: str = "",
    *,
    endpoint: str,
    api_key: str | None = None,
    token_provider: TokenProvider | None = None,
    extra_query: Mapping[str, str] | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> Endpoint:
    """An Azure OpenAI Live endpoint (``{endpoint}/openai/v1/live/sessions`` + ``suffix``).

    ``api_key`` (default ``AZURE_OPENAI_API_KEY``) is sent as ``api-key``; a ``token_provider``
    (Entra ID) is asked for a fresh token before every connection.
    """
    if token_provider is None:
        api_key = api_key if api_key is not None else os.environ.get("AZURE_OPENAI_API_KEY")
        if not api_key:
            raise MissingCredentials(
                "no Azure credentials: pass api_key=..., token_provider=..., "
                "or set AZURE_OPENAI_API_KEY"
            )
    headers = dict(extra_headers or {})
    if api_key and token_provider is None:
        headers["api-key"] = api_key
    url = _ws_scheme(endpoint).rstrip("/") + "/openai/v1/live/sessions" + suffix
    return Endpoint(
        url=_with_query(url, dict(extra_query or {})),
        headers=headers,
        token_provider=token_provider,
    )


def _suffix(session_id: str, action: str) -> str:
    if not session_id:
        raise ValueError("give the id of the Live session")
    return f"/{quote(session_id, safe='')}/{action}"


class LiveBus(Bus):
    """A :class:`~realtime_bus.Bus` over a GPT-Live connection (see the module docstring).

    ``bus.session``, ``bus.decision`` and ``bus.response`` are the Live helpers (and
    ``bus.transport`` on a sideband); everything else is the bus's.
    """

    session: LiveSessionResource  # type: ignore[assignment]
    response: LiveResponseResource  # type: ignore[assignment]
    decision: LiveDecisionResource
    transport: SidebandTransportResource | None

    def __init__(
        self,
        *,
        endpoint: Endpoint,
        config: L.SessionConfig | L.ForkSessionConfig | None = None,
        channel: L.LiveChannel = "primary",
        attached_to: str | None = None,
        **kwargs: Any,
    ) -> None:
        """``config``: what ``session.start`` carries (a fork's overrides for a fork);
        ``channel``: ``primary``, ``sideband`` or ``fork``; ``attached_to``: the session a
        sideband or fork connects to. Other arguments are :class:`~realtime_bus.Bus`'s."""
        name = {"primary": "live", "fork": "live_fork", "sideband": "live_sideband"}[channel]
        if channel == "sideband":
            kwargs.setdefault("wait_for_session", False)
        super().__init__(endpoint=endpoint, protocol=dialect_for(name), **kwargs)
        self.channel: L.LiveChannel = channel
        self.attached_to = attached_to
        """The session a sideband observes, or the one a fork was made from."""
        if config is not None:
            self._memory.config = msgspec.to_builtins(config)
        helpers: LiveHelpers = self.helpers
        self.session = helpers.session
        self.response = helpers.response
        self.decision = helpers.decision
        self.transport = getattr(helpers, "transport", None)
        self.usage: L.SessionUsage | None = None
        """The session's usage, from the latest ``session.usage.updated``."""
        self.context_usage_ratio: float | None = None
        """How full the model's context is (0 to 1), from the latest usage update."""
        self.close_reason: L.CloseReason | None = None
        """Why the last session closed, once one has."""
        self.on(L.SessionUsageUpdated)(self._note_usage)
        self.on(L.SessionClosed)(self._note_closed)

    @property
    def session_id(self) -> str | None:
        """The current session's id (a sideband's is the session it attached to)."""
        if self.channel == "sideband":
            return self.attached_to
        return super().session_id

    def _note_usage(self, event: L.SessionUsageUpdated) -> None:
        self.usage = event.usage
        if isinstance(event.context_window, L.ContextWindow):
            self.context_usage_ratio = event.context_window.usage_ratio

    async def _note_closed(self, event: L.SessionClosed) -> None:
        self.close_reason = event.reason
        self.usage = event.usage
        ends = event.reason in _ENDS_THE_BUS or self.channel == "sideband"
        will_reconnect = not ends and self.reconnect_policy.enabled
        self._connection.announce(
            LiveSessionClosed(
                session_id=event.session.id,
                reason=event.reason,
                seconds=event.usage.seconds,
                will_reconnect=will_reconnect,
            )
        )
        if not will_reconnect:
            await self.close()  # from a handler: starts the close and returns

    # -- constructors ----------------------------------------------------------------------

    @classmethod
    def openai(
        cls,
        model: str | None = "gpt-live-1",
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        websocket_base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        extra_query: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        instructions: str | UnsetType = UNSET,
        voice: L.Voice | UnsetType = UNSET,
        audio_format: L.AudioFormat | UnsetType = UNSET,
        delegation: L.DelegationConfig | UnsetType = UNSET,
        triggers: list[L.DecisionTrigger] | UnsetType = UNSET,
        input: list[L.InitialItem] | UnsetType = UNSET,
        store: bool | UnsetType = UNSET,
        session: L.SessionConfig | None = None,
        **kwargs: Any,
    ) -> LiveBus:
        """A bus to OpenAI's GPT-Live (``api_key`` defaults to ``OPENAI_API_KEY``).

        The keyword settings (or ``session=``) make the ``session.start`` configuration.
        """
        endpoint = live_endpoint(
            api_key=api_key,
            base_url=base_url,
            websocket_base_url=websocket_base_url,
            organization=organization,
            project=project,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )
        config = live_session_config(
            model,
            instructions=instructions,
            voice=voice,
            audio_format=audio_format,
            delegation=delegation,
            triggers=triggers,
            input=input,
            store=store,
            session=session,
        )
        return cls(endpoint=endpoint, config=config, **kwargs)

    @classmethod
    def azure(
        cls,
        *,
        endpoint: str,
        model: str | None = "gpt-live-1",
        api_key: str | None = None,
        token_provider: TokenProvider | None = None,
        extra_query: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        session: L.SessionConfig | None = None,
        **kwargs: Any,
    ) -> LiveBus:
        """A bus to GPT-Live on an Azure OpenAI resource (``model`` is the deployment)."""
        settings = {k: kwargs.pop(k) for k in _SETTINGS if k in kwargs}
        resolved = azure_live_endpoint(
            endpoint=endpoint,
            api_key=api_key,
            token_provider=token_provider,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )
        config = live_session_config(model, session=session, **settings)
        return cls(endpoint=resolved, config=config, **kwargs)

    @classmethod
    def sideband(
        cls,
        session_id: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        websocket_base_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> LiveBus:
        """A bus attached to the running session ``session_id`` (``.../{id}/attach``)."""
        endpoint = live_endpoint(
            _suffix(session_id, "attach"),
            api_key=api_key,
            base_url=base_url,
            websocket_base_url=websocket_base_url,
            extra_headers=extra_headers,
        )
        return cls(endpoint=endpoint, channel="sideband", attached_to=session_id, **kwargs)

    @classmethod
    def fork(
        cls,
        session_id: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        websocket_base_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        session: L.ForkSessionConfig | None = None,
        **kwargs: Any,
    ) -> LiveBus:
        """A bus on a fork of the stored session ``session_id`` (``.../{id}/fork``);
        ``session`` holds what the fork changes (nothing, when left out)."""
        endpoint = live_endpoint(
            _suffix(session_id, "fork"),
            api_key=api_key,
            base_url=base_url,
            websocket_base_url=websocket_base_url,
            extra_headers=extra_headers,
        )
        return cls(
            endpoint=endpoint,
            config=session if session is not None else L.ForkSessionConfig(),
            channel="fork",
            attached_to=session_id,
            **kwargs,
        )


_SETTINGS = ("instructions", "voice", "audio_format", "delegation", "triggers", "input", "store")
