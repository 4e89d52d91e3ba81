"""The bridge itself: one Twilio Media Stream to one bus, message by message.

Caller audio goes to ``input_audio_buffer.append`` as Twilio sent it (the session is set to
G.711 mu-law in and out, so nothing is transcoded). Assistant audio goes back as ``media``
messages, each followed by a ``mark`` named by :meth:`Playback.mark`; when Twilio returns a
mark, :meth:`Playback.mark_played` moves the played position there, so an interrupt truncates
at what the caller heard. The interrupt's ``on_clear`` sends ``clear``; marks Twilio returns
for the cleared audio do not count as played.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import msgspec

from ..._log import get_logger
from ...agent import AudioChunk, BargeIn, Playback
from ...bus import Bus, BusClosed
from ...protocol import AudioPCMU, InputAudioBufferAppend, base64_from_pcm
from ...transport import ConnectionLost
from ._call import TwilioCall, TwilioCallStarted, TwilioCallStopped, TwilioDtmf
from ._messages import (
    TwilioConnected,
    TwilioDtmfMessage,
    TwilioMarkMessage,
    TwilioMedia,
    TwilioStart,
    TwilioStop,
    clear_message,
    decode_message,
    mark_message,
    media_message,
)

__all__ = ["BridgeOptions", "MediaSocket", "SocketClosed", "run_call"]

_MULAW_BYTES_PER_MS = 8
_log = get_logger("realtime_bus.telephony.twilio")


class SocketClosed(Exception):
    """The Twilio side of the call is gone."""


class MediaSocket(Protocol):
    """The bridge's view of the Twilio WebSocket (the ASGI endpoint provides one)."""

    async def receive_text(self) -> str | None:
        """The next text frame, or ``None`` once the socket has closed."""
        ...

    async def send_text(self, text: str) -> None:
        """Send one text frame; raises :class:`SocketClosed` when the socket is gone."""
        ...

    async def close(self, code: int = 1000) -> None:
        """Close the socket (nothing happens when it is closed already)."""
        ...


@dataclass(frozen=True, slots=True)
class BridgeOptions:
    """How calls are bridged (see :class:`TwilioApp` for the meaning of each)."""

    connect: Callable[[TwilioCall], Bus]
    on_call: Callable[[TwilioCall], Awaitable[object]] | None = None
    barge_in: BargeIn | bool = True
    mark_every_ms: float = 100.0
    start_timeout: float = 10.0
    idle_timeout: float = 30.0
    open_timeout: float = 15.0


class _Sender:
    """Everything the bridge sends to Twilio, one frame at a time, in order."""

    def __init__(self, socket: MediaSocket, call: TwilioCall, playback: Playback, step: int):
        self.socket = socket
        self.call = call
        self.playback = playback
        self.step = max(step, 1)
        self.lock = asyncio.Lock()
        self.gone = False

    async def _send(self, text: str) -> bool:
        if self.gone:
            return False
        try:
            await self.socket.send_text(text)
        except SocketClosed:
            self.gone = True
            return False
        return True

    async def audio(self, chunk: AudioChunk) -> None:
        sid, stats = self.call.stream_sid, self.call.stats
        async with self.lock:
            if chunk.nbytes <= self.step:
                pieces = [(chunk.audio, chunk.nbytes, chunk.end)]
            else:
                data = chunk.data
                pieces = [
                    (
                        base64_from_pcm(data[i : i + self.step]),
                        len(data[i : i + self.step]),
                        chunk.start + min(i + self.step, len(data)),
                    )
                    for i in range(0, len(data), self.step)
                ]
            for payload, nbytes, end in pieces:
                if not await self._send(media_message(sid, payload)):
                    return
                stats.media_out += 1
                stats.bytes_out += nbytes
                if not await self._send(mark_message(sid, self.playback.mark(at=end))):
                    return
                stats.marks_sent += 1

    async def clear(self) -> None:
        async with self.lock:
            if await self._send(clear_message(self.call.stream_sid)):
                self.call.stats.clears += 1


async def _receive(socket: MediaSocket, timeout: float) -> str | None:
    try:
        async with asyncio.timeout(timeout):  # not wait_for: it can lose a cancel on 3.11
            return await socket.receive_text()
    except TimeoutError:
        return None


