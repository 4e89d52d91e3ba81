"""Audio payloads travel base64-encoded inside JSON; these helpers convert them."""

from __future__ import annotations

import binascii

__all__ = [
    "PCM16_BYTES_PER_SECOND",
    "PCM16_SAMPLE_RATE",
    "base64_from_pcm",
    "pcm16_duration_ms",
    "pcm_from_base64",
]

PCM16_SAMPLE_RATE = 24_000
"""The protocol's PCM16 sample rate (mono)."""

PCM16_BYTES_PER_SECOND = PCM16_SAMPLE_RATE * 2


def pcm_from_base64(data: str) -> bytes:
    """Decode a base64 audio field (an audio delta, an item's ``audio``) to raw bytes."""
    return binascii.a2b_base64(data, strict_mode=True) if data else b""


def base64_from_pcm(pcm: bytes | bytearray | memoryview) -> str:
    """Encode raw audio bytes for an audio field (``input_audio_buffer.append.audio``)."""
    return binascii.b2a_base64(pcm, newline=False).decode("ascii")


def pcm16_duration_ms(pcm_bytes: int) -> float:
    """How long ``pcm_bytes`` bytes of 24 kHz mono PCM16 play, in milliseconds."""
    return pcm_bytes * 1000 / PCM16_BYTES_PER_SECOND
