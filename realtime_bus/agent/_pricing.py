"""What tokens cost: a dated table of Realtime model prices, and the cost of a usage object.

The table is data, not a promise: prices change. It is dated, its source is named, and an
application passes its own (``Conversation(bus, pricing=...)``) to override or extend it. A
model the table does not know gets no cost at all, never a guessed one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from msgspec import UNSET

from ..protocol import Usage

__all__ = [
    "PRICING",
    "PRICING_DATE",
    "PRICING_SOURCE",
    "Cost",
    "ModelPrice",
    "cost_of",
    "price_for",
]

PRICING_DATE = "2025-10-06"
"""When the table below was last read from the source."""

PRICING_SOURCE = "https://openai.com/api/pricing/ (Realtime API, per 1M tokens, USD)"
"""Where the prices come from."""


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per one million tokens, by modality: input, cached input and output."""

    text_input: float
    text_cached_input: float
    text_output: float
    audio_input: float
    audio_cached_input: float
    audio_output: float
    image_input: float | None = None
    image_cached_input: float | None = None


PRICING: Mapping[str, ModelPrice] = {
    "gpt-realtime": ModelPrice(4.00, 0.40, 16.00, 32.00, 0.40, 64.00, 5.00, 0.50),
    "gpt-realtime-mini": ModelPrice(0.60, 0.06, 2.40, 10.00, 0.30, 20.00, 0.80, 0.08),
    "gpt-4o-realtime-preview": ModelPrice(5.00, 2.50, 20.00, 40.00, 2.50, 80.00),
    "gpt-4o-mini-realtime-preview": ModelPrice(0.60, 0.30, 2.40, 10.00, 0.30, 20.00),
}
"""Prices as of :data:`PRICING_DATE` from :data:`PRICING_SOURCE`. Dated snapshots
(``gpt-realtime-2025-08-28``) are priced as their model; any other name is unknown."""

_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def price_for(model: str | None, table: Mapping[str, ModelPrice] = PRICING) -> ModelPrice | None:
    """The price of ``model`` (a dated snapshot falls back to its model), or ``None``."""
    if not model:
        return None
    found = table.get(model)
    if found is None:
        found = table.get(_SNAPSHOT.sub("", model))
    return found


@dataclass(frozen=True, slots=True)
class Cost:
    """The cost of one usage object, in USD."""

    input: float
    cached_input: float
    output: float

    @property
    def total(self) -> float:
        """Everything together."""
        return self.input + self.cached_input + self.output

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.input + other.input,
            self.cached_input + other.cached_input,
            self.output + other.output,
        )


def cost_of(usage: Usage | None, price: ModelPrice | None) -> Cost | None:
    """What ``usage`` costs at ``price``; ``None`` when either is missing or the usage lacks
    the per-modality details a cost needs (a total alone cannot be priced honestly)."""
    if usage is None or price is None:
        return None
    # A count unset or null is 0 (``UNSET`` is false, like ``None``).
    details_in = usage.input_token_details
    details_out = usage.output_token_details
    if details_in is UNSET or details_in is None or details_out is UNSET or details_out is None:
        return None
    cached = details_in.cached_tokens_details
    cached_text = cached_audio = cached_image = 0
    if cached is not UNSET and cached is not None:
        cached_text = cached.text_tokens or 0
        cached_audio = cached.audio_tokens or 0
        cached_image = cached.image_tokens or 0
    text_in = (details_in.text_tokens or 0) - cached_text
    audio_in = (details_in.audio_tokens or 0) - cached_audio
    image_in = (details_in.image_tokens or 0) - cached_image
    if (image_in or cached_image) and price.image_input is None:
        return None  # images used, and the table has no image price for this model
    per = 1_000_000
    input_usd = (
        text_in * price.text_input
        + audio_in * price.audio_input
        + image_in * (price.image_input or 0.0)
    ) / per
    cached_usd = (
        cached_text * price.text_cached_input
        + cached_audio * price.audio_cached_input
        + cached_image * (price.image_cached_input or 0.0)
    ) / per
    output_usd = (
        (details_out.text_tokens or 0) * price.text_output
        + (details_out.audio_tokens or 0) * price.audio_output
    ) / per
    return Cost(input_usd, cached_usd, output_usd)
