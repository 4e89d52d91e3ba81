"""Recording and replaying sessions: the JSON Lines format, the recorder, the replay transport.

* ``Bus(..., record="session.jsonl")`` records a bus's frames and lifecycle (see
  :class:`Recorder`); ``Simulator(record_dir=...)`` and ``realtime-bus proxy`` record too.
* :func:`load_recording` reads one back (:class:`Recording`), checking the format version.
* :class:`Replayer` plays it into a bus with no network (``Bus(connector=Replayer(...))``);
  :meth:`Replayer.divergence` compares what the application sent with the recording.

The format is documented in ``docs/recording.md``; its JSON Schema is :data:`SCHEMA_PATH`.
"""

from ._compare import Divergence
from ._format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    SCHEMA_PATH,
    AudioSummary,
    FrameLine,
    Header,
    Marker,
    RecordingError,
)
from ._proxy import RecordingProxy, upstream_url
from ._reader import Connection, Recording, load_recording, parse_recording
from ._recorder import Recorder, RecordTarget
from ._replay import Replayer, ReplayTransport
from ._secrets import safe_url

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "SCHEMA_PATH",
    "AudioSummary",
    "Connection",
    "Divergence",
    "FrameLine",
    "Header",
    "Marker",
    "RecordTarget",
    "Recorder",
    "Recording",
    "RecordingError",
    "RecordingProxy",
    "ReplayTransport",
    "Replayer",
    "load_recording",
    "parse_recording",
    "safe_url",
    "upstream_url",
]
