"""What the property tests of both dialects share: their settings, a way to run one inside a
parametrized test, and the property every fuzz test checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime_bus.protocol import DecodeError, ServerEvent

T = TypeVar("T")


def examples(max_examples: int) -> settings:
    """``max_examples`` examples, with no deadline and large examples allowed."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


FUZZ = examples(150)

# Any code point, lone surrogates included: a str frame need not be valid UTF-8 text.
RANDOM_FRAMES: dict[str, st.SearchStrategy[bytes | str]] = {
    "bytes": st.binary(max_size=400),
    "text": st.text(st.characters(exclude_categories=()), max_size=400),
}


def check_examples(strategy: st.SearchStrategy[T], check: Callable[[T], object], n: int) -> None:
    """Run ``check`` on ``n`` examples of ``strategy``: a property inside a parametrized test."""
    examples(n)(given(strategy)(check))()


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
