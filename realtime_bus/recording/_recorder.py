"""The recorder: writes a session's frames and lifecycle to a recording, as they happen.

It is the bus's recorder tap (see ``Bus(record=...)``) and is also used by the simulator and the
proxy. Frames are written from the caller's task with no await. A recording the recorder opened
itself gathers its frames in one list, each frame followed by its receive time: the bus's
reader appends audio frames to it itself, with no call (see :meth:`Recorder.gathering`), and
every other frame comes through :meth:`Recorder.received` and the credential scan. A batch is
written with one ``os.writev`` when it is big enough, at every lifecycle marker, at any other
line, and when the recording closes: each frame line's start (kind, direction, times; the
times of a whole batch formatted by msgspec in one call) then the frame's own bytes, so the
kernel copies each frame once, from the bytes the bus received. The file is reserved ahead in
chunks where the system can (``fallocate``, keeping the file's size; the reservation past the
end is given back when the recording closes): writing into reserved blocks costs the kernel
less than growing the file.
"""

from __future__ import annotations

import base64
import io
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from itertools import repeat
from operator import add, sub
from typing import IO, Any, NamedTuple

import msgspec

from ..protocol import (
    InputAudioBufferAppend,
    ResponseOutputAudioDelta,
    TranslationInputAudioBufferAppend,
    TranslationOutputAudioDelta,
    live,
)
from ..transport import ConnectOptions, Endpoint
from ._audio import HOLDS_AUDIO, AudioFormats, cut_plain, strip_audio, strip_decoded
from ._format import AudioSummary, Direction, FrameLine, Header, Marker, MarkerKind
from ._secrets import SecretSet, safe_url, secrets_of_url, subprotocol_keys

__all__ = ["Gathering", "RecordTarget", "Recorder", "library_version"]

RecordTarget = str | os.PathLike[str] | IO[Any]
"""Where a recording goes: a path (created, or truncated) or an open file (text or binary)."""

_writev = getattr(os, "writev", None)
_BATCH_BYTES = 1 << 18  # lines other than gathered frames (text frames, audio left out)
_BATCH_PARTS = 768
_BATCH_FRAMES = 384  # gathered frames a batch: about 1 MiB of corpus frames, two pieces each
_IOV_MAX = 1020  # pieces a writev call: below every system's IOV_MAX (1024 on Linux)
_LARGEST = 1 << 15  # the reader gathers frames up to this size (others come as a call)
_RESERVE = 8 << 20  # bytes reserved ahead (fallocate) ...
_RESERVE_MARGIN = 2 << 20  # ... when what is written comes this close to the reserved end
# Events whose fields are ids, indices and base64 audio: no text a credential could be echoed
# in, so the secret scan (a search through every byte) is spared on most of the traffic.
_AUDIO_ONLY = frozenset({ResponseOutputAudioDelta, InputAudioBufferAppend})
_encode = msgspec.json.Encoder().encode
_monotonic = time.monotonic
# ``10 in data`` looks for a newline byte; ``b"\n" in data`` costs an exception raised and
# cleared inside (the int check is tried first): 1,500 instructions a frame.
_NL = 10
_has_newline = bytes.__contains__
_validate = msgspec.json.Decoder().decode
# A frame line, written around the frame's own bytes: what comes before it (the line before
# closed first), and what closes the batch's last line.
_FIRST = b'{"kind":"frame","dir":"in","t":'
_WALL = b',"wall":'
_FRAME = b',"frame":'
_CUT = b"\0"  # never in a number: cuts the batch's line starts apart
_BETWEEN = _FRAME + _CUT + b"}\n" + _FIRST  # a line's end, the frame, the next line's start
_END = b"}\n"
# Recording without audio: the events whose one audio string is cut out of the frame's own
# bytes, with the field that holds it, where its value starts, and whether it is output audio.
_CUTS: dict[type[msgspec.Struct], tuple[str, bytes, bool]] = {
    ResponseOutputAudioDelta: ("delta", b'"delta":"', True),
    InputAudioBufferAppend: ("audio", b'"audio":"', False),
    TranslationOutputAudioDelta: ("delta", b'"delta":"', True),
    TranslationInputAudioBufferAppend: ("audio", b'"audio":"', False),
    live.OutputAudioDelta: ("delta", b'"delta":"', True),
    live.InputAudioAppend: ("audio", b'"audio":"', False),
    live.InputAudioReflected: ("audio", b'"audio":"', False),
}
# The same, by the type a frame names first (``{"type":"..."``), for the frames the reader
# gathers, which come with no event; and the other types the general strip must see.
_TYPE_FIRST = b'{"type":"'
_CUT_NAMES = {
    str(cls.__struct_config__.tag).encode(): (key, output)
    for cls, (_, key, output) in _CUTS.items()
}
_STRIP_NAMES = frozenset(name.encode() for name in HOLDS_AUDIO) - _CUT_NAMES.keys()
_ENDS_KEPT = 512  # summaries kept formatted (audio chunks come in a few sizes)


