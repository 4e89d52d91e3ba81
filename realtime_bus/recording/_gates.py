"""When a recorded server frame may be played: after the client sent what preceded it.

Each server frame gets a :class:`Gate`: how many client events of each type, and how many bytes
of appended audio, the client had sent when the server sent it. Counting audio in bytes rather
than in events keeps the gate right when a client merges or splits its appends differently.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from ._format import FrameLine

__all__ = ["APPEND", "ClientCount", "Gate", "client_event_of", "gate_runs", "gates_for"]

APPEND = "input_audio_buffer.append"


class _Peek(msgspec.Struct):
    type: str = ""
    audio: str = ""


_peek = msgspec.json.Decoder(_Peek).decode


def client_event_of(data: bytes, audio_bytes: int | None = None) -> tuple[str, int]:
    """The type of a client frame and, for an append, its audio bytes (``?`` if not JSON)."""
    try:
        peek = _peek(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return "?", 0
    if peek.type != APPEND:
        return peek.type, 0
    if audio_bytes is not None:
        return APPEND, audio_bytes
    try:
        return APPEND, len(binascii.a2b_base64(peek.audio))
    except (binascii.Error, ValueError):
        return APPEND, 0


@dataclass
class ClientCount:
    """What a client has sent so far: events by type, and appended audio bytes."""

    types: dict[str, int] = field(default_factory=dict)
    audio: int = 0

    def add(self, kind: str, audio: int) -> None:
        """Count one client event."""
        if kind == APPEND:
            self.audio += audio
        else:
            self.types[kind] = self.types.get(kind, 0) + 1

    def covers(self, gate: Gate) -> bool:
        """Whether this much traffic opens ``gate``."""
        if self.audio < gate.audio:
            return False
        types = self.types
        return all(types.get(k, 0) >= n for k, n in gate.types.items())

    def missing(self, gate: Gate) -> str:
        """What is still missing to open ``gate``, in words."""
        wanted = [
            f"{n - self.types.get(k, 0)} more {k}"
            for k, n in gate.types.items()
            if self.types.get(k, 0) < n
        ]
        if self.audio < gate.audio:
            wanted.append(f"{gate.audio - self.audio} more bytes of appended audio")
        return ", ".join(wanted) or "nothing"


@dataclass(frozen=True)
class Gate:
    """The client traffic a server frame waited for, and when that traffic was complete."""

    types: dict[str, int]
    audio: int
    anchor: float
    """The recorded time of the last client frame before it (the connection's start if none)."""
    after: str | None
    """The type of that client frame."""


def gate_runs(
    frames: Sequence[FrameLine], start: float, dirs: Sequence[str] | None = None
) -> list[tuple[int, Gate]]:
    """The gates of a connection's server frames (``frames`` in order) as runs: ``(end, gate)``
    for each run of server frames under one gate, ``end`` the index, counted among the server
    frames, after its last one. ``dirs``: each frame's ``dir``, if the caller has them. The
    client frames are found with ``list.index``, so a run of server frames costs no Python a
    frame."""
    if dirs is None:
        dirs = [f.dir for f in frames]
    count = ClientCount()
    gate = Gate(types={}, audio=0, anchor=start, after=None)
    runs: list[tuple[int, Gate]] = []
    served = begin = 0  # server frames before ``begin``; where the search goes on
    last: tuple[float, str] | None = None  # the last client frame (time, type) seen
    total = len(dirs)
    while True:
        try:
            at = dirs.index("out", begin)
        except ValueError:
            at = total
        if at > begin:  # server frames from begin up to the next client frame
            if last is not None:
                anchor, after = last
                gate = Gate(types=dict(count.types), audio=count.audio, anchor=anchor, after=after)
                last = None
            served += at - begin
            runs.append((served, gate))
        if at == total:
            return runs
        frame = frames[at]
        summary = frame.audio.bytes if frame.audio is not None else None
        kind, audio = client_event_of(frame.data(), summary)
        count.add(kind, audio)
        last = (frame.t, kind)
        begin = at + 1


def gates_for(frames: Sequence[FrameLine], start: float) -> list[Gate]:
    """One gate per server frame of ``frames`` (in order), for one connection."""
    out: list[Gate] = []
    begin = 0
    for end, gate in gate_runs(frames, start):
        out += [gate] * (end - begin)
        begin = end
    return out
