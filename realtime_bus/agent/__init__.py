"""The agent layer: the conversation mirror, assembled responses, turn metrics, playback and
barge-in, on top of the bus's public API.

Nothing here is required to use the bus; everything here could be written by an application.
"""

from ._audio_store import DEFAULT_RETENTION, AudioRetention
from ._barge_in import BargeIn
from ._conversation import Conversation
from ._events import AgentItemDone, AgentResponseDone, AgentTurn
from ._history import to_protocol
from ._interrupt import Interruption
from ._ledger import ItemPosition
from ._metrics import SessionMetrics, TurnMetrics, UsageTotals
from ._model import Item, Part, Segment, Transcription
from ._playback import AudioChunk, Playback
from ._pricing import PRICING, PRICING_DATE, PRICING_SOURCE, Cost, ModelPrice, cost_of, price_for
from ._response import AssembledResponse
from ._rotation import Compactor, Rotation, Rotator

__all__ = [
    "DEFAULT_RETENTION",
    "PRICING",
    "PRICING_DATE",
    "PRICING_SOURCE",
    "AgentItemDone",
    "AgentResponseDone",
    "AgentTurn",
    "AssembledResponse",
    "AudioChunk",
    "AudioRetention",
    "BargeIn",
    "Conversation",
    "Compactor",
    "Cost",
    "Interruption",
    "Item",
    "ItemPosition",
    "ModelPrice",
    "Part",
    "Playback",
    "Rotation",
    "Rotator",
    "Segment",
    "SessionMetrics",
    "Transcription",
    "TurnMetrics",
    "UsageTotals",
    "cost_of",
    "price_for",
    "to_protocol",
]
