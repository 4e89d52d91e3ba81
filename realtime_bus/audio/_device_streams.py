"""The small interface between the audio layer and a sound card, and its sounddevice backend.

A device opens streams that call back from their own thread: an input stream hands over each
block of captured PCM16; an output stream asks for exactly ``nbytes`` of PCM16 to play and says
how many seconds remain until that block is heard (the output latency). Tests drive the same
interface with a fake device (CI has no sound card); :class:`SoundDevices` is the real one,
on PortAudio through ``sounddevice`` (``pip install 'realtime-bus[devices]'``).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from typing import Any, Protocol, Self

from .._closing import AsyncClosing

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


class DeviceUser(AsyncClosing):
    """An end of the audio layer that runs one device stream (the microphone, the speaker).

    ``async with`` opens and starts the stream on the running loop; the stream's callbacks,
    on the device's thread, hand their work to that loop through :meth:`_call_soon`.
    """

    def __init__(self, devices: Devices | None) -> None:
        self.devices: Devices = devices if devices is not None else SoundDevices()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: DeviceStream | None = None

    def _open(self) -> DeviceStream:
        raise NotImplementedError  # pragma: no cover - input or output, each says

    async def __aenter__(self) -> Self:
        self._loop = asyncio.get_running_loop()
        self._stream = self._open()
        self._stream.start()
        return self

    def _stop_stream(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            stream.stop()
            stream.close()

    def _call_soon(self, fn: Callable[..., object], *args: Any) -> None:
        # The device's thread: hand over to the event loop, never block here.
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop has closed
            pass


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
        def captured(indata: Any, frames: int, time: Any, status: Any) -> None:
            callback(bytes(indata))

        return _raw_stream("RawInputStream", rate, blocksize, self.input_device, captured)

    def open_output(self, rate: int, blocksize: int, callback: OutputCallback) -> DeviceStream:
        def fill(outdata: Any, frames: int, time: Any, status: Any) -> None:
            delay = max(0.0, float(time.outputBufferDacTime) - float(time.currentTime))
            outdata[:] = callback(len(outdata), delay)

        return _raw_stream("RawOutputStream", rate, blocksize, self.output_device, fill)


def _raw_stream(
    kind: str, rate: int, blocksize: int, device: int | str | None, callback: Any
) -> DeviceStream:
    """A mono PCM16 stream of sounddevice's ``kind`` (``RawInputStream``, ``RawOutputStream``)."""
    stream: DeviceStream = getattr(_sounddevice(), kind)(
        samplerate=rate,
        blocksize=blocksize,
        channels=1,
        dtype="int16",
        device=device,
        callback=callback,
    )
    return stream
