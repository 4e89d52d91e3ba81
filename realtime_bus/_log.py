"""Logging: structlog loggers that never leak secrets or dump audio.

The library never configures logging. When the application has configured structlog, our loggers
follow its configuration; when it has not, they go through the standard library's ``logging``
(logger names under ``realtime_bus``), so its levels and handlers apply and nothing is printed
unless asked for. Call sites never pass secrets or audio; :func:`redact` is a processor
applications can add to their own chain as a second guard.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["get_logger", "redact", "summarise"]

_SECRET_KEYS = re.compile(r"(authorization|api[-_]?key|token|secret|password)", re.IGNORECASE)
_AUDIO_KEYS = frozenset({"audio", "delta"})
_MAX_VALUE = 200


def summarise(key: str, value: Any) -> Any:
    """Hide secrets and shorten audio or other long strings for a log line."""
    if _SECRET_KEYS.search(key):
        return "<redacted>"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, str) and len(value) > _MAX_VALUE:
        return f"<base64 {len(value)} chars>" if key in _AUDIO_KEYS else value[:_MAX_VALUE] + "..."
    return value


def redact(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    """structlog processor: redact secret-looking keys and summarise audio and long values."""
    for key, value in list(event_dict.items()):
        event_dict[key] = summarise(key, value)
    return event_dict


def get_logger(name: str, **context: Any) -> Any:
    """A bound structlog logger for ``name`` (``realtime_bus.bus`` and so on)."""
    if structlog.is_configured():
        return structlog.get_logger(name).bind(**context)
    return structlog.wrap_logger(
        logging.getLogger(name),
        processors=[
            redact,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
    ).bind(**context)
