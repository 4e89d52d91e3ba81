"""Reading a recording: its header, then its frames and markers, checked line by line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import msgspec

from ._format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    NO_FRAME,
    AudioSummary,
    FrameLine,
    Header,
    Marker,
    RecordingError,
)

__all__ = ["Connection", "Recording", "load_recording", "parse_recording"]

_MARKERS = frozenset({"connect", "disconnect", "reconnect", "rotation", "close"})


class _Wire(msgspec.Struct):
    """Any line (fields of every kind optional), decoded in one pass."""

    kind: str
    dir: Literal["in", "out"] | None = None
    t: float = 0.0
    wall: float = 0.0
    frame: msgspec.Raw = NO_FRAME
    text: str | None = None
    base64: str | None = None
    audio: AudioSummary | None = None
    attempt: int | None = None
    code: int | None = None
    reason: str | None = None
    will_reconnect: bool | None = None
    delay: float | None = None
    session_id: str | None = None
    new_session_id: str | None = None


_decode_line = msgspec.json.Decoder(_Wire).decode
_decode_frame = msgspec.json.Decoder(FrameLine).decode
_FRAME_START = b'{"kind":"frame",'
_decode_any = msgspec.json.Decoder().decode


@dataclass
class Connection:
    """The frames of one connection of a recording, and how it ended."""

    attempt: int
    frames: list[FrameLine] = field(default_factory=list)
    end: Marker | None = None
    """The ``disconnect`` (or ``close``) marker that ended it, if the recording has one."""

    @property
    def server_closed(self) -> bool:
        """Whether the server ended it (a disconnect the client did not ask for)."""
        return self.end is not None and self.end.kind == "disconnect"


@dataclass
class Recording:
    """A recording in memory: :attr:`header` and :attr:`entries` (frames and markers, in order)."""

    header: Header
    entries: list[FrameLine | Marker]
    path: str | None = None

    @property
    def frames(self) -> list[FrameLine]:
        """Every frame, in order."""
        return [e for e in self.entries if isinstance(e, FrameLine)]

    def server_frames(self) -> list[FrameLine]:
        """The frames the server sent, in order."""
        return [e for e in self.entries if isinstance(e, FrameLine) and e.dir == "in"]

    def client_frames(self) -> list[FrameLine]:
        """The frames the client sent, in order."""
        return [e for e in self.entries if isinstance(e, FrameLine) and e.dir == "out"]

    def connections(self) -> list[Connection]:
        """The recording split at its ``connect`` markers (one connection when it has none)."""
        entries = self.entries
        kinds = list(map(type, entries))
        out: list[Connection] = []
        current: Connection | None = None
        begin, count = 0, len(entries)
        while True:  # from marker to marker: the frames between are copied as one slice
            try:
                at = kinds.index(Marker, begin)
            except ValueError:
                at = count
            if at > begin:
                if current is None:
                    current = Connection(attempt=1)
                    out.append(current)
                current.frames += entries[begin:at]  # type: ignore[arg-type]
            if at == count:
                return out
            entry = entries[at]
            assert type(entry) is Marker
            if entry.kind == "connect":
                current = Connection(attempt=entry.attempt or len(out) + 1)
                out.append(current)
            elif entry.kind in ("disconnect", "close") and current and current.end is None:
                current.end = entry
            begin = at + 1

    def events(self, direction: str = "in") -> Iterator[dict[str, Any]]:
        """The frames of ``direction`` parsed as JSON objects (frames that are not are skipped)."""
        for entry in self.entries:
            if isinstance(entry, FrameLine) and entry.dir == direction:
                try:
                    value = _decode_any(entry.data())
                except msgspec.DecodeError:
                    continue
                if isinstance(value, dict):
                    yield value

    @property
    def duration(self) -> float:
        """Seconds from the header to the last line."""
        return self.entries[-1].t if self.entries else 0.0


def _header(line: bytes, where: str) -> Header:
    try:
        raw = _decode_any(line)
    except msgspec.DecodeError:
        raise RecordingError(f"{where}: line 1 is not JSON; is this a recording?") from None
    if not isinstance(raw, dict) or raw.get("kind") != "header" or raw.get("format") != FORMAT_NAME:
        raise RecordingError(f"{where}: line 1 is not a realtime-bus recording header")
    version = raw.get("version")
    if version != FORMAT_VERSION:
        raise RecordingError(
            f"{where}: recording format version {version!r}; this library reads version "
            f"{FORMAT_VERSION}"
        )
    try:
        return msgspec.convert(raw, Header)
    except msgspec.ValidationError as exc:
        raise RecordingError(f"{where}: line 1: bad header: {exc}") from None


def _entry(wire: _Wire, number: int, where: str) -> FrameLine | Marker:
    if wire.kind == "frame":
        if wire.dir is None:
            raise RecordingError(f"{where}: line {number}: a frame needs dir 'in' or 'out'")
        if (not len(wire.frame)) + (wire.text is None) + (wire.base64 is None) != 2:
            raise RecordingError(
                f"{where}: line {number}: a frame needs exactly one of frame, text, base64"
            )
        return FrameLine(
            dir=wire.dir,
            t=wire.t,
            wall=wire.wall,
            frame=wire.frame,
            text=wire.text,
            base64=wire.base64,
            audio=wire.audio,
        )
    if wire.kind in _MARKERS:
        return Marker(
            kind=wire.kind,  # type: ignore[arg-type]
            t=wire.t,
            wall=wire.wall,
            attempt=wire.attempt,
            code=wire.code,
            reason=wire.reason,
            will_reconnect=wire.will_reconnect,
            delay=wire.delay,
            session_id=wire.session_id,
            new_session_id=wire.new_session_id,
        )
    raise RecordingError(f"{where}: line {number}: unknown kind {wire.kind!r}")


def _lines(data: bytes) -> Iterator[memoryview]:
    """The lines of ``data`` as views (no copy of the frames)."""
    view, start, find = memoryview(data), 0, data.find
    while start < len(data):
        end = find(b"\n", start)
        if end < 0:
            end = len(data)
        yield view[start:end]
        start = end + 1


def parse_recording(data: bytes, *, where: str = "<recording>") -> Recording:
    """A recording from its bytes; raises :class:`RecordingError` naming the bad line."""
    lines = _lines(data)
    first = next(lines, None)
    if first is None or not bytes(first).strip():
        raise RecordingError(f"{where}: empty file; is this a recording?")
    header = _header(bytes(first), where)
    entries: list[FrameLine | Marker] = []
    for number, line in enumerate(lines, start=2):
        if line[:16] == _FRAME_START:  # nearly every line: straight into a FrameLine
            try:
                frame = _decode_frame(line)
            except msgspec.DecodeError:
                pass  # the general path below says what is wrong
            else:
                if (not len(frame.frame)) + (frame.text is None) + (frame.base64 is None) == 2:
                    entries.append(frame)
                    continue
        if not bytes(line).strip():
            continue
        try:
            wire = _decode_line(line)
        except msgspec.DecodeError as exc:
            raise RecordingError(f"{where}: line {number}: {exc}") from None
        entries.append(_entry(wire, number, where))
    return Recording(header=header, entries=entries, path=None if where[0] == "<" else where)


def load_recording(path: str | os.PathLike[str]) -> Recording:
    """Read the recording at ``path``; a clear :class:`RecordingError` when it cannot be."""
    where = os.fspath(path)
    try:
        data = Path(where).read_bytes()
    except FileNotFoundError:
        raise RecordingError(f"no such recording: {where}") from None
    except IsADirectoryError:
        raise RecordingError(f"{where} is a directory, not a recording") from None
    except OSError as exc:
        raise RecordingError(f"cannot read {where}: {exc.strerror}") from None
    return parse_recording(data, where=where)
