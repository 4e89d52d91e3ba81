"""Offline testing: a protocol-faithful local Realtime server (the simulator) and its tools."""

__all__: list[str] = []
