"""The recorder tap: what the bus tells an observer of its wire (a recorder) and when.

The reader calls :meth:`FrameTap.received` with every frame as it arrived (and the event it
decoded to, ``None`` when it did not decode), the writer :meth:`FrameTap.sent` with every frame
as it was written, the supervisor :meth:`FrameTap.opened` when a socket opens and
:meth:`FrameTap.lifecycle` with each lifecycle event as it is announced. Calls come from the
bus's own tasks, in wire order; a tap must be quick and must not raise.
"""

from __future__ import annotations

from typing import Any, Protocol

from ._lifecycle import LifecycleEvent

__all__ = ["FrameTap"]


class FrameTap(Protocol):
    """An observer of the frames and lifecycle of one bus (see ``Bus(record=...)``)."""

    def opened(self, attempt: int) -> None:
        """A connection opened (``attempt`` 1 for the first)."""

    def received(self, frame: bytes | str, event: Any) -> None:
        """A frame arrived; ``event`` is what it decoded to, or ``None``."""

    def sent(self, frame: bytes | str, event: Any) -> None:
        """A frame was written; ``event`` is the client event it encodes."""

    def lifecycle(self, event: LifecycleEvent) -> None:
        """A lifecycle event is being announced."""

    def close(self) -> None:
        """The bus has closed: nothing more comes."""
