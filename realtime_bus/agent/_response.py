"""Responses as the mirror assembles them: status, items, text, transcript, audio, usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..protocol import Response, ResponseError, Usage
from ._model import Item

if TYPE_CHECKING:
    from ._metrics import TurnMetrics

__all__ = ["AssembledResponse"]


@dataclass(eq=False, slots=True)
class AssembledResponse:
    """One response of the model, from ``response.created`` to ``response.done``.

    ``status`` is ``"in_progress"`` until it is done, then ``"completed"``, ``"cancelled"``,
    ``"incomplete"`` or ``"failed"``; ``reason`` is the server's reason for the last three
    (``"turn_detected"``, ``"client_cancelled"``, ``"max_output_tokens"``, ...), ``error``
    the error of a failed one. ``out_of_band`` responses (``conversation: "none"``) are
    tracked here but their items never enter the conversation. ``usage`` is the server's
    usage object; ``raw`` the protocol ``Response`` of ``response.done``.
    """

    id: str
    status: str = "in_progress"
    reason: str | None = None
    error: ResponseError | None = None
    out_of_band: bool = False
    items: list[Item] = field(default_factory=list)
    usage: Usage | None = None
    metadata: dict[str, str] | None = None
    conversation_id: str | None = None
    raw: Response | None = field(default=None, repr=False)
    metrics: TurnMetrics | None = field(default=None, repr=False)
    created: float | None = None
    """When ``response.created`` was received (monotonic seconds)."""
    finished: float | None = None
    """When ``response.done`` was received (monotonic seconds)."""

    @property
    def done(self) -> bool:
        """Whether ``response.done`` has arrived."""
        return self.status != "in_progress"

    @property
    def text(self) -> str:
        """The text parts of the response's messages, joined."""
        return "".join(
            part.text for item in self.items for part in item.content if not part.is_audio
        )

    @property
    def transcript(self) -> str:
        """The transcripts of the response's audio, joined."""
        return "".join(item.transcript for item in self.items)

    @property
    def audio(self) -> bytes:
        """The kept PCM of the response's audio, every audio item in order."""
        return b"".join(item.audio for item in self.items)

    @property
    def audio_ms(self) -> float:
        """Duration of the audio received for this response, in milliseconds."""
        return sum(item.audio_ms for item in self.items)

    @property
    def function_calls(self) -> list[Item]:
        """The response's function call items."""
        return [item for item in self.items if item.type == "function_call"]

    def output_of(self, kind: str) -> list[Any]:
        """The response's items of type ``kind``."""
        return [item for item in self.items if item.type == kind]
