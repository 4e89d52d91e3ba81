"""How connections are opened and kept alive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["ConnectOptions"]


@dataclass(frozen=True)
class ConnectOptions:
    """How connections are opened and kept alive.

    The defaults survive a long model turn: the server's WebSocket stack answers pings whatever
    the model is doing, so a missing pong for ``ping_timeout`` seconds of reading means the
    link is gone. ``max_size`` is raised from the usual 1 MiB because
    ``conversation.item.retrieved`` can carry minutes of audio. ``max_queue`` is how many
    received frames websockets buffers before it stops reading the socket; ``"auto"`` sizes it
    from the bus's inbound byte budget (at least one frame), so the two buffers together stay
    within about twice that budget. Compression is off by default: audio is base64 that deflate
    barely shrinks, at a real CPU cost per frame. ``websocket_options`` passes anything else
    to ``websockets.asyncio.client.connect``.
    """

    open_timeout: float = 10.0
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    close_timeout: float = 2.0
    max_size: int | None = 64 * 1024 * 1024
    max_queue: int | Literal["auto"] | None = "auto"
    compression: str | None = None
    websocket_options: dict[str, Any] = field(default_factory=dict)

    def queue_frames(self, inbound_max_bytes: int = 64 * 1024 * 1024) -> int | None:
        """websockets' ``max_queue`` for a bus whose inbound budget is ``inbound_max_bytes``
        (a bus resolves ``"auto"`` with its own budget before connecting)."""
        if self.max_queue != "auto":
            return self.max_queue
        frame = self.max_size or inbound_max_bytes
        return max(1, min(1024, inbound_max_bytes // max(1, frame)))
