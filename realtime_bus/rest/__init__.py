"""The Realtime REST API: client secrets, WebRTC and SIP calls, and incoming-call webhooks.

Needs the ``rest`` extra (``pip install 'realtime-bus[rest]'``): ``httpx2`` and
``standardwebhooks``.
"""

try:
    import httpx2 as _httpx2  # noqa: F401
    import standardwebhooks as _standardwebhooks  # noqa: F401
except ImportError as _missing:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        f"realtime_bus.rest needs {_missing.name!r}, from the 'rest' extra: "
        "pip install 'realtime-bus[rest]'"
    ) from _missing

from ._async import Calls, ClientSecrets, RealtimeAPI, TranslationClientSecrets, Translations
from ._config import DEFAULT_BASE_URL, AsyncTokenProvider, TokenProvider
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    WebhookError,
    WebhookPayloadError,
    WebhookReplayError,
    WebhookSignatureError,
    WebhookTimestampError,
)
from ._live import (
    LiveAcceptSession,
    LiveForkSession,
    LiveMediaSession,
    LiveSessionRef,
    LiveWebRTC,
    LiveWebRTCSession,
    WakePolicy,
)
from ._live_clients import Live, LiveSessions, SyncLive, SyncLiveSessions
from ._models import (
    CallReferRequest,
    CallRejectRequest,
    ClientSecret,
    ClientSecretCreateRequest,
    CreatedCall,
    ErrorObject,
    ExpiresAfter,
    SecretSession,
    TranslationClientSecret,
    TranslationClientSecretCreateRequest,
    TranslationSessionRequest,
)
from ._replay import DEFAULT_MAX_REMEMBERED, MemorySeenWebhooks, SeenWebhooks
from ._retry import RetryPolicy, parse_retry_after
from ._sync import (
    SyncCalls,
    SyncClientSecrets,
    SyncRealtimeAPI,
    SyncTranslationClientSecrets,
    SyncTranslations,
)
from ._webhooks import (
    DEFAULT_TOLERANCE,
    CallIncomingData,
    LiveCallIncoming,
    LiveConnectedData,
    LiveIncomingData,
    LiveTransportConnected,
    LiveTransportIncoming,
    RealtimeCallIncoming,
    SipHeader,
    UnknownWebhookEvent,
    WebhookEvent,
    WebhookVerifier,
    generate_webhook_secret,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_REMEMBERED",
    "DEFAULT_TOLERANCE",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncTokenProvider",
    "CallIncomingData",
    "CallReferRequest",
    "CallRejectRequest",
    "Calls",
    "ClientSecret",
    "ClientSecretCreateRequest",
    "ClientSecrets",
    "CreatedCall",
    "ErrorObject",
    "ExpiresAfter",
    "Live",
    "LiveAcceptSession",
    "LiveCallIncoming",
    "LiveConnectedData",
    "LiveForkSession",
    "LiveIncomingData",
    "LiveMediaSession",
    "LiveSessionRef",
    "LiveSessions",
    "LiveTransportConnected",
    "LiveTransportIncoming",
    "LiveWebRTC",
    "LiveWebRTCSession",
    "MemorySeenWebhooks",
    "RealtimeAPI",
    "RealtimeCallIncoming",
    "RetryPolicy",
    "SecretSession",
    "SeenWebhooks",
    "SipHeader",
    "SyncCalls",
    "SyncClientSecrets",
    "SyncLive",
    "SyncLiveSessions",
    "SyncRealtimeAPI",
    "SyncTranslationClientSecrets",
    "SyncTranslations",
    "TokenProvider",
    "TranslationClientSecret",
    "TranslationClientSecretCreateRequest",
    "TranslationClientSecrets",
    "TranslationSessionRequest",
    "Translations",
    "UnknownWebhookEvent",
    "WakePolicy",
    "WebhookError",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookReplayError",
    "WebhookSignatureError",
    "WebhookTimestampError",
    "WebhookVerifier",
    "generate_webhook_secret",
    "parse_retry_after",
]
