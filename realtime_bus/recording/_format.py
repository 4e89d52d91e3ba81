"""The recording format: JSON Lines, one header line then one line per frame or marker.

Every line is a JSON object with a ``kind``. The first line is the ``header``; then ``frame``
lines (``dir`` ``"in"``: server to client, ``"out"``: client to server, always seen from the
client's side), and lifecycle markers (``connect``, ``disconnect``, ``reconnect``,
``rotation``, ``close``). ``t`` is seconds since the recording started (monotonic clock),
``wall`` the Unix time. A frame that is one line of valid JSON is embedded as is under
``frame`` (so its bytes come back exactly); any other text frame is a JSON string under
``text``, a frame that is not UTF-8 is ``base64``. When audio is left out, the frame's audio
strings are emptied and ``audio`` says how many bytes they held and how long they played.
The JSON Schema is ``recording.schema.json`` next to this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from ..protocol import RealtimeBusError

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "SCHEMA_PATH",
    "AudioSummary",
    "FrameLine",
    "Header",
    "Marker",
    "RecordingError",
]

FORMAT_NAME = "realtime-bus-recording"
FORMAT_VERSION = 1
"""The version this library writes and reads. A reader refuses any other version."""

SCHEMA_PATH = Path(__file__).with_name("recording.schema.json")
"""The JSON Schema of one line of a recording."""

NO_FRAME = msgspec.Raw()
Direction = Literal["in", "out"]
MarkerKind = Literal["connect", "disconnect", "reconnect", "rotation", "close"]


class RecordingError(RealtimeBusError):
    """A recording cannot be read: missing, not a recording, a format version this library
    does not read, or a malformed line (the message names the file and the line)."""


class Header(msgspec.Struct, kw_only=True):
    """The first line of a recording."""

    kind: Literal["header"] = "header"
    format: str = FORMAT_NAME
    version: int = FORMAT_VERSION
    library: str
    """The realtime-bus version that wrote it."""
    dialect: str
    """``"ga"`` or ``"beta"`` (the event names the frames use)."""
    url: str
    """The server's URL, without credentials (see docs/recording.md)."""
    started_at: str
    """ISO 8601 UTC time of the first line."""
    started_unix: float
    source: str = "bus"
    """Who recorded it: ``bus``, ``simulator`` or ``proxy``."""
    audio: bool = True
    """Whether audio was kept (``False``: frames carry an ``audio`` summary instead)."""


class AudioSummary(msgspec.Struct, kw_only=True):
    """What a frame's audio held, when recording without audio."""

    bytes: int
    ms: float


class FrameLine(msgspec.Struct, kw_only=True, omit_defaults=True, tag_field="kind", tag="frame"):
    """One WebSocket frame. Exactly one of ``frame``, ``text``, ``base64`` is present."""

    dir: Direction
    t: float
    wall: float
    frame: msgspec.Raw = NO_FRAME
    """The frame's JSON, embedded as is (empty when ``text`` or ``base64`` holds it)."""
    text: str | None = None
    base64: str | None = None
    audio: AudioSummary | None = None

    @property
    def kind(self) -> Literal["frame"]:
        """``"frame"`` (the line's ``kind``)."""
        return "frame"

    def data(self) -> bytes:
        """The frame's bytes, as they crossed the wire (audio emptied when it was left out)."""
        frame = self.frame
        if frame is not NO_FRAME and len(frame):
            return bytes(frame)
        if self.text is not None:
            return self.text.encode()
        import base64

        return base64.b64decode(self.base64 or "")


class Marker(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A lifecycle marker: ``connect`` (a socket opened), ``disconnect`` (with the close code
    the server sent, ``null`` when the connection dropped without one), ``reconnect`` (the
    next attempt and its delay), ``rotation`` (the session was handed over to a new one),
    ``close`` (the recording ends)."""

    kind: MarkerKind
    t: float
    wall: float
    attempt: int | None = None
    code: int | None = None
    reason: str | None = None
    will_reconnect: bool | None = None
    delay: float | None = None
    session_id: str | None = None
    new_session_id: str | None = None
