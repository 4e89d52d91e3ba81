"""Comparing what an application sends with what was recorded: the first divergence.

Both sides are normalised first: the ``event_id`` a bus gives each event is dropped (it is
random per bus), audio is compared by size, and consecutive appends are merged into one run
(a bus merges queued appends, so their count depends on timing; their bytes do not).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from ._audio import AudioFormats, strip_audio
from ._gates import APPEND

__all__ = ["Divergence", "first_divergence", "normalise"]

_decode = msgspec.json.Decoder().decode


@dataclass(frozen=True)
class Divergence:
    """Where the application's traffic first differs from the recording.

    ``index`` counts normalised client events from 0; ``expected`` is the recorded one
    (``None``: the application sent more than was recorded), ``actual`` the application's
    (``None``: it sent less).
    """

    index: int
    expected: dict[str, Any] | None
    actual: dict[str, Any] | None
    message: str

    def __str__(self) -> str:
        return self.message


def normalise(frames: Iterable[tuple[bytes, int | None]]) -> list[dict[str, Any]]:
    """Client frames (with their audio size when it was left out) as comparable dicts."""
    out: list[dict[str, Any]] = []
    formats = AudioFormats()
    for data, summary in frames:
        stripped, _, removed = strip_audio(data, formats)
        try:
            event = _decode(stripped)
        except msgspec.DecodeError:
            out.append({"type": "?", "text": data.decode("utf-8", "replace")})
            continue
        if not isinstance(event, dict):
            out.append({"type": "?", "value": event})
            continue
        event.pop("event_id", None)
        size = summary if summary is not None else removed
        if event.get("type") == APPEND:
            if out and out[-1].get("type") == APPEND:
                out[-1]["audio_bytes"] += size
            else:
                out.append({"type": APPEND, "audio_bytes": size})
            continue
        if size:
            event["audio_bytes"] = size
        out.append(event)
    return out


def _differs(expected: Any, actual: Any, path: str = "") -> str | None:
    """The path of the first field that differs, or ``None``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in (*expected, *(k for k in actual if k not in expected)):
            if key not in actual:
                return f"{path}.{key} missing"
            if key not in expected:
                return f"{path}.{key} not recorded"
            found = _differs(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path} has {len(actual)} items, recorded {len(expected)}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = _differs(e, a, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if expected == actual else f"{path or 'value'}: {actual!r} != recorded {expected!r}"


def first_divergence(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]]
) -> Divergence | None:
    """The first place ``actual`` differs from ``expected`` (both normalised), or ``None``."""
    for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
        found = _differs(e, a)
        if found:
            return Divergence(
                index, e, a, f"client event {index} ({e.get('type')}) differs: {found.lstrip('.')}"
            )
    if len(actual) != len(expected):
        index = min(len(actual), len(expected))
        sent = len(actual) > len(expected)  # one more sent than recorded, or one fewer
        event = (actual if sent else expected)[index]
        what = "was sent but not recorded" if sent else "was recorded but not sent"
        return Divergence(
            index,
            None if sent else event,
            event if sent else None,
            f"client event {index} ({event.get('type')}) {what}",
        )
    return None
