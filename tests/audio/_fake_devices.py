"""A fake sound card: real threads that call back like PortAudio's, at real time."""

from __future__ import annotations

import threading
import time

from realtime_bus.audio.devices import InputCallback, OutputCallback


class _FakeStream:
    """A device stream: a thread that handles one block every block duration (divided by
    ``speed``) from :meth:`start` to :meth:`stop`, catching up when it fell behind."""

    def __init__(self, rate: int, blocksize: int, speed: float, name: str) -> None:
        self.rate, self.blocksize, self.speed = rate, blocksize, speed
        self.running = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.closed = False

    def start(self) -> None:
        self.running.set()
        self.thread.start()

    def stop(self) -> None:
        self.running.clear()
        if self.thread.is_alive():
            self.thread.join(5)

    def close(self) -> None:
        self.closed = True

    def _run(self) -> None:
        step = self.blocksize / self.rate / self.speed
        start = time.monotonic()
        k = 0
        while self.running.is_set():
            k += 1
            time.sleep(max(0.0, start + k * step - time.monotonic()))
            self._block()

    def _block(self) -> None:
        raise NotImplementedError


class FakeInput(_FakeStream):
    """A microphone that 'hears' whatever is queued with :meth:`speak` (silence otherwise)."""

    def __init__(self, rate: int, blocksize: int, callback: InputCallback, speed: float) -> None:
        super().__init__(rate, blocksize, speed, "fake-mic")
        self.callback = callback
        self.pending = bytearray()
        self.lock = threading.Lock()

    def speak(self, pcm: bytes) -> None:
        with self.lock:
            self.pending += pcm

    def _block(self) -> None:
        nbytes = 2 * self.blocksize
        with self.lock:
            block = bytes(self.pending[:nbytes])
            del self.pending[:nbytes]
        self.callback(block + bytes(nbytes - len(block)))


class FakeOutput(_FakeStream):
    """A speaker that asks for a block every block duration, ``latency`` seconds from the ear."""

    def __init__(self, rate: int, blocksize: int, callback: OutputCallback, latency: float) -> None:
        super().__init__(rate, blocksize, 1.0, "fake-speaker")
        self.callback, self.latency = callback, latency
        self.played = bytearray()
        self.taken_at: list[float] = []
        """When each block was taken (``time.monotonic()``, as the callback was asked)."""

    def _block(self) -> None:
        asked = time.monotonic()
        block = self.callback(2 * self.blocksize, self.latency)
        assert len(block) == 2 * self.blocksize
        self.played += block
        self.taken_at.append(asked)


class FakeDevices:
    def __init__(self, *, speed: float = 1.0, latency: float = 0.0) -> None:
        self.speed = speed
        self.latency = latency
        self.inputs: list[FakeInput] = []
        self.outputs: list[FakeOutput] = []

    def open_input(self, rate: int, blocksize: int, callback: InputCallback) -> FakeInput:
        stream = FakeInput(rate, blocksize, callback, self.speed)
        self.inputs.append(stream)
        return stream

    def open_output(self, rate: int, blocksize: int, callback: OutputCallback) -> FakeOutput:
        stream = FakeOutput(rate, blocksize, callback, self.latency)
        self.outputs.append(stream)
        return stream
