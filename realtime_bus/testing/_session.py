"""One simulated Realtime session: what a client connection talks to.

Client frames are decoded and handled as they arrive, in order, on the event loop (handling is
synchronous except for responses, which stream from their own task). Everything that crosses
the wire is recorded: :attr:`SimulatedSession.received` holds the decoded client events,
:attr:`SimulatedSession.sent` every server event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import msgspec
from msgspec import UNSET

from .._log import get_logger
from ..protocol import (
    AudioInputConfig,
    AudioPCMA,
    AudioPCMU,
    ClientEvent,
    ConversationItem,
    ConversationItemCreate,
    ConversationItemDelete,
    ConversationItemRetrieve,
    ConversationItemTruncate,
    InputAudioBufferAppend,
    InputAudioBufferClear,
    InputAudioBufferCommit,
    OutputAudioBufferClear,
    OutputAudioBufferCleared,
    RealtimeSession,
    ResponseCancel,
    ResponseCreate,
    ServerEvent,
    SessionCreated,
    SessionUpdate,
    SessionUpdated,
    TranscriptionSession,
    TranscriptionSessionAudio,
)
from ..protocol.server import ClientDecoder
from ._config import (
    check_transcription,
    check_update,
    merge,
    normalize,
    session_expiry_reason,
)
from ._conversation import Conversation
from ._dispatch import DispatchTable
from ._errors import invalid_request
from ._g711 import G711Input
from ._input_audio import MAX_APPEND_BYTES, InputAudio, input_config
from ._items import item_create, item_delete, item_retrieve, item_truncate
from ._port import SessionHost
from ._responder import Responder
from ._responses import Responses
from ._session_base import EventSession, client_event_id
from ._wsconn import WebSocketConnection

__all__ = ["SimulatedSession"]


class SimulatedSession(EventSession):
    """One client connection to the simulator and the Realtime session it holds.

    Read it in tests: :attr:`config` (the effective session configuration), :attr:`items`
    (the conversation), :attr:`received` / :attr:`sent` (every event that crossed the wire),
    :attr:`input_audio` (what is in the input buffer). Act on it: :meth:`close`, :meth:`abort`,
    :meth:`stall` / :meth:`resume`, :meth:`send_event`, :meth:`send_raw`.
    """

    _decoder = ClientDecoder()
    _log = get_logger("realtime_bus.testing.session")

    def __init__(
        self,
        sim: SessionHost,
        ws: WebSocketConnection,
        *,
        config: RealtimeSession | TranscriptionSession,
        path: str,
        query: dict[str, str],
        call_id: str | None,
        client_secret: str | None,
    ) -> None:
        assert isinstance(config.id, str)
        super().__init__(
            sim,
            ws,
            session_id=config.id,
            path=path,
            query=query,
            call_id=call_id,
            client_secret=client_secret,
        )
        self.config: RealtimeSession | TranscriptionSession = config
        """The effective session configuration (what ``session.updated`` reports)."""
        self.conversation = Conversation(self._ids("conv"))
        self.input = InputAudio(self)
        self._g711_input = G711Input()
        self.responses = Responses(self, idle=self.input, outlet=ws)
        self.input.turns = self.responses
        self.responder: Responder = sim.responder
        """The responder of this session (the simulator's, unless replaced)."""
        self._expiry: asyncio.TimerHandle | None = None

    # -- reading the state -----------------------------------------------------------------

    @property
    def items(self) -> list[ConversationItem]:
        """The conversation's items, in order."""
        return self.conversation.items()

    @property
    def pacing(self) -> SessionHost:
        """How fast output goes out: the simulator's ``realtime_factor`` and ``audio_chunk_ms``."""
        return self.sim

    @property
    def input_audio(self) -> bytes:
        """The PCM in the input audio buffer."""
        return bytes(self.input.buffer)

    async def wait_idle(self, timeout: float | None = 10.0) -> None:
        """Wait until no response is in progress (returns at once when none is)."""
        await asyncio.wait_for(self.responses.idle.wait(), timeout)

    # -- sending ---------------------------------------------------------------------------

    def send_event(self, event: ServerEvent) -> None:
        """Send any server event now (for tests that script the server side).

        An empty ``event_id`` is filled in on a copy; ``event`` itself is left as it is.
        """
        if not event.event_id:
            event = msgspec.structs.replace(event, event_id=self._ids("event"))
        self.emit(event)

    async def send_frames(self, frames: Iterable[bytes | str], *, batch: int = 32) -> int:
        """Send pre-encoded frames (a recorded server stream) as fast as the client reads them.

        Frames go out as text frames, ``batch`` per write, with flow control. They are not
        decoded nor recorded in :attr:`sent`. Returns how many were sent.
        """
        ws = self.ws
        count = 0
        for frame in frames:
            if not ws.open:
                break
            ws.send_text(frame)
            count += 1
            if count % batch == 0 or not ws.writable:
                await ws.cooperate()
        ws.flush()
        return count

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Send ``session.created`` and arm the session's maximum duration."""
        self.emit(SessionCreated(session=self.config))
        loop = asyncio.get_running_loop()
        self._expiry = loop.call_later(self.sim.max_session_seconds, self.expire)

    def expire(self) -> None:
        """End the session at its maximum duration, as the service does (close 1001)."""
        reason = session_expiry_reason(self.sim.max_session_seconds)
        if self.ws.open:
            self.emit_error(invalid_request(reason, code="session_expired"))
        self.close(1001, reason)

    def _stop_output(self) -> None:
        self.responses.close()

    def connection_closed(self) -> None:
        """The TCP connection is gone (called by the connection glue)."""
        if self._expiry is not None:
            self._expiry.cancel()
        self.input.disarm_idle_timeout()
        self.responses.close()
        self._mark_closed()
        self.sim._session_closed(self)

    # -- receiving -------------------------------------------------------------------------

    def _dispatch(self, event: ClientEvent) -> None:
        _HANDLERS.dispatch(self, event)

    # -- handlers --------------------------------------------------------------------------

    def _response_create(self, event: ResponseCreate) -> None:
        if isinstance(self.config, TranscriptionSession):
            self.emit_error(
                invalid_request(
                    "Responses are not available in a transcription session.",
                    code="invalid_value",
                    param="type",
                    event_id=client_event_id(event),
                )
            )
            return
        self.responses.create(event)

    def _response_cancel(self, event: ResponseCancel) -> None:
        self.responses.cancel(event)

    def _commit(self, event: InputAudioBufferCommit) -> None:
        self.input.commit(client_event_id(event))

    def _clear(self, event: InputAudioBufferClear) -> None:
        self.input.clear()

    def _output_audio_clear(self, event: OutputAudioBufferClear) -> None:
        if self.call_id is None:
            self.emit_error(
                invalid_request(
                    "output_audio_buffer.clear is only supported for WebRTC and SIP sessions.",
                    code="invalid_value",
                    param="type",
                    event_id=client_event_id(event),
                )
            )
            return
        # On WebRTC and SIP the server plays the audio: clearing stops what is playing.
        playing = next(reversed(self.responses.active), "")
        self.emit(OutputAudioBufferCleared(response_id=playing))

    def _append(self, event: InputAudioBufferAppend) -> None:
        pcm = self._audio_of(event, event.audio)
        if pcm is None:
            return
        if len(pcm) > MAX_APPEND_BYTES:
            self.emit_error(
                invalid_request(
                    f"Invalid 'audio': the audio of one append must not exceed 15 MiB, but got "
                    f"{len(pcm)} bytes.",
                    code="invalid_value",
                    param="audio",
                    event_id=client_event_id(event),
                )
            )
            return
        fmt = input_config(self.config).format
        if isinstance(fmt, (AudioPCMU, AudioPCMA)):
            pcm = self._g711_input.convert(
                pcm, "audio/pcmu" if isinstance(fmt, AudioPCMU) else "audio/pcma"
            )
        self.input.append(pcm)

    def _session_update(self, event: SessionUpdate) -> None:
        update = event.session
        event_id = client_event_id(event)
        if type(update) is not type(self.config):
            self.emit_error(
                invalid_request(
                    f"Invalid value: '{_tag(update)}'. The session type cannot change from "
                    f"'{_tag(self.config)}'.",
                    code="invalid_value",
                    param="session.type",
                    event_id=event_id,
                )
            )
            return
        if isinstance(update, RealtimeSession):
            assert isinstance(self.config, RealtimeSession)
            error = check_update(
                self.config, update, has_assistant_audio=self.conversation.has_assistant_audio()
            )
            if error is not None:
                self.emit_error(msgspec.structs.replace(error, event_id=event_id))
                return
            # The service keeps its own id, model and expiry whatever the client sends.
            update = msgspec.structs.replace(update, id=UNSET, object=UNSET, expires_at=UNSET)
            self.config = normalize(merge(self.config, update))
        else:
            audio = update.audio
            if isinstance(audio, TranscriptionSessionAudio) and isinstance(
                audio.input, AudioInputConfig
            ):
                error = check_transcription(audio.input)
                if error is not None:
                    self.emit_error(msgspec.structs.replace(error, event_id=event_id))
                    return
            update = msgspec.structs.replace(update, id=UNSET, object=UNSET, expires_at=UNSET)
            self.config = merge(self.config, update)
        self.input.configure()
        self.emit(SessionUpdated(session=self.config))

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<SimulatedSession {self.id} {state} items={len(self.conversation)}>"


_HANDLERS: DispatchTable[SimulatedSession] = DispatchTable()
"""The session's client events and their handlers."""
_HANDLERS.on(SessionUpdate, SimulatedSession._session_update)
_HANDLERS.on(InputAudioBufferAppend, SimulatedSession._append)
_HANDLERS.on(InputAudioBufferCommit, SimulatedSession._commit)
_HANDLERS.on(InputAudioBufferClear, SimulatedSession._clear)
_HANDLERS.on(OutputAudioBufferClear, SimulatedSession._output_audio_clear)
_HANDLERS.on(ConversationItemCreate, item_create)
_HANDLERS.on(ConversationItemDelete, item_delete)
_HANDLERS.on(ConversationItemRetrieve, item_retrieve)
_HANDLERS.on(ConversationItemTruncate, item_truncate)
_HANDLERS.on(ResponseCreate, SimulatedSession._response_create)
_HANDLERS.on(ResponseCancel, SimulatedSession._response_cancel)


def _tag(session: RealtimeSession | TranscriptionSession) -> str:
    return str(type(session).__struct_config__.tag)
