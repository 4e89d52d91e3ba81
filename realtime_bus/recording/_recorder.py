"""The recorder: writes a session's frames and lifecycle to a recording, as they happen.

It is the bus's recorder tap (see ``Bus(record=...)``) and is also used by the simulator and the
proxy. Frames are written from the caller's task with no await. A recording the recorder opened
itself gathers its frames: each one costs a clock read and two appends (the bus receives
thousands a second when it catches up), and a batch is formatted in one pass (msgspec writes
the lines) and written with one call when it is big enough, at every lifecycle marker, at any
other line, and when the recording closes.
"""

from __future__ import annotations

import base64
import io
import os
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from typing import IO, Any

import msgspec

from ..protocol import InputAudioBufferAppend, ResponseOutputAudioDelta
from ..transport import ConnectOptions, Endpoint
from ._audio import AudioFormats, strip_audio
from ._format import AudioSummary, Direction, FrameLine, Header, Marker, MarkerKind
from ._secrets import SecretSet, safe_url, secrets_of_url, subprotocol_keys

__all__ = ["RecordTarget", "Recorder", "library_version"]

RecordTarget = str | os.PathLike[str] | IO[Any]
"""Where a recording goes: a path (created, or truncated) or an open file (text or binary)."""

_writev = getattr(os, "writev", None)
_BATCH_BYTES = 1 << 18
_BATCH_FRAMES = 256
_BATCH_PARTS = 768  # below every system's IOV_MAX (1024 on Linux)
# Events whose fields are ids, indices and base64 audio: no text a credential could be echoed
# in, so the secret scan (a search through every byte) is spared on most of the traffic.
_AUDIO_ONLY = frozenset({ResponseOutputAudioDelta, InputAudioBufferAppend})
_encode = msgspec.json.Encoder().encode
_encode_lines = msgspec.json.Encoder().encode_lines
_monotonic_ns = time.monotonic_ns
# ``10 in data`` looks for a newline byte; ``b"\n" in data`` costs an exception raised and
# cleared inside (the int check is tried first): 1,500 instructions a frame.
_NL = 10
_validate = msgspec.json.Decoder().decode


def library_version() -> str:
    """The installed realtime-bus version."""
    try:
        return metadata.version("realtime-bus")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


