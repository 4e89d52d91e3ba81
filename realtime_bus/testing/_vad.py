"""Energy-based voice activity detection over streamed PCM16 audio.

Audio is cut into 10 ms frames; a frame is speech when its RMS level, as a fraction of full
scale, reaches ``threshold / 10`` (the session's ``threshold`` of 0.5 means -26 dBFS). Speech
starts at the first speech frame; ``audio_start_ms`` reports it ``prefix_padding_ms`` earlier.
Speech stops once ``silence_duration_ms`` of silence followed it; ``audio_end_ms`` is the end of
that silence. Positions count samples since the session began, so they are exact.
"""

from __future__ import annotations

import array
import math
import operator
import sys
from dataclasses import dataclass

from ..protocol import PCM16_SAMPLE_RATE

__all__ = ["EnergyVad", "VadEvent"]

_FRAME = PCM16_SAMPLE_RATE // 100
_SWAP = sys.byteorder == "big"


@dataclass(frozen=True, slots=True)
class VadEvent:
    """Speech started (``kind == "start"``) or stopped, at ``sample`` since the session began."""

    kind: str
    sample: int


class EnergyVad:
    """Streaming detector; :meth:`feed` returns the start and stop events the audio contains."""

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        prefix_padding_ms: int = 300,
        silence_duration_ms: int = 200,
        position: int = 0,
    ) -> None:
        self.level = max(threshold, 0.0) / 10 * 32768
        self.prefix_samples = prefix_padding_ms * PCM16_SAMPLE_RATE // 1000
        self.silence_samples = max(silence_duration_ms, 10) * PCM16_SAMPLE_RATE // 1000
        self.position = position
        """Samples seen since the session began (including the partial frame held back)."""
        self.speaking = False
        self._silence = 0
        self._partial = b""

    def feed(self, pcm: bytes) -> list[VadEvent]:
        """Process appended audio; return what it made happen, in order."""
        data = self._partial + pcm if self._partial else pcm
        usable = len(data) - len(data) % (2 * _FRAME)
        self._partial = data[usable:]
        events: list[VadEvent] = []
        if not usable:
            self.position += len(pcm) // 2
            return events
        samples = array.array("h")
        samples.frombytes(data[:usable])
        if _SWAP:
            samples.byteswap()
        start = self.position - (len(data) - len(pcm)) // 2
        limit = self.level * self.level * _FRAME
        for offset in range(0, len(samples), _FRAME):
            frame = samples[offset : offset + _FRAME]
            loud = sum(map(operator.mul, frame, frame)) >= limit
            frame_start = start + offset
            if loud:
                self._silence = 0
                if not self.speaking:
                    self.speaking = True
                    events.append(VadEvent("start", max(0, frame_start - self.prefix_samples)))
            elif self.speaking:
                self._silence += _FRAME
                if self._silence >= self.silence_samples:
                    self.speaking = False
                    self._silence = 0
                    events.append(VadEvent("stop", frame_start + _FRAME))
        self.position += len(pcm) // 2
        return events

    @staticmethod
    def rms_dbfs(pcm: bytes) -> float:
        """The RMS level of ``pcm`` in dBFS (for diagnostics)."""
        samples = array.array("h")
        samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
        if not samples:
            return -math.inf
        power = sum(map(operator.mul, samples, samples)) / len(samples)
        return 10 * math.log10(power / 32768**2) if power else -math.inf
