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

__all__ = ["APPEND", "ClientCount", "Gate", "client_event_of", "gates_for"]

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


def gates_for(frames: Sequence[FrameLine], start: float) -> list[Gate]:
    """One gate per server frame of ``frames`` (in order), for one connection."""
    count = ClientCount()
    gate = Gate(types={}, audio=0, anchor=start, after=None)
    out: list[Gate] = []
    stale = False
    for frame in frames:
        if frame.dir == "out":
            summary = frame.audio.bytes if frame.audio is not None else None
            kind, audio = client_event_of(frame.data(), summary)
            count.add(kind, audio)
            stale = True
            gate = Gate(types=gate.types, audio=gate.audio, anchor=frame.t, after=kind)
            continue
        if stale:
            gate = Gate(
                types=dict(count.types), audio=count.audio, anchor=gate.anchor, after=gate.after
            )
            stale = False
        out.append(gate)
    return out
