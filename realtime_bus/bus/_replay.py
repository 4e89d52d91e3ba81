"""The session configuration a bus keeps, so that a new session can be given it again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..protocol import ClientEvent
from ._dialect import DialectSpec

__all__ = ["SessionMemory", "merge"]


def merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge a session update into the configuration kept for replay."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


class SessionMemory:
    """Every configuration the writer has written, merged (what a replay sends again)."""

    __slots__ = ("_configures", "config")

    def __init__(self, dialect: DialectSpec, initial: Mapping[str, Any] | None = None) -> None:
        self._configures = dialect.configures
        self.config: dict[str, Any] = dict(initial or {})

    def remember(self, event: ClientEvent) -> None:
        """Note what a written ``event`` changes in the session's configuration."""
        update = self._configures(event)
        if update is not None:
            self.config = merge(self.config, update)
