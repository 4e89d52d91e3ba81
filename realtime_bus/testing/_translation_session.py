"""One simulated translation session (``/v1/realtime/translations``): audio in, translation out.

The client streams source audio (``session.input_audio_buffer.append``, PCM16 at 24 kHz). The
server finds each utterance with the same energy VAD as server VAD, and for each one sends the
source transcript (``session.input_transcript.delta``, when ``audio.input.transcription`` is
set), the translated transcript (``session.output_transcript.delta``) and the translated speech
(``session.output_audio.delta``), paced like a response's audio.

The translation is deterministic: the source text tagged with the target language,
``"what time is it"`` -> ``"[es] what time is it"``; its audio is made by
:func:`~realtime_bus.testing.synthesize_speech`, so it decodes back to the translated text.
Audio that is not synthesized speech translates to its placeholder transcript.
"""

from __future__ import annotations

import asyncio
from typing import Literal, Protocol, TypeVar

import msgspec
from msgspec import UNSET

from .._log import get_logger
from ..protocol import (
    PCM16_SAMPLE_RATE,
    ClientEvent,
    TranslationAudio,
    TranslationAudioInput,
    TranslationAudioOutput,
    TranslationInputAudioBufferAppend,
    TranslationInputTranscriptDelta,
    TranslationOutputAudioDelta,
    TranslationOutputTranscriptDelta,
    TranslationSession,
    TranslationSessionClose,
    TranslationSessionClosed,
    TranslationSessionCreated,
    TranslationSessionUpdate,
    TranslationSessionUpdated,
    base64_from_pcm,
)
from ..protocol.server import ClientDecoder
from ._config import expires_at
from ._dispatch import DispatchTable
from ._errors import simulator_fault
from ._pacing import Pacer, in_step, words
from ._port import SessionHost
from ._registry import SimulatedTranslationSecret
from ._session_base import EventSession
from ._speech import decode_speech, synthesize_speech, unintelligible_transcript
from ._vad import EnergyVad
from ._wsconn import WebSocketConnection

__all__ = ["SimulatedTranslationSession", "open_translation_session", "translate"]

_log = get_logger("realtime_bus.testing.translation")
_PADDING_SAMPLES = PCM16_SAMPLE_RATE * 300 // 1000


class TranslationHost(SessionHost, Protocol):
    """What a translation session uses of the simulator: a session host with a list of them."""

    @property
    def translations(self) -> list[SimulatedTranslationSession]:
        """The live translation sessions."""
        ...


def open_translation_session(
    sim: TranslationHost,
    ws: WebSocketConnection,
    *,
    path: str,
    query: dict[str, str],
    model: str,
    secret: SimulatedTranslationSecret | None,
    max_session_seconds: float,
) -> SimulatedTranslationSession:
    """Start a translation session on an accepted WebSocket (``session.created`` is sent)."""
    if secret is not None:
        config = msgspec.structs.replace(secret.session, id=f"sess_{ws.protocol.id.hex[:21]}")
    else:
        config = TranslationSession(
            id=f"sess_{ws.protocol.id.hex[:21]}",
            model=model,
            expires_at=expires_at(max_session_seconds),
            audio=TranslationAudio(),
        )
    session = SimulatedTranslationSession(
        sim,
        ws,
        config=config,
        path=path,
        query=query,
        client_secret=secret.value if secret is not None else None,
    )
    sim.translations.append(session)
    session.start()
    return session


def translate(text: str, language: str) -> str:
    """The simulator's translation of ``text`` into ``language``: the text, tagged."""
    return f"[{language}] {text}"


