"""A fake Twilio for the bridge's tests, written from Twilio's documented Media Streams messages.

It opens the media WebSocket as Twilio does (``connected``, ``start``, then ``media`` every
20 ms), and plays what comes back like a phone: the bridge's ``media`` go into a buffer that
drains at 8 bytes a millisecond; a ``mark`` is returned once the audio before it has drained;
``clear`` drops the buffer and returns the pending marks at once (they were not played).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import websockets

from realtime_bus.audio import Pacer, from_session_format, to_session_format
from realtime_bus.protocol import InputAudioBufferAppend
from realtime_bus.testing import decode_speech

_ids = itertools.count(1)
_BYTES_PER_MS = 8


@dataclass
class Clear:
    """What the phone had played when ``clear`` arrived."""

    played: int
    acked: list[int]
    """Stream positions (bytes) of the marks returned as played before the clear."""


@dataclass
class FakeTwilio:
    url: str
    parameters: dict[str, str] = field(default_factory=dict)
    received: bytearray = field(default_factory=bytearray)
    frames: list[dict[str, Any]] = field(default_factory=list)
    marks: list[tuple[str, int]] = field(default_factory=list)
    """Pending marks: (name, stream position in bytes)."""
    acked: list[tuple[str, int]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    clears: list[Clear] = field(default_factory=list)
    played: int = 0
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_code: int | None = None

    def __post_init__(self) -> None:
        n = next(_ids)
        self.stream_sid = f"MZ{n:032x}"
        self.call_sid = f"CA{n:032x}"
        self._ws: Any = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._sequence = itertools.count(1)
        self._chunk = itertools.count(1)
        self._cleared_at = 0  # position in `received` where the last clear dropped audio

    # -- Twilio -> bridge ----------------------------------------------------------------------

    async def send(self, message: dict[str, Any]) -> None:
        message.setdefault("sequenceNumber", str(next(self._sequence)))
        await self._ws.send(json.dumps(message))

    async def __aenter__(self) -> FakeTwilio:
        self._ws = await websockets.connect(self.url)
        await self._ws.send(
            json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        )
        await self.send(
            {
                "event": "start",
                "streamSid": self.stream_sid,
                "start": {
                    "accountSid": "AC" + "0" * 32,
                    "streamSid": self.stream_sid,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "customParameters": self.parameters,
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                },
            }
        )
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._play())]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._ws.close()

    async def say(self, pcm24k: bytes, *, speed: float = 1.0) -> None:
        """Speak 24 kHz PCM16 into the call as 20 ms mu-law ``media``, paced like a phone."""
        outer = self

        class Line:
            async def send(self, event: InputAudioBufferAppend, /) -> object:
                await outer.media(base64.b64decode(event.audio))
                return event

        pacer = Pacer(Line(), fmt="audio/pcmu", chunk_ms=20, speed=speed)
        await pacer.send(to_session_format(pcm24k, "audio/pcmu", rate=24000))
        await pacer.finish()

    async def media(self, mulaw: bytes) -> None:
        chunk = next(self._chunk)
        await self.send(
            {
                "event": "media",
                "streamSid": self.stream_sid,
                "media": {
                    "track": "inbound",
                    "chunk": str(chunk),
                    "timestamp": str(chunk * 20),
                    "payload": base64.b64encode(mulaw).decode(),
                },
            }
        )

    async def dtmf(self, digit: str) -> None:
        await self.send(
            {
                "event": "dtmf",
                "streamSid": self.stream_sid,
                "dtmf": {"track": "inbound_track", "digit": digit},
            }
        )

    async def stop(self) -> None:
        await self.send(
            {
                "event": "stop",
                "streamSid": self.stream_sid,
                "stop": {"accountSid": "AC" + "0" * 32, "callSid": self.call_sid},
            }
        )

    # -- bridge -> Twilio, and the phone's speaker -------------------------------------------------

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                message = json.loads(frame)
                self.frames.append(message)
                assert message["streamSid"] == self.stream_sid
                event = message["event"]
                if event == "media":
                    self.received += base64.b64decode(message["media"]["payload"])
                elif event == "mark":
                    self.marks.append((message["mark"]["name"], len(self.received)))
                elif event == "clear":
                    await self._clear()
                else:
                    raise AssertionError(f"unexpected message from the bridge: {message}")
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self._ws.close_code
            self.closed.set()

    async def _clear(self) -> None:
        self.clears.append(Clear(played=self.played, acked=[pos for _, pos in self.acked]))
        self.played = len(self.received)  # the rest is dropped, never played
        self._cleared_at = self.played
        pending, self.marks = self.marks, []
        for name, _ in pending:
            self.dropped.append(name)
            await self._ack(name)

    async def _ack(self, name: str) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.send({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        budget = 0.0
        while True:
            await asyncio.sleep(0.005)
            now = loop.time()
            budget += (now - last) * 1000 * _BYTES_PER_MS
            last = now
            step = min(int(budget), len(self.received) - self.played)
            budget = 0.0 if step <= 0 else budget - step  # a dry buffer does not bank time
            self.played += max(step, 0)
            while self.marks and self.marks[0][1] <= self.played:
                name, pos = self.marks.pop(0)
                self.acked.append((name, pos))
                await self._ack(name)

    # -- reading what the caller heard -------------------------------------------------------------

    def heard(self, start: int = 0, end: int | None = None) -> str | None:
        """The words in the assistant's audio received in ``[start, end)``."""
        audio = bytes(self.received[start:end])
        return decode_speech(from_session_format(audio, "audio/pcmu", rate=24000))

    async def wait_for_audio(self, nbytes: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.received) < nbytes:  # noqa: ASYNC110 - polls the phone
                await asyncio.sleep(0.01)

    async def wait_until(self, predicate: Any, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():  # noqa: ASYNC110 - polls any condition
                await asyncio.sleep(0.01)
