"""The agent layer's derived events, delivered through ``bus.on`` like server events.

They are published on the bus (:meth:`Bus.publish`) right after the server event they come
from, so ``@bus.on("agent.response.done")`` runs before any later event is dispatched. Their
names start with ``agent.``: ``"*"`` does not match them, ``"agent.*"`` matches all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..bus import DerivedEvent

if TYPE_CHECKING:
    from ._metrics import TurnMetrics
    from ._model import Item
    from ._response import AssembledResponse

__all__ = ["AgentItemDone", "AgentResponseDone", "AgentTurn"]


@dataclass(frozen=True, slots=True)
class AgentItemDone(DerivedEvent):
    """``agent.item.done``: an item is complete (for user audio with input transcription
    configured: once its transcription completed or failed)."""

    type: ClassVar[str] = "agent.item.done"
    item: Item


@dataclass(frozen=True, slots=True)
class AgentResponseDone(DerivedEvent):
    """``agent.response.done``: a response is done; carries the assembled response."""

    type: ClassVar[str] = "agent.response.done"
    response: AssembledResponse


@dataclass(frozen=True, slots=True)
class AgentTurn(DerivedEvent):
    """``agent.turn``: the figures of one turn, when its response is done."""

    type: ClassVar[str] = "agent.turn"
    metrics: TurnMetrics