class SimulatedTranslationSession(EventSession):
    """One translation connection. Read :attr:`config`, :attr:`received`, :attr:`sent`."""

    kind: Literal["translation"] = "translation"
    _decoder = ClientDecoder("translation")
    _log = _log

    def __init__(
        self,
        sim: TranslationHost,
        ws: WebSocketConnection,
        *,
        config: TranslationSession,
        path: str,
        query: dict[str, str],
        client_secret: str | None,
    ) -> None:
        super().__init__(
            sim, ws, session_id=config.id, path=path, query=query, client_secret=client_secret
        )
        self.sim: TranslationHost = sim
        self.config = config
        """The effective session configuration (what ``session.updated`` reports)."""
        self._vad = EnergyVad(silence_duration_ms=500)
        self._audio = bytearray()
        """Source audio since the end of the last utterance (PCM16, 24 kHz)."""
        self._audio_start = 0
        """Sample position of the first sample of :attr:`_audio`."""
        self._speech_start: int | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._out_lock = asyncio.Lock()
        self._pacer = Pacer(sim, ws)

    # -- state -----------------------------------------------------------------------------

    @property
    def language(self) -> str:
        """The target language (``audio.output.language``; ``"en"`` when unset)."""
        out = self.config.audio.output
        lang = out.language if isinstance(out, TranslationAudioOutput) else None
        return lang if isinstance(lang, str) and lang else "en"

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Send ``session.created``."""
        self.emit(TranslationSessionCreated(session=self.config))

    def connection_closed(self) -> None:
        """The TCP connection is gone (called by the connection glue)."""
        self._stop_output()
        self._mark_closed()
        if self in self.sim.translations:
            self.sim.translations.remove(self)
        self.sim._session_closed(self)

    def _stop_output(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()

    # -- receiving -------------------------------------------------------------------------

    def _dispatch(self, event: ClientEvent) -> None:
        _HANDLERS.dispatch(self, event)

    def _update(self, event: TranslationSessionUpdate) -> None:
        settings = event.session.audio
        if isinstance(settings, TranslationAudio):
            current = self.config.audio
            audio = TranslationAudio(
                input=_merged(current.input, settings.input),
                output=_merged(current.output, settings.output),
            )
            self.config = msgspec.structs.replace(self.config, audio=audio)
        self.emit(TranslationSessionUpdated(session=self.config))

    def _close_requested(self, event: TranslationSessionClose) -> None:
        self._stop_output()
        self.emit(TranslationSessionClosed())
        self.ws.close(1000, "")

    def _append(self, event: TranslationInputAudioBufferAppend) -> None:
        pcm = self._audio_of(event, event.audio)
        if pcm is None:
            return
        self._audio += pcm
        for found in self._vad.feed(pcm):
            if found.kind == "start":
                self._speech_start = max(found.sample - _PADDING_SAMPLES, self._audio_start)
            elif self._speech_start is not None:
                self._utterance(self._speech_start, found.sample)
                self._speech_start = None
        if self._speech_start is None and len(self._audio) > PCM16_SAMPLE_RATE * 2 * 10:
            # Ten seconds without speech: keep the buffer bounded.
            self._audio_start += len(self._audio) // 2
            self._audio.clear()

    def _utterance(self, start: int, end: int) -> None:
        begin = (start - self._audio_start) * 2
        stop = (end - self._audio_start) * 2
        pcm = bytes(self._audio[begin:stop])
        del self._audio[:stop]
        self._audio_start = end
        heard = decode_speech(pcm) or unintelligible_transcript(len(pcm))
        elapsed_ms = end * 1000 // PCM16_SAMPLE_RATE // 200 * 200
        task = asyncio.get_running_loop().create_task(self._translate(heard, elapsed_ms))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _translate(self, heard: str, elapsed_ms: int) -> None:
        # One utterance at a time, in order, as the service streams its output.
        async with self._out_lock:
            try:
                await self._stream(heard, elapsed_ms)
            except asyncio.CancelledError:
                raise
            except Exception:
                _log.error("simulator_translation_failed", session_id=self.id, exc_info=True)
                if self.ws.open:
                    self.emit_error(simulator_fault())

    async def _stream(self, heard: str, elapsed_ms: int) -> None:
        audio_in = self.config.audio.input
        if isinstance(audio_in, TranslationAudioInput) and audio_in.transcription not in (
            UNSET,
            None,
        ):
            for word in words(heard):
                self.emit(TranslationInputTranscriptDelta(delta=word, elapsed_ms=elapsed_ms))
        translated = translate(heard, self.language)
        pcm = synthesize_speech(translated, lead_silence_ms=0, trail_silence_ms=0)
        chunk = max(6, PCM16_SAMPLE_RATE * 2 * self.sim.audio_chunk_ms // 1000 // 6 * 6)
        chunks = max(1, -(-len(pcm) // chunk))
        for index, delta in enumerate(in_step(words(translated), chunks)):
            if delta:
                self.emit(TranslationOutputTranscriptDelta(delta=delta, elapsed_ms=elapsed_ms))
            piece = pcm[index * chunk : (index + 1) * chunk]
            self.emit(
                TranslationOutputAudioDelta(
                    delta=base64_from_pcm(piece),
                    format="pcm16",
                    sample_rate=PCM16_SAMPLE_RATE,
                    channels=1,
                    elapsed_ms=elapsed_ms,
                )
            )
            await self._pacer.pace(len(piece) / (2 * PCM16_SAMPLE_RATE))

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<SimulatedTranslationSession {self.id} {state} language={self.language}>"


_M = TypeVar("_M", TranslationAudioInput, TranslationAudioOutput)


def _merged(
    current: _M | msgspec.UnsetType | None, update: _M | msgspec.UnsetType | None
) -> _M | msgspec.UnsetType | None:
    """``update`` over ``current``, key by key (``None`` clears)."""
    if update is UNSET:
        return current
    if update is None or not isinstance(current, type(update)):
        return update
    changes = {
        name: getattr(update, name)
        for name in update.__struct_fields__
        if getattr(update, name) is not UNSET
    }
    return msgspec.structs.replace(current, **changes)


_HANDLERS: DispatchTable[SimulatedTranslationSession] = DispatchTable()
"""The translation session's client events and their handlers."""
_HANDLERS.on(TranslationInputAudioBufferAppend, SimulatedTranslationSession._append)
_HANDLERS.on(TranslationSessionUpdate, SimulatedTranslationSession._update)
_HANDLERS.on(TranslationSessionClose, SimulatedTranslationSession._close_requested)
