"""Microphone and speaker: sound devices for voice agents (``pip install 'realtime-bus[devices]'``).

Nothing here touches a device until a :class:`Microphone` or :class:`Speaker` is entered. Both
sit on the small :class:`Devices` interface; :class:`SoundDevices` implements it with
sounddevice (PortAudio), and a test can pass its own.

::

    from realtime_bus.agent import Playback
    from realtime_bus.audio import stream_audio
    from realtime_bus.audio.devices import Microphone, Speaker

    playback = Playback(bus)
    async with Speaker(playback), Microphone() as mic:
        await stream_audio(bus, mic, speed=None)
"""

from ._device_streams import Devices, DeviceStream, InputCallback, OutputCallback, SoundDevices
from ._microphone import Microphone
from ._speaker import PlaybackSink, Speaker

__all__ = [
    "DeviceStream",
    "Devices",
    "InputCallback",
    "Microphone",
    "OutputCallback",
    "PlaybackSink",
    "SoundDevices",
    "Speaker",
]
