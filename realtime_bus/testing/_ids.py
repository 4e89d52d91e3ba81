"""Identifiers in the service's style (``event_...``, ``item_...``, ``resp_...``): unique and cheap.

Each generator draws a random stem once and counts after it, so an id costs one string format.
"""

from __future__ import annotations

import itertools
import secrets
import string

__all__ = ["IdFactory", "random_id"]

_ALPHABET = string.ascii_letters + string.digits


def random_id(prefix: str, length: int = 21) -> str:
    """``prefix`` followed by an underscore and ``length`` random letters and digits."""
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


class IdFactory:
    """Makes ids for one connection: ``factory("item")`` -> ``"item_Xk3...0001"``."""

    __slots__ = ("_counter", "_stem")

    def __init__(self) -> None:
        self._stem = "".join(secrets.choice(_ALPHABET) for _ in range(13))
        self._counter = itertools.count(1)

    def __call__(self, prefix: str) -> str:
        return f"{prefix}_{self._stem}{next(self._counter):08d}"
