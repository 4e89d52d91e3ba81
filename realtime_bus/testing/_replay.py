"""Turning a recording into a test: a bus that replays it, and a check of what the app sent.

::

    replay = Replay("tests/data/session.jsonl")
    install_handlers(replay.bus)            # the application's handlers, unchanged
    async with replay:                      # plays every recorded server frame, then closes
        await run_turns(replay.bus)         # whatever the application sends on its own
    replay.assert_matches()                 # the first divergence from the recording, if any
"""

from __future__ import annotations

import os
from typing import Any

from ..bus import Bus
from ..recording import Divergence, Recording, Replayer

__all__ = ["Replay"]


class Replay:
    """A :class:`Bus` that replays a recording with no network, for tests.

    ``pace`` scales the recorded time between frames (``0``, the default: as fast as the
    application goes, which is deterministic); ``gate_timeout`` bounds each wait for the
    application to send what the recorded client sent before the next server frame;
    ``timeout`` bounds the whole replay. Other keyword arguments go to :class:`Bus`.
    """

    def __init__(
        self,
        recording: Recording | str | os.PathLike[str],
        *,
        pace: float = 0.0,
        gate_timeout: float = 5.0,
        timeout: float = 60.0,
        **bus_options: Any,
    ) -> None:
        self.replayer = Replayer(recording, pace=pace, gate_timeout=gate_timeout)
        header = self.replayer.recording.header
        self.timeout = timeout
        options: dict[str, Any] = {"reconnect": False, "protocol": header.dialect}
        options.update(bus_options)
        self.bus = Bus(header.url or "ws://replay.invalid/", connector=self.replayer, **options)
        """The bus to install the application's handlers on (before ``async with``)."""

    async def __aenter__(self) -> Replay:
        await self.bus.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            if exc_info[0] is None:
                await self.replayer.wait_done(self.timeout)
                await self.bus.wait_idle(self.timeout)
        finally:
            await self.bus.__aexit__(*exc_info)

    @property
    def sent(self) -> list[bytes]:
        """The frames the application sent, in order."""
        return self.replayer.sent

    def divergence(self) -> Divergence | None:
        """The first difference between what the application sent and the recording."""
        return self.replayer.divergence()

    def assert_matches(self) -> None:
        """Fail (``AssertionError``) if the application's traffic differs from the recording
        or the replay had to wait in vain for it."""
        problems = [str(d) for d in (self.divergence(),) if d is not None]
        problems += self.replayer.stalls
        assert not problems, "the replay diverged from the recording:\n  " + "\n  ".join(problems)