class Recorder:
    """Writes one recording. Frames are seen from the client's side: ``in`` is what the server
    sent, ``out`` what the client sent.

    ``target`` is a path or an open file (left open when closed); ``url`` is stored without
    credentials; ``headers`` and ``secrets`` are credentials to keep out of every frame;
    ``audio=False`` replaces audio by its size and duration.
    """

    def __init__(
        self,
        target: RecordTarget,
        *,
        url: str,
        dialect: str = "ga",
        source: str = "bus",
        audio: bool = True,
        headers: Mapping[str, str] | None = None,
        secrets: list[str] | None = None,
    ) -> None:
        self.secrets = SecretSet()
        self.secrets.add_all(secrets_of_url(url))
        self.secrets.add_headers(headers or {})
        self.secrets.add_all(secrets or [])
        self.audio = audio
        self._formats = AudioFormats()
        self._owned = not hasattr(target, "write")
        self._file: Any = None
        self._fd = -1
        self._pending: list[bytes] = []
        self._pending_size = 0
        # Frames gathered for the next batch: their bytes, their clock readings, and which of
        # them the client sent (the rest came from the server).
        self._frames: list[bytes] = []
        self._times: list[int] = []
        self._outgoing: list[int] = []
        self._gathered = 0
        self._written = 0
        self._text = False
        if self._owned:
            # Only the owner may read it: a recording holds the conversation.
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
            self._fd = os.open(os.fspath(target), flags, 0o600)  # type: ignore[arg-type]
        else:
            self._file = target
            self._text = isinstance(target, io.TextIOBase)
        # One clock per line: ``t`` from the monotonic clock, ``wall`` the start's Unix time
        # plus ``t`` (both to the microsecond).
        self._t0 = _monotonic_ns()
        now = time.time()
        self._wall0 = round(now * 1e6)
        self.closed = False
        self._gather = self._owned and audio
        """Whether frames are gathered for a batch (see :meth:`received`)."""
        header = Header(
            library=library_version(),
            dialect=dialect,
            url=safe_url(url),
            started_at=datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
            started_unix=self._wall0 / 1e6,
            source=source,
            audio=audio,
        )
        self._write(_encode(header) + b"\n")

    @property
    def frames(self) -> int:
        """Frames recorded so far."""
        return self._written + len(self._frames)

    @classmethod
    def for_endpoint(
        cls,
        target: RecordTarget,
        endpoint: Endpoint,
        *,
        dialect: str,
        audio: bool = True,
        options: ConnectOptions | None = None,
    ) -> tuple[Recorder, Endpoint]:
        """A recorder for a bus's endpoint, and the endpoint to connect with: the same one,
        its token provider wrapped so each fresh token is also kept out of the recording.
        Credentials in ``options`` (extra headers, a key subprotocol) are kept out too."""
        recorder = cls(
            target, url=endpoint.url, dialect=dialect, audio=audio, headers=endpoint.headers
        )
        extra = (options.websocket_options if options is not None else None) or {}
        recorder.secrets.add_headers(dict(extra.get("additional_headers") or {}))
        recorder.secrets.add_all(subprotocol_keys(extra.get("subprotocols") or ()))
        provider = endpoint.token_provider
        if provider is None:
            return recorder, endpoint

        async def watched() -> str:
            token = provider()
            if not isinstance(token, str):
                token = await token
            if isinstance(token, str):
                recorder.secrets.add(token)
            return token

        return recorder, replace(endpoint, token_provider=watched)

    # -- writing ---------------------------------------------------------------------------

    def _write(self, line: bytes) -> None:
        if self._frames:
            self._format()
        if self._fd >= 0:
            self._pending.append(line)
            self._pending_size += len(line)
            if self._pending_size >= _BATCH_BYTES or len(self._pending) >= _BATCH_PARTS:
                self._drain()
        elif self._text:
            self._file.write(line.decode())
        else:
            self._file.write(line)

    def _format(self) -> None:
        """Turn the gathered frames into lines, in one pass, ready to be written."""
        frames, times, outgoing = self._frames, self._times, self._outgoing
        self._frames, self._times, self._gathered = [], [], 0
        t0, wall0 = self._t0, self._wall0
        lines = [
            FrameLine(dir="in", t=us / 1e6, wall=(us + wall0) / 1e6, frame=msgspec.Raw(frame))
            for us, frame in zip([(ns - t0) // 1000 for ns in times], frames, strict=True)
        ]
        if outgoing:
            for index in outgoing:
                lines[index].dir = "out"
            self._outgoing = []
        self._written += len(lines)
        batch = _encode_lines(lines)
        self._pending.append(batch)
        self._pending_size += len(batch)

    def _drain(self) -> None:
        if self._frames:
            self._format()
        pending, self._pending, self._pending_size = self._pending, [], 0
        if not pending:
            return
        if _writev is None:  # pragma: no cover - Windows
            rest = b"".join(pending)
        else:
            written = _writev(self._fd, pending)
            rest = b"".join(pending)[written:] if written < sum(map(len, pending)) else b""
        while rest:  # a short write (rare on a regular file): finish it
            rest = rest[os.write(self._fd, rest) :]

    def flush(self) -> None:
        """Write out what is gathered (done at every marker and when the recording closes)."""
        if self._fd >= 0:
            self._drain()
        else:
            self._file.flush()

    def _stamp(self) -> tuple[float, float]:
        us = (_monotonic_ns() - self._t0) // 1000
        return us / 1e6, (us + self._wall0) / 1e6

    def received(self, frame: bytes | str, event: Any) -> None:
        """A frame from the server (the bus's tap). ``event`` (the decoded event, if known)
        spares a JSON check."""
        # The bus's hot path, kept short: a decoded frame that is one line is gathered as it
        # is (its secrets removed), and formatted with its batch.
        if self._gather and event is not None and type(frame) is bytes and _NL not in frame:
            if self.secrets.probe and type(event) not in _AUDIO_ONLY:
                frame = self.secrets.scrub(frame)
            self._times.append(_monotonic_ns())
            self._frames.append(frame)
            self._gathered += len(frame)
            if self._gathered >= _BATCH_BYTES or len(self._frames) >= _BATCH_FRAMES:
                self._drain()
            return
        self.frame("in", frame, event)

    def sent(self, frame: bytes | str, event: Any) -> None:
        """A frame to the server (the bus's tap)."""
        if self._gather and event is not None and type(frame) is bytes and _NL not in frame:
            self._outgoing.append(len(self._frames))
            self.received(frame, event)  # gathered as received frames are, marked as sent
            return
        self.frame("out", frame, event)

    def frame(self, direction: Direction, frame: bytes | str, event: Any = None) -> None:
        """Write one frame. ``event`` (the decoded event, if known) spares a JSON check."""
        if self.closed:
            return
        t, wall = self._stamp()
        data = frame.encode() if isinstance(frame, str) else bytes(frame)
        if self.secrets.probe and type(event) not in _AUDIO_ONLY:
            data = self.secrets.scrub(data)
        summary: AudioSummary | None = None
        if not self.audio:
            data, ms, nbytes = strip_audio(data, self._formats, server=direction == "in")
            if nbytes:
                summary = AudioSummary(bytes=nbytes, ms=ms)
        line = FrameLine(dir=direction, t=t, wall=wall, audio=summary)
        if b"\n" not in data and (event is not None or _is_json(data)):
            line.frame = msgspec.Raw(data)
        else:
            try:
                line.text = data.decode()
            except UnicodeDecodeError:
                line.base64 = base64.b64encode(data).decode()
        self._write(_encode(line) + b"\n")
        self._written += 1

    def marker(self, kind: MarkerKind, **fields: Any) -> None:
        """Write a lifecycle marker (``rotation`` is for whoever hands a session over)."""
        if self.closed:
            return
        t, wall = self._stamp()
        marker = Marker(kind=kind, t=t, wall=wall, **fields)
        self._write(_encode(marker) + b"\n")
        self.flush()

    def opened(self, attempt: int) -> None:
        """A connection opened (the bus's tap)."""
        self.marker("connect", attempt=attempt)

    def lifecycle(self, event: Any) -> None:
        """A bus lifecycle event (the bus's tap): disconnects, reconnect attempts, rotations."""
        kind = getattr(event, "type", "")
        if kind == "bus.disconnected":
            self.marker(
                "disconnect",
                code=event.code,
                reason=event.reason,
                will_reconnect=event.will_reconnect,
            )
        elif kind == "bus.reconnecting":
            self.marker("reconnect", attempt=event.attempt, delay=round(event.delay, 6))
        elif kind == "bus.rotated":
            self.marker(
                "rotation", session_id=event.old_session_id, new_session_id=event.new_session_id
            )

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        """Write the ``close`` marker and flush; closes the file if the recorder opened it."""
        if self.closed:
            return
        self.marker("close", code=code, reason=reason)
        self.closed = True
        self._gather = False
        self.flush()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __repr__(self) -> str:
        return f"<Recorder frames={self.frames}{' closed' if self.closed else ''}>"


def _is_json(data: bytes) -> bool:
    try:
        _validate(data)
    except msgspec.DecodeError:
        return False
    return True
