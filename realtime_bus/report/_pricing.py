"""Token prices, to put a cost on a session's usage (US dollars per million tokens).

The list prices published for the Realtime models when this table was written; pass your own
:class:`Prices` to :func:`cost_of` when yours differ. A model not in the table has no cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["PRICES", "Prices", "cost_of", "prices_for"]


@dataclass(frozen=True)
class Prices:
    """Dollars per million tokens, by kind."""

    text_in: float
    text_cached: float
    text_out: float
    audio_in: float
    audio_cached: float
    audio_out: float


PRICES: dict[str, Prices] = {
    "gpt-realtime-mini": Prices(0.60, 0.06, 2.40, 10.0, 0.30, 20.0),
    "gpt-realtime": Prices(4.0, 0.40, 16.0, 32.0, 0.40, 64.0),
    "gpt-4o-mini-realtime": Prices(0.60, 0.30, 2.40, 10.0, 0.30, 20.0),
    "gpt-4o-realtime": Prices(5.0, 2.50, 20.0, 40.0, 2.50, 80.0),
}
"""Longest prefix first wins (``gpt-realtime-mini-2025-10-06`` is a ``gpt-realtime-mini``)."""


def prices_for(model: str | None) -> Prices | None:
    """The prices of ``model`` (matched by prefix), or ``None``."""
    if not model:
        return None
    for prefix in sorted(PRICES, key=len, reverse=True):
        if model.startswith(prefix):
            return PRICES[prefix]
    return None


def _n(value: Any) -> int:
    return value if isinstance(value, int) else 0


def cost_of(usage: dict[str, Any], prices: Prices | None) -> float | None:
    """The cost of one response's ``usage`` (as ``response.done`` reports it), in dollars."""
    if prices is None:
        return None
    inp = usage.get("input_token_details") or {}
    out = usage.get("output_token_details") or {}
    cached = inp.get("cached_tokens_details") or {}
    cached_text, cached_audio = _n(cached.get("text_tokens")), _n(cached.get("audio_tokens"))
    if not cached and _n(inp.get("cached_tokens")):
        cached_text = _n(inp.get("cached_tokens"))
    text_in = max(0, _n(inp.get("text_tokens")) - cached_text)
    audio_in = max(0, _n(inp.get("audio_tokens")) - cached_audio)
    if not inp:
        text_in = _n(usage.get("input_tokens"))
    text_out, audio_out = _n(out.get("text_tokens")), _n(out.get("audio_tokens"))
    if not out:
        text_out = _n(usage.get("output_tokens"))
    total = (
        text_in * prices.text_in
        + cached_text * prices.text_cached
        + text_out * prices.text_out
        + audio_in * prices.audio_in
        + cached_audio * prices.audio_cached
        + audio_out * prices.audio_out
    )
    return total / 1_000_000
