"""The small interface between the audio layer and a sound card, and its sounddevice backend.

A device opens streams that call back from their own thread: an input stream hands over each
block of captured PCM16; an output stream asks for exactly ``nbytes`` of PCM16 to play and says
how many seconds remain until that block is heard (the output latency). Tests drive the same
interface with a fake device (CI has no sound card); :class:`SoundDevices` is the real one,
on PortAudio through ``sounddevice`` (``pip install 'realtime-bus[devices]'``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["DeviceStream", "Devices", "InputCallback", "OutputCallback", "SoundDevices"]

InputCallback = Callable[[bytes], None]
"""Called from the device's thread with each block of captured mono PCM16."""

OutputCallback = Callable[[int, float], bytes]
"""Called from the device's thread: ``(nbytes, delay_seconds) -> exactly nbytes of PCM16``."""


class DeviceStream(Protocol):
    """An open device stream (sounddevice's streams have this shape)."""

    def start(self) -> None:
        """Start calling back."""
        ...

    def stop(self) -> None:
        """Stop calling back (after the blocks in flight)."""
        ...

    def close(self) -> None:
        """Release the device."""
        ...


class Devices(Protocol):
    """Something that opens mono PCM16 streams at a sample rate."""

    def open_input(self, rate: int, blocksize: int, callback: InputCallback) -> DeviceStream:
        """An input stream delivering ``blocksize`` frames per callback."""
        ...

    def open_output(self, rate: int, blocksize: int, callback: OutputCallback) -> DeviceStream:
        """An output stream asking for ``blocksize`` frames per callback."""
        ...


def _sounddevice() -> Any:
    try:
        return importlib.import_module("sounddevice")
    except ImportError:
        raise ImportError(
            "sounddevice is not installed: pip install 'realtime-bus[devices]'"
        ) from None
    except OSError as exc:  # the module is there, the PortAudio library is not
        raise ImportError(
            f"sounddevice cannot load PortAudio ({exc}); install the PortAudio library "
            "(for example libportaudio2 on Debian and Ubuntu)"
        ) from None


class SoundDevices:
    """The default (or the named) microphone and speaker, through sounddevice."""

    def __init__(
        self, input_device: int | str | None = None, output_device: int | str | None = None
    ):
        self.input_device = input_device
        self.output_device = output_device

    def open_input(self, rate: int, blocksize: int, callback: InputCallback) -> DeviceStream:
        sd = _sounddevice()

        def captured(indata: Any, frames: int, time: Any, status: Any) -> None:
            callback(bytes(indata))

        stream: DeviceStream = sd.RawInputStream(
            samplerate=rate,
            blocksize=blocksize,
            channels=1,
            dtype="int16",
            device=self.input_device,
            callback=captured,
        )
        return stream

    def open_output(self, rate: int, blocksize: int, callback: OutputCallback) -> DeviceStream:
        sd = _sounddevice()

        def fill(outdata: Any, frames: int, time: Any, status: Any) -> None:
            delay = max(0.0, float(time.outputBufferDacTime) - float(time.currentTime))
            outdata[:] = callback(len(outdata), delay)

        stream: DeviceStream = sd.RawOutputStream(
            samplerate=rate,
            blocksize=blocksize,
            channels=1,
            dtype="int16",
            device=self.output_device,
            callback=fill,
        )
        return stream