async def _handshake(socket: MediaSocket, options: BridgeOptions) -> TwilioCall | None:
    """Read up to the ``start`` message; ``None`` if it does not come in time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + options.start_timeout
    while (left := deadline - loop.time()) > 0:
        frame = await _receive(socket, left)
        if frame is None:
            return None
        try:
            message = decode_message(frame)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            _log.warning("twilio frame before start is not a message", error=str(exc)[:200])
            continue
        if isinstance(message, TwilioConnected):
            continue
        if isinstance(message, TwilioStart):
            info = message.start
            fmt = info.media_format
            if (fmt.encoding, fmt.sample_rate, fmt.channels) != ("audio/x-mulaw", 8000, 1):
                _log.warning(
                    "twilio stream format not supported",
                    encoding=fmt.encoding,
                    sample_rate=fmt.sample_rate,
                    channels=fmt.channels,
                )
                return None
            return TwilioCall(
                stream_sid=info.stream_sid or message.stream_sid,
                call_sid=info.call_sid,
                account_sid=info.account_sid,
                parameters=dict(info.custom_parameters),
                tracks=tuple(info.tracks),
            )
        _log.warning("twilio message before start ignored", event=type(message).__name__)
    return None


async def run_call(
    socket: MediaSocket, options: BridgeOptions, calls: dict[str, TwilioCall] | None = None
) -> TwilioCall | None:
    """Bridge one accepted Twilio WebSocket until the stream stops or either side goes away.

    Returns the call (with its :class:`CallStats`), or ``None`` when no stream started.
    Never raises for what the caller's side or the service does; the socket is closed on
    return.
    """
    call = await _handshake(socket, options)
    if call is None:
        await socket.close(1008)
        return None
    log = _log.bind(stream_sid=call.stream_sid, call_sid=call.call_sid)
    call._hang_up = socket.close
    if calls is not None:
        calls[call.stream_sid] = call
    reason = "stop"
    try:
        bus = options.connect(call)
        playback = Playback(bus, None, barge_in=options.barge_in)
        call.bus, call.playback = bus, playback
        sender = _Sender(socket, call, playback, int(options.mark_every_ms * _MULAW_BYTES_PER_MS))
        playback.on_audio(sender.audio)
        playback.on_clear(sender.clear)
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(playback.close)
            async with asyncio.timeout(options.open_timeout):
                await stack.enter_async_context(bus)
            await _speak_mulaw(bus, options.open_timeout, log)
            log.info("twilio call bridged", bus=bus.name)
            bus.publish(TwilioCallStarted(call=call))
            if options.on_call is not None:
                await options.on_call(call)
            reason = await _pump(socket, call, bus, playback, options)
            bus.publish(TwilioCallStopped(call=call, reason=reason))
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        reason = "error"
        log.warning("twilio call ended by an error", error=repr(exc)[:300])
    finally:
        if calls is not None:
            calls.pop(call.stream_sid, None)
        await socket.close(1000 if reason in ("stop", "hangup") else 1011)
        log.info("twilio call ended", reason=reason, **_figures(call))
    return call


async def _speak_mulaw(bus: Bus, within: float, log: Any) -> None:
    """Set the session to G.711 mu-law both ways and wait for ``session.updated``.

    A drop before the answer came does not end the call: the bus reconnects (sending the
    configuration again, G.711 included) and the update is asked again on the new session, for
    at most ``within`` seconds after the first drop.
    """
    deadline: float | None = None
    while True:
        try:
            async with asyncio.timeout_at(deadline):
                await bus.session.update(
                    input_format=AudioPCMU(), output_format=AudioPCMU(), wait=True
                )
            return
        except ConnectionLost as exc:
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + within
            log.info("realtime connection lost while configuring; asking again", error=str(exc))


def _figures(call: TwilioCall) -> dict[str, int]:
    s = call.stats
    return {"media_in": s.media_in, "media_out": s.media_out, "marks_played": s.marks_played}


async def _pump(
    socket: MediaSocket,
    call: TwilioCall,
    bus: Bus,
    playback: Playback,
    options: BridgeOptions,
) -> str:
    """Twilio's messages, in order, until ``stop``; returns why it ended."""
    stats = call.stats
    while True:
        frame = await _receive(socket, options.idle_timeout)
        if frame is None:
            return "hangup"
        try:
            message = decode_message(frame)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            stats.bad_messages += 1
            _log.warning("twilio frame is not a message", error=str(exc)[:200])
            continue
        if isinstance(message, TwilioMedia):
            if message.media.track not in ("inbound", "inbound_track"):
                continue
            try:
                await bus.send(InputAudioBufferAppend(audio=message.media.payload))
            except BusClosed:
                return "bus closed"
            stats.media_in += 1
        elif isinstance(message, TwilioMarkMessage):
            if playback.mark_played(message.mark.name):
                stats.marks_played += 1
            else:
                stats.marks_dropped += 1
        elif isinstance(message, TwilioDtmfMessage):
            bus.publish(TwilioDtmf(call=call, digit=message.dtmf.digit))
        elif isinstance(message, TwilioStop):
            return "stop"
