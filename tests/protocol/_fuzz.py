"""What the fuzz tests of both dialects share: the budget, and the one property they check."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from hypothesis import HealthCheck, settings

from realtime_bus.protocol import DecodeError, ServerEvent

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class _Decoder(Protocol):
    def decode(self, frame: bytes | str, /) -> Any: ...


def decodes_or_fails_cleanly(
    frame: bytes | str, servers: Iterable[_Decoder], clients: Iterable[_Decoder]
) -> None:
    """Each server-event decoder returns a :class:`ServerEvent`, each client-event decoder
    returns, or they raise ``DecodeError`` carrying the frame and a message: nothing else."""
    errors: list[DecodeError] = []
    for decoder in servers:
        try:
            event = decoder.decode(frame)
        except DecodeError as exc:
            errors.append(exc)
        else:
            assert isinstance(event, ServerEvent)
    for decoder in clients:
        try:
            decoder.decode(frame)
        except DecodeError as exc:
            errors.append(exc)
    for error in errors:
        assert error.frame is frame
        assert error.message
