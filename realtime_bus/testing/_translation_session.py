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
import time
from typing import Literal, Protocol, TypeVar

import msgspec
from msgspec import UNSET

from .._log import get_logger
from ..protocol import (
    PCM16_SAMPLE_RATE,
    ClientEvent,
    DecodeError,
    ErrorDetails,
    ErrorEvent,
    ServerEvent,
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
    pcm_from_base64,
)
from ..protocol.server import ClientDecoder
from ._config import expires_at
from ._dispatch import DispatchTable
from ._errors import invalid_request
from ._ids import IdFactory
from ._port import SessionHost
from ._registry import SimulatedTranslationSecret
from ._speech import decode_speech, synthesize_speech, unintelligible_transcript
from ._vad import EnergyVad
from ._validation import error_for_bad_frame
from ._wsconn import WebSocketConnection

__all__ = ["SimulatedTranslationSession", "open_translation_session", "translate"]

_log = get_logger("realtime_bus.testing.translation")
_decoder = ClientDecoder("translation")
_encode = msgspec.json.Encoder().encode
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


def _words(text: str) -> list[str]:
    parts = text.split(" ")
    return [p if i == 0 else " " + p for i, p in enumerate(parts)]


class SimulatedTranslationSession:
    """One translation connection. Read :attr:`config`, :attr:`received`, :attr:`sent`."""

    kind: Literal["translation"] = "translation"

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
        self.sim = sim
        self.ws = ws
        self._ids = IdFactory()
        self.id = config.id
        self.config = config
        """The effective session configuration (what ``session.updated`` reports)."""
        self.path = path
        self.query = query
        self.call_id: str | None = None
        self.client_secret = client_secret
        self.created_at = time.time()
        self.received: list[ClientEvent] = []
        self.rejected: list[bytes] = []
        self.sent: list[ServerEvent] = []
        self._record = sim.record
        self._closed = asyncio.get_running_loop().create_future()
        self._vad = EnergyVad(silence_duration_ms=500)
        self._audio = bytearray()
        """Source audio since the end of the last utterance (PCM16, 24 kHz)."""
        self._audio_start = 0
        """Sample position of the first sample of :attr:`_audio`."""
        self._speech_start: int | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._out_lock = asyncio.Lock()

    # -- state -----------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether the connection is gone."""
        return self._closed.done()

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code sent or received, if any."""
        return self.ws.close_code

    @property
    def language(self) -> str:
        """The target language (``audio.output.language``; ``"en"`` when unset)."""
        out = self.config.audio.output
        lang = out.language if isinstance(out, TranslationAudioOutput) else None
        return lang if isinstance(lang, str) and lang else "en"

    def sent_types(self) -> list[str]:
        """The ``type`` of every server event sent, in order."""
        return [event.type for event in self.sent]

    def new_id(self, prefix: str) -> str:
        """A fresh id with ``prefix``."""
        return self._ids(prefix)

    async def wait_closed(self, timeout: float | None = None) -> None:
        """Return once the connection is gone."""
        await asyncio.wait_for(asyncio.shield(self._closed), timeout)

    # -- sending ---------------------------------------------------------------------------

    def emit(self, event: ServerEvent) -> None:
        """Send a server event (an empty ``event_id`` is filled in) and record it."""
        if not event.event_id:
            msgspec.structs.force_setattr(event, "event_id", self._ids("event"))
        if self._record:
            self.sent.append(event)
        self.ws.send_text(_encode(event))
        faults = self.sim.faults
        if faults.armed:
            faults.after_send(self, event)

    def emit_error(self, details: ErrorDetails) -> None:
        """Send an ``error`` event."""
        self.emit(ErrorEvent(error=details))

    def send_raw(self, frame: bytes | str) -> None:
        """Send ``frame`` as a text frame exactly as given."""
        self.ws.send_text(frame)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Send ``session.created``."""
        self.emit(TranslationSessionCreated(session=self.config))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the WebSocket with ``code`` and ``reason``."""
        self._stop_tasks()
        self.ws.close(code, reason)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.ws.abort()

    def stall(self) -> None:
        """Stop reading and sending without closing."""
        self.ws.stall()

    def resume(self) -> None:
        """Undo :meth:`stall`."""
        self.ws.resume()

    def connection_closed(self) -> None:
        """The TCP connection is gone (called by the connection glue)."""
        self._stop_tasks()
        if not self._closed.done():
            self._closed.set_result(None)
        if self in self.sim.translations:
            self.sim.translations.remove(self)
        self.sim._session_closed(self)

    def _stop_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()

    # -- receiving -------------------------------------------------------------------------

    def on_message(self, data: bytes, is_text: bool) -> None:
        """One complete client message arrived."""
        if not is_text:
            self.emit_error(
                invalid_request(
                    "Binary messages are not supported: send events as JSON text.",
                    code="invalid_value",
                )
            )
            return
        try:
            event = _decoder.decode(data)
        except DecodeError as exc:
            if self._record:
                self.rejected.append(data)
            self.emit_error(error_for_bad_frame(exc))
            return
        if self._record:
            self.received.append(event)
        try:
            _HANDLERS.dispatch(self, event)
        except Exception:  # a bug here must not kill the connection
            _log.error("simulator_handler_failed", event_type=event.type, exc_info=True)
            self.emit_error(
                ErrorDetails(
                    type="server_error",
                    message="The server had an error while processing your request.",
                )
            )

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
        self._stop_tasks()
        self.emit(TranslationSessionClosed())
        self.ws.close(1000, "")

    def _append(self, event: TranslationInputAudioBufferAppend) -> None:
        try:
            pcm = pcm_from_base64(event.audio)
        except ValueError:
            self.emit_error(
                invalid_request(
                    "Invalid 'audio'. Expected base64-encoded audio bytes.",
                    code="invalid_value",
                    param="audio",
                    event_id=event.event_id if isinstance(event.event_id, str) else None,
                )
            )
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
                    self.emit_error(
                        ErrorDetails(
                            type="server_error",
                            message="The server had an error while processing your request.",
                        )
                    )

    async def _stream(self, heard: str, elapsed_ms: int) -> None:
        audio_in = self.config.audio.input
        if isinstance(audio_in, TranslationAudioInput) and audio_in.transcription not in (
            UNSET,
            None,
        ):
            for word in _words(heard):
                self.emit(TranslationInputTranscriptDelta(delta=word, elapsed_ms=elapsed_ms))
        translated = translate(heard, self.language)
        words = _words(translated)
        pcm = synthesize_speech(translated, lead_silence_ms=0, trail_silence_ms=0)
        chunk = max(6, PCM16_SAMPLE_RATE * 2 * self.sim.audio_chunk_ms // 1000 // 6 * 6)
        chunks = max(1, -(-len(pcm) // chunk))
        sent_words = 0
        for index in range(chunks):
            due = len(words) * (index + 1) // chunks
            if due > sent_words:
                delta = "".join(words[sent_words:due])
                sent_words = due
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
            await self._pace(len(piece) / (2 * PCM16_SAMPLE_RATE))

    async def _pace(self, seconds: float) -> None:
        factor = self.sim.realtime_factor
        if factor > 0:
            await asyncio.sleep(seconds * factor)
        else:
            await self.ws.cooperate()

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