class Gathering(NamedTuple):
    """How the bus's reader hands frames to a recorder with no call (see
    :meth:`Recorder.gathering`)."""

    frames: list[Any]
    """Append a frame (``bytes``), then its receive time (``time.monotonic()``)."""
    full: int
    """When the list is this long, call :attr:`flush`."""
    flush: Callable[[], None]
    quick: frozenset[type]
    """The event types whose frames need no credential scan (ids and audio only)."""
    scan: list[int]
    """Before appending the frame of any other type, append ``len(frames)``: the batch's
    credential scan looks at those frames."""
    largest: int
    """Frames longer than this come through :meth:`Recorder.received`."""


def _reserver() -> Callable[[int, int, int], int] | None:
    """``fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length)`` where the system has it."""
    if not sys.platform.startswith("linux"):  # pragma: no cover - other systems
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fallocate = libc.fallocate
    except (OSError, AttributeError):  # pragma: no cover - no fallocate in this libc
        return None
    fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    fallocate.restype = ctypes.c_int

    def reserve(fd: int, offset: int, length: int) -> int:
        return int(fallocate(fd, 1, offset, length))  # 1: FALLOC_FL_KEEP_SIZE

    return reserve


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
        """What is ready to be written, in order (the pieces of a writev)."""
        self._pending_size = 0
        self.gathered: list[Any] = []
        """Frames gathered for the next batch, each followed by its receive time (see
        :meth:`gathering`)."""
        self._outgoing: list[int] = []  # which gathered frames the client sent
        self._scan: list[int] = []
        """Where in :attr:`gathered` the reader put frames the credential scan must see (one
        list for the recorder's life: the reader holds it)."""
        self._summaries: list[tuple[int, bytes]] = []
        """Gathered frames whose audio was left out: the index, and the end of its line (the
        ``audio`` summary, then the line's close)."""
        self._ends: dict[tuple[int, float], bytes] = {}
        """Line ends with an ``audio`` summary, by size and bytes a millisecond."""
        self._written = 0
        self._text = False
        self._offset = 0  # bytes written to the file
        self._reserved = 0  # the file is reserved up to here
        self._reserve: Callable[[int, int, int], int] | None = None
        if self._owned:
            # Only the owner may read it: a recording holds the conversation.
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
            self._fd = os.open(os.fspath(target), flags, 0o600)  # type: ignore[arg-type]
            self._reserve = _reserver()
        else:
            self._file = target
            self._text = isinstance(target, io.TextIOBase)
        # One clock per line: ``t`` from the monotonic clock (a frame's receive time when the
        # bus gives it), ``wall`` the start's Unix time (to the microsecond) plus ``t``.
        self._t0 = _monotonic()
        now = time.time()
        self._wall0 = round(now, 6)
        self.closed = False
        self._gather = self._owned
        """Whether frames are gathered for a batch (see :meth:`received`)."""
        header = Header(
            library=library_version(),
            dialect=dialect,
            url=safe_url(url),
            started_at=datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
            started_unix=self._wall0,
            source=source,
            audio=audio,
        )
        self._write(_encode(header) + b"\n")

    @property
    def frames(self) -> int:
        """Frames recorded so far."""
        return self._written + len(self.gathered) // 2

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

    def gathering(self) -> Gathering | None:
        """How the bus's reader may hand this recorder its frames with no call, or ``None``
        (a recording to an open file: every frame is a call).

        The reader appends each decoded frame and its receive time to
        :attr:`Gathering.frames` (noting in :attr:`Gathering.scan` where the frames that may
        hold text are) and calls :attr:`Gathering.flush` when the list is full; a frame that
        did not decode, or a large one, goes through :meth:`received`, as it does for any
        tap."""
        if not self._gather:
            return None
        return Gathering(
            self.gathered,
            2 * _BATCH_FRAMES,
            self._flush_gathered,
            # without audio, every frame is looked at: its audio is cut out in the batch
            _AUDIO_ONLY if self.audio else frozenset(),
            self._scan,
            _LARGEST,
        )

    def _flush_gathered(self) -> None:
        if self.closed:  # nothing more is written; what a reader still gathers is let go
            self.gathered.clear()
            self._scan.clear()
            return
        self._drain()

    def _write(self, line: bytes) -> None:
        if self.gathered:
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
        """Turn the gathered frames into the pieces of their lines, ready to be written: each
        line's start, with the batch's times formatted by msgspec in one call and put in place
        by three replaces over the whole batch, then the frame itself (not copied)."""
        gathered = self.gathered
        frames, stamps = gathered[0::2], gathered[1::2]
        gathered.clear()
        if self._scan:
            if not self.audio:
                self._cut_batch(frames, self._scan)
            if self.secrets.probe:
                self._scrub_batch(frames, self._scan)
            self._scan.clear()
        outgoing, self._outgoing = self._outgoing, []
        summaries = self._summaries
        if summaries:
            self._summaries = []
        count = len(frames)
        self._written += count
        try:  # a frame that is text, or not one line, is written on its own
            odd = any(map(_has_newline, frames, repeat(_NL, count)))
        except TypeError:
            odd = True
        if odd:
            self._format_each(frames, stamps, outgoing, summaries)
            return
        times = list(map(sub, stamps, repeat(self._t0, count)))
        walls = map(add, times, repeat(self._wall0, count))
        pairs = _encode(list(zip(times, walls, strict=True)))
        # [[t,wall],[t,wall],...] -> t,"wall":wall,"frame":<cut>}\n{"kind":...,"t":t,"wall":wall
        # and so on, in three replaces over the batch: the numbers hold no comma or bracket.
        text = pairs[2:-2].replace(b"],[", _CUT).replace(b",", _WALL).replace(_CUT, _BETWEEN)
        starts = (_FIRST + text + _FRAME).split(_CUT)
        for index in outgoing:
            starts[index] = starts[index].replace(b'"in"', b'"out"', 1)
        pieces = [_END] * (2 * count + 1)
        pieces[0 : 2 * count : 2] = starts[:count]
        pieces[1 : 2 * count : 2] = frames
        for index, end in summaries:  # the line's close, at the start of the next piece
            after = 2 * index + 2
            pieces[after] = end + pieces[after][len(_END) :]
        self._pending += pieces

    def _cut_batch(self, frames: list[Any], scan: list[int]) -> None:
        """Leave the audio out of the frames the reader gathered (their places in
        :attr:`gathered`; all from the server): an audio event's string cut out of its bytes
        (:func:`cut_plain`, by the type the frame names first), a frame of another type that
        may hold audio through the general strip, every other frame as it is."""
        for place in scan:
            index = place >> 1
            frame = frames[index]
            if type(frame) is not bytes:
                frame = frames[index] = str(frame).encode()
            how = None
            if frame.startswith(_TYPE_FIRST):
                name = frame[9 : frame.find(b'"', 9)]
                how = _CUT_NAMES.get(name)
                if how is None and name not in _STRIP_NAMES:
                    continue  # a type that holds no audio
            if how is not None:
                cut = cut_plain(frame, how[0])
                if cut is not None:
                    frames[index], size = cut
                    if size:
                        self._summaries.append((index, self._end(size, how[1])))
                    continue
            data, ms, size = strip_audio(frame, self._formats)
            if size:
                frames[index] = data
                self._summaries.append((index, _summary_end(size, ms)))

    def _end(self, size: int, output: bool) -> bytes:
        """The end of a frame line whose audio of ``size`` bytes was left out."""
        formats = self._formats
        key = (size, formats.output if output else formats.input)
        end = self._ends.get(key)
        if end is None:
            if len(self._ends) >= _ENDS_KEPT:
                self._ends.clear()
            end = self._ends[key] = _summary_end(size, formats.ms(size, output=output))
        return end

    def _scrub_batch(self, frames: list[Any], scan: list[int]) -> None:
        """The credential scan of a batch's text frames (their places in :attr:`gathered`),
        all at once: one search of them joined, then frame by frame only if it finds one."""
        picked = [frames[place >> 1] for place in scan]
        try:
            joined = b"\n".join(picked)
        except TypeError:  # a frame as text: each on its own
            joined = None
        if joined is not None and not any(joined.find(value) >= 0 for value in self.secrets.probe):
            return
        scrub = self.secrets.scrub
        for place in scan:
            frame = frames[place >> 1]
            frames[place >> 1] = scrub(frame if type(frame) is bytes else str(frame).encode())

    def _format_each(
        self,
        frames: list[Any],
        stamps: list[float],
        outgoing: list[int],
        summaries: list[tuple[int, bytes]],
    ) -> None:
        """A batch that holds a frame that is not one line of JSON bytes: line by line."""
        sent = set(outgoing)
        ends = dict(summaries)
        for index, (frame, stamp) in enumerate(zip(frames, stamps, strict=True)):
            data = frame.encode() if isinstance(frame, str) else bytes(frame)
            t = stamp - self._t0
            line = FrameLine(dir="out" if index in sent else "in", t=t, wall=t + self._wall0)
            _place(line, data, _NL not in data)  # decoded, so JSON
            encoded = _encode(line) + b"\n"
            if index in ends:
                encoded = encoded[: -len(_END)] + ends[index]
            self._pending.append(encoded)
            self._pending_size += len(encoded)

    def _drain(self) -> None:
        if self.gathered:
            self._format()
        pending, self._pending, self._pending_size = self._pending, [], 0
        if not pending:
            return
        if self._reserve is not None and self._offset + _RESERVE_MARGIN > self._reserved:
            self._reserve_ahead()
        if _writev is None:  # pragma: no cover - Windows
            rest = b"".join(pending)
        else:
            written = 0
            for start in range(0, len(pending), _IOV_MAX):
                chunk = pending[start : start + _IOV_MAX]
                done = _writev(self._fd, chunk)
                written += done
                if done < sum(map(len, chunk)):  # a short write (rare on a regular file)
                    rest = b"".join(pending)[written:]
                    break
            else:
                rest = b""
            self._offset += written
        while rest:
            done = os.write(self._fd, rest)
            self._offset += done
            rest = rest[done:]

    def _reserve_ahead(self) -> None:
        """Reserve the next blocks of the file (its size unchanged): the kernel then writes
        into blocks already allocated. Given up for good where the file system refuses."""
        assert self._reserve is not None
        start = max(self._reserved, self._offset)
        if self._reserve(self._fd, start, _RESERVE) != 0:
            self._reserve = None
            return
        self._reserved = start + _RESERVE

    def flush(self) -> None:
        """Write out what is gathered (done at every marker and when the recording closes)."""
        if self._fd >= 0:
            self._drain()
        else:
            self._file.flush()

    def _stamp(self) -> tuple[float, float]:
        t = round(_monotonic() - self._t0, 6)
        return t, round(self._wall0 + t, 6)

    def received(self, frame: bytes | str, event: Any) -> None:
        """A frame from the server (the bus's tap). ``event`` (the decoded event, if known)
        spares a JSON check."""
        self._take(frame, event, "in")

    def sent(self, frame: bytes | str, event: Any) -> None:
        """A frame to the server (the bus's tap)."""
        self._take(frame, event, "out")

    def _take(self, frame: bytes | str, event: Any, direction: Direction) -> None:
        # A decoded frame is gathered as it is (its secrets removed, or its audio cut out when
        # audio is left out), and formatted with its batch (one that is not one line is
        # written on its own then). The rest is written by :meth:`frame`.
        if not self._gather or event is None or type(frame) is not bytes:
            self.frame(direction, frame, event)
            return
        kind = type(event)
        if not self.audio:
            how = _CUTS.get(kind)
            if how is not None:
                cut = self._cut(frame, event, how)
                if cut is None:  # not plain enough to cut: the general strip
                    self.frame(direction, frame, event)
                    return
                frame = cut
            elif event.type in HOLDS_AUDIO:  # audio inside an item, or the audio formats
                self.frame(direction, frame, event)
                return
        if kind not in _AUDIO_ONLY and self.secrets.probe:
            frame = self.secrets.scrub(frame)
        gathered = self.gathered
        if direction == "out":
            self._outgoing.append(len(gathered) // 2)
        gathered.append(frame)
        gathered.append(_monotonic())
        if len(gathered) >= 2 * _BATCH_FRAMES or len(frame) > _LARGEST:
            self._drain()

    def _cut(self, frame: bytes, event: Any, how: tuple[str, bytes, bool]) -> bytes | None:
        """An audio event's frame with its audio cut out (:func:`strip_decoded`), its summary
        noted for the line it is gathered into next; ``None`` when the frame is not plain
        enough to cut so."""
        cut = self._strip_decoded(frame, event, how)
        if cut is None:
            return None
        data, _, nbytes = cut
        if nbytes:
            self._summaries.append((len(self.gathered) // 2, self._end(nbytes, how[2])))
        return data

    def _strip_decoded(
        self, data: bytes, event: Any, how: tuple[str, bytes, bool]
    ) -> tuple[bytes, float, int] | None:
        """:func:`strip_decoded` of ``data``, the frame of ``event``, by its entry in ``_CUTS``."""
        field, key, output = how
        return strip_decoded(data, getattr(event, field), key, self._formats, output=output)

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
            how = _CUTS.get(type(event))
            # most of a voice session: no decode
            stripped = self._strip_decoded(data, event, how) if how is not None else None
            if stripped is None:
                stripped = strip_audio(data, self._formats)
            data, ms, nbytes = stripped
            if nbytes:
                summary = AudioSummary(bytes=nbytes, ms=ms)
        line = FrameLine(dir=direction, t=t, wall=wall, audio=summary)
        _place(line, data, _NL not in data and (event is not None or _is_json(data)))
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
            if self._reserved > self._offset:
                os.ftruncate(self._fd, self._offset)  # gives the reservation back
            os.close(self._fd)
            self._fd = -1

    def __repr__(self) -> str:
        return f"<Recorder frames={self.frames}{' closed' if self.closed else ''}>"


def _summary_end(nbytes: int, ms: float) -> bytes:
    """A frame line's end with its ``audio`` summary, as :class:`FrameLine` encodes it."""
    return b',"audio":{"bytes":%d,"ms":%b}}\n' % (nbytes, _encode(ms))


def _place(line: FrameLine, data: bytes, embed: bool) -> None:
    """Put a frame's bytes in its line: embedded as they are when ``embed`` (one line of JSON),
    else as ``text``, or as ``base64`` when they are not UTF-8."""
    if embed:
        line.frame = msgspec.Raw(data)
        return
    try:
        line.text = data.decode()
    except UnicodeDecodeError:
        line.base64 = base64.b64encode(data).decode()


def _is_json(data: bytes) -> bool:
    try:
        _validate(data)
    except msgspec.DecodeError:
        return False
    return True
