"""Automatic barge-in: user speech while the assistant's audio plays interrupts it.

By default the interrupt happens on ``input_audio_buffer.speech_started``. A backchannel
("uh-huh") or the line's echo of the assistant's own voice also starts speech; to let those
pass, wait for ``min_speech_ms`` of continued speech (speech that stops earlier does not
interrupt), or for the first transcript delta of the user's speech (noise has none). While
waiting, the audio keeps playing, so the truncation lands where the user stopped listening.

The server's own turn detection cancels the response on speech by default
(``interrupt_response``); to let a backchannel through without losing the rest of the reply,
turn that off in the session's turn detection and let the barge-in decide.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..bus import Bus
    from ._playback import Playback

__all__ = ["BargeIn", "BargeInWatcher"]


@dataclass(frozen=True, slots=True)
class BargeIn:
    """When user speech interrupts the assistant (``Playback(bus, barge_in=BargeIn(...))``).

    ``min_speech_ms``: act only after that much continued speech (0: at once).
    ``wait_for_transcript``: act only once the user's speech has a transcript delta (needs
    input transcription on the session); ``transcript_timeout`` seconds without one means
    it was not speech, and nothing is interrupted.
    """

    enabled: bool = True
    min_speech_ms: int = 0
    wait_for_transcript: bool = False
    transcript_timeout: float = 3.0

    def __post_init__(self) -> None:
        if self.min_speech_ms < 0:
            raise ValueError(f"min_speech_ms cannot be negative, got {self.min_speech_ms}")
        if self.transcript_timeout <= 0:
            raise ValueError("transcript_timeout must be positive")


class BargeInWatcher:
    """Watches the user's speech for one :class:`Playback` and calls its interrupt."""

    def __init__(self, bus: Bus, playback: Playback, policy: BargeIn) -> None:
        self.bus = bus
        self.playback = playback
        self.policy = policy
        self._watching: set[str] = set()
        self._stopped: set[str] = set()
        self._heard: dict[str, asyncio.Event] = {}
        self._handlers: list[tuple[str, Any]] = [
            ("input_audio_buffer.speech_started", self._on_started),
            ("input_audio_buffer.speech_stopped", self._on_stopped),
            ("conversation.item.input_audio_transcription.delta", self._on_transcript),
            ("conversation.item.input_audio_transcription.completed", self._on_transcript),
        ]
        if policy.enabled:
            for key, handler in self._handlers:
                bus.add_handler(key, handler)

    def detach(self) -> None:
        """Stop watching."""
        for key, handler in self._handlers:
            self.bus.off(handler, key)

    def _on_started(self, event: Any) -> None:
        if not self.playback.is_playing:
            return
        policy = self.policy
        if policy.min_speech_ms == 0 and not policy.wait_for_transcript:
            self.playback._tasks.spawn(self.playback.interrupt(), "barge-in")
            return
        item_id: str = event.item_id
        self._watching.add(item_id)
        self._stopped.discard(item_id)
        if policy.wait_for_transcript:
            self._heard[item_id] = asyncio.Event()
        self.playback._tasks.spawn(self._confirm(item_id), "barge-in-wait")

    async def _confirm(self, item_id: str) -> None:
        policy = self.policy
        try:
            if policy.min_speech_ms:
                await asyncio.sleep(policy.min_speech_ms / 1000)
                if item_id in self._stopped:
                    return  # too short: a backchannel or a click
            heard = self._heard.get(item_id)
            if heard is not None:
                try:
                    await asyncio.wait_for(heard.wait(), policy.transcript_timeout)
                except TimeoutError:
                    return  # no words: noise or echo
            await self.playback.interrupt()
        finally:
            self._watching.discard(item_id)
            self._stopped.discard(item_id)
            self._heard.pop(item_id, None)

    def _on_stopped(self, event: Any) -> None:
        if event.item_id in self._watching and not self.policy.wait_for_transcript:
            self._stopped.add(event.item_id)

    def _on_transcript(self, event: Any) -> None:
        text = getattr(event, "delta", None) or getattr(event, "transcript", None)
        heard = self._heard.get(event.item_id)
        if heard is not None and text:
            heard.set()
