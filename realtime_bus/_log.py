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

__all__ = ["ROOT_LOGGER", "get_logger", "redact", "summarise"]

ROOT_LOGGER = "realtime_bus"
"""Every logger of the library is below this one."""

# The library convention: a NullHandler on our root logger, so that nothing is printed (not
# even by logging's last-resort handler) unless the application configures logging.
logging.getLogger(ROOT_LOGGER).addHandler(logging.NullHandler())

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


def _stdlib_logger(name: str) -> Any:
    return structlog.wrap_logger(
        logging.getLogger(name),
        processors=[
            redact,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
    )


class _Logger:
    """Chooses structlog's configured pipeline or the standard library at each call, so an
    application that configures structlog after importing us still gets our logs."""

    __slots__ = ("_context", "_name", "_resolved")

    def __init__(self, name: str, context: dict[str, Any]) -> None:
        self._name = name
        self._context = context
        self._resolved: tuple[bool, Any] | None = None

    def bind(self, **context: Any) -> _Logger:
        return _Logger(self._name, {**self._context, **context})

    def _logger(self) -> Any:
        configured = structlog.is_configured()
        if self._resolved is None or self._resolved[0] != configured:
            base = structlog.get_logger(self._name) if configured else _stdlib_logger(self._name)
            self._resolved = (configured, base.bind(**self._context))
        return self._resolved[1]

    def __getattr__(self, method: str) -> Any:
        return getattr(self._logger(), method)


def get_logger(name: str, **context: Any) -> Any:
    """A bound structlog logger for ``name`` (``realtime_bus.bus`` and so on)."""
    return _Logger(name, context)
