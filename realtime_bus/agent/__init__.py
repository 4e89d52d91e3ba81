"""The agent layer: playback and barge-in on top of the bus's public API.

Nothing here is required to use the bus; everything here could be written by an application.
"""

from ._barge_in import BargeIn
from ._interrupt import Interruption
from ._ledger import ItemPosition
from ._playback import AudioChunk, Playback

__all__ = ["AudioChunk", "BargeIn", "Interruption", "ItemPosition", "Playback"]
