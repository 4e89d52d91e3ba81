"""The input audio buffer: append, commit, clear, server VAD and input transcription."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from ..protocol import (
    PCM16_SAMPLE_RATE,
    AudioConfig,
    AudioInputConfig,
    ContentPart,
    ConversationItemAdded,
    ConversationItemDone,
    ConversationItemInputAudioTranscriptionCompleted,
    ConversationItemInputAudioTranscriptionDelta,
    InputAudioBufferCleared,
    InputAudioBufferCommitted,
    InputAudioBufferSpeechStarted,
    InputAudioBufferSpeechStopped,
    InputAudioBufferTimeoutTriggered,
    MessageItem,
    RealtimeSession,
    SemanticVad,
    ServerVad,
    TranscriptDurationUsage,
    TranscriptInputTokenDetails,
    TranscriptionConfig,
    TranscriptionSession,
    TranscriptionSessionAudio,
    TranscriptTokenUsage,
)
from ._conversation import StoredItem, public_item
from ._errors import commit_empty
from ._pacing import words
from ._speech import decode_speech, unintelligible_transcript
from ._timer import Timer
from ._vad import EnergyVad

if TYPE_CHECKING:
    from ._port import SessionPort, Turns

__all__ = ["InputAudio", "MAX_APPEND_BYTES"]

MAX_APPEND_BYTES = 15 * 1024 * 1024
"""Largest audio one ``input_audio_buffer.append`` may carry (15 MiB, the protocol's limit)."""

_MIN_COMMIT_SAMPLES = PCM16_SAMPLE_RATE // 10
_SEMANTIC_SILENCE_MS = {"low": 1500, "medium": 800, "high": 300, "auto": 500}


def _ms(samples: int) -> int:
    return samples * 1000 // PCM16_SAMPLE_RATE


def input_config(session: RealtimeSession | TranscriptionSession) -> AudioInputConfig:
    """The ``audio.input`` of a session configuration."""
    audio = session.audio
    if isinstance(audio, (AudioConfig, TranscriptionSessionAudio)) and isinstance(
        audio.input, AudioInputConfig
    ):
        return audio.input
    return AudioInputConfig()


class InputAudio:
    """One session's input buffer and its server VAD."""

    def __init__(self, session: SessionPort) -> None:
        self.session = session
        self.turns: Turns = _NoTurns()
        """Where the end and start of the user's turns go (the session's responses)."""
        self.buffer = bytearray()
        self.buffer_start = 0
        """Sample position (since the session began) of the buffer's first sample."""
        self.position = 0
        self.vad: EnergyVad | None = None
        self.speech_item_id: str | None = None
        self._speech_start = 0
        self._idle_timer = Timer()
        self.configure()

    @property
    def turn_detection(self) -> ServerVad | SemanticVad | None:
        """The session's turn detection, if any."""
        turn = input_config(self.session.config).turn_detection
        return turn if isinstance(turn, (ServerVad, SemanticVad)) else None

    def configure(self) -> None:
        """Rebuild the VAD after the session's turn detection changed."""
        turn = self.turn_detection
        if turn is None:
            self.vad = None
            self.speech_item_id = None
            return
        if isinstance(turn, ServerVad):
            vad = EnergyVad(
                threshold=turn.threshold if isinstance(turn.threshold, float) else 0.5,
                prefix_padding_ms=(
                    turn.prefix_padding_ms if isinstance(turn.prefix_padding_ms, int) else 300
                ),
                silence_duration_ms=(
                    turn.silence_duration_ms if isinstance(turn.silence_duration_ms, int) else 200
                ),
                position=self.position,
            )
        else:
            eagerness = turn.eagerness if isinstance(turn.eagerness, str) else "auto"
            vad = EnergyVad(
                silence_duration_ms=_SEMANTIC_SILENCE_MS.get(eagerness, 500),
                position=self.position,
            )
        if self.vad is not None and self.vad.speaking:
            vad.speaking = True
        self.vad = vad

    # -- client events ---------------------------------------------------------------------

    def append(self, pcm: bytes) -> None:
        """Add audio; run VAD over it when turn detection is on."""
        self.buffer += pcm
        self.position += len(pcm) // 2
        if self.vad is None:
            return
        for event in self.vad.feed(pcm):
            if event.kind == "start":
                self._speech_started(event.sample)
            else:
                self._speech_stopped(event.sample)

    def commit(self, event_id: str | None) -> None:
        """Turn the whole buffer into a user item (``input_audio_buffer.commit``)."""
        samples = len(self.buffer) // 2
        if samples < _MIN_COMMIT_SAMPLES:
            self.session.emit_error(commit_empty(samples * 1000 / PCM16_SAMPLE_RATE, event_id))
            return
        item_id = self.speech_item_id or self.session.new_id("item")
        self.speech_item_id = None
        if self.vad is not None:
            self.vad.speaking = False
        pcm = bytes(self.buffer)
        self.buffer.clear()
        self.buffer_start = self.position
        self._commit(item_id, pcm)

    def clear(self) -> None:
        """Drop the buffered audio (``input_audio_buffer.clear``)."""
        self.buffer.clear()
        self.buffer_start = self.position
        self.speech_item_id = None
        if self.vad is not None:
            self.vad.speaking = False
        self.session.emit(InputAudioBufferCleared())

    # -- VAD -------------------------------------------------------------------------------

    # -- idle timeout ------------------------------------------------------------------------

    def arm_idle_timeout(self, playback_seconds: float) -> None:
        """After a response: start server VAD's ``idle_timeout_ms`` clock, if configured.

        The service counts from when the response's audio has finished playing. Here the audio's
        duration and the timeout are both scaled by the simulator's ``realtime_factor``.
        """
        self.disarm_idle_timeout()
        turn = self.turn_detection
        if not isinstance(turn, ServerVad) or not isinstance(turn.idle_timeout_ms, int):
            return
        # Both the playback and the idle time run on the simulator's clock: at 0.5 they take
        # half as long, at 0 (as fast as possible) the timeout is due at once.
        factor = self.session.pacing.realtime_factor
        delay = (playback_seconds + turn.idle_timeout_ms / 1000) * factor
        self._idle_timer.arm(delay, self._idle_timeout)

    def disarm_idle_timeout(self) -> None:
        """Stop the idle clock (speech started, a response started, the session ended)."""
        self._idle_timer.cancel()

    def _idle_timeout(self) -> None:
        session = self.session
        if session.closed or self.turns.responding:
            return
        item_id = session.new_id("item")
        session.emit(
            InputAudioBufferTimeoutTriggered(
                audio_start_ms=_ms(self.buffer_start),
                audio_end_ms=_ms(self.position),
                item_id=item_id,
            )
        )
        pcm = bytes(self.buffer)
        self.buffer.clear()
        self.buffer_start = self.position
        self._commit(item_id, pcm)
        self.turns.create_auto()

    def _speech_started(self, sample: int) -> None:
        session = self.session
        self.disarm_idle_timeout()
        self._speech_start = max(sample, self.buffer_start)
        self.speech_item_id = session.new_id("item")
        session.emit(
            InputAudioBufferSpeechStarted(
                audio_start_ms=_ms(sample),
                item_id=self.speech_item_id,
            )
        )
        turn = self.turn_detection
        if turn is not None and turn.interrupt_response is not False:
            self.turns.interrupt()

    def _speech_stopped(self, sample: int) -> None:
        session = self.session
        item_id = self.speech_item_id or session.new_id("item")
        self.speech_item_id = None
        session.emit(InputAudioBufferSpeechStopped(audio_end_ms=_ms(sample), item_id=item_id))
        begin = (self._speech_start - self.buffer_start) * 2
        end = (sample - self.buffer_start) * 2
        pcm = bytes(self.buffer[max(begin, 0) : end])
        del self.buffer[:end]
        self.buffer_start = sample
        self._commit(item_id, pcm)
        turn = self.turn_detection
        if turn is not None and turn.create_response is not False:
            self.turns.create_auto()

    # -- committing ------------------------------------------------------------------------

    def _commit(self, item_id: str, pcm: bytes) -> None:
        session = self.session
        heard = (decode_speech(pcm) or unintelligible_transcript(len(pcm))) if pcm else ""
        transcription = input_config(session.config).transcription
        item = MessageItem(
            id=item_id,
            object="realtime.item",
            status="completed",
            role="user",
            content=[ContentPart(type="input_audio", transcript=None)],
        )
        stored = StoredItem(item)
        stored.audio[0] = pcm
        stored.heard[0] = heard
        previous = session.conversation.add(stored)
        session.emit(InputAudioBufferCommitted(item_id=item_id, previous_item_id=previous))
        session.emit(ConversationItemAdded(item=public_item(item), previous_item_id=previous))
        session.emit(ConversationItemDone(item=public_item(item), previous_item_id=previous))
        if isinstance(transcription, TranscriptionConfig):
            self._transcribe(stored, heard, transcription, len(pcm))

    def _transcribe(
        self, stored: StoredItem, text: str, config: TranscriptionConfig, pcm_bytes: int
    ) -> None:
        session = self.session
        model = config.model if isinstance(config.model, str) else "gpt-4o-transcribe"
        chunks = [text] if model == "whisper-1" else words(text)
        for chunk in chunks:
            session.emit(
                ConversationItemInputAudioTranscriptionDelta(
                    item_id=stored.id,
                    content_index=0,
                    delta=chunk,
                )
            )
        seconds = pcm_bytes / (2 * PCM16_SAMPLE_RATE)
        usage: TranscriptTokenUsage | TranscriptDurationUsage
        if model == "whisper-1":
            usage = TranscriptDurationUsage(seconds=round(seconds, 3))
        else:
            audio_tokens = max(1, round(seconds * 10))
            text_tokens = max(1, len(text) // 4)
            usage = TranscriptTokenUsage(
                input_tokens=audio_tokens,
                output_tokens=text_tokens,
                total_tokens=audio_tokens + text_tokens,
                input_token_details=TranscriptInputTokenDetails(
                    text_tokens=0, audio_tokens=audio_tokens
                ),
            )
        item = stored.item
        assert isinstance(item, MessageItem)
        part = item.content[0]
        stored.item = msgspec.structs.replace(
            item, content=[msgspec.structs.replace(part, transcript=text), *item.content[1:]]
        )
        session.emit(
            ConversationItemInputAudioTranscriptionCompleted(
                item_id=stored.id,
                content_index=0,
                transcript=text,
                usage=usage,
            )
        )


class _NoTurns:
    """The turns of a session without responses (transcription): nothing to start or stop."""

    responding = False

    def create_auto(self) -> None:
        pass

    def interrupt(self) -> None:
        pass
