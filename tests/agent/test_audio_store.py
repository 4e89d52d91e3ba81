"""Kept audio: cutting it down (truncation) and trimming it (retention), without the bus."""

from __future__ import annotations

import base64
import random
from collections import deque

import pytest

from realtime_bus.agent import AudioRetention
from realtime_bus.agent._audio_store import AudioStore, decode_chunk, keep_first
from realtime_bus.agent._model import Part


def _kept(chunks: deque[str | bytes]) -> bytes:
    return b"".join(decode_chunk(c) for c in chunks)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 6, 7, 11, 12, 13, 20])
def test_keep_first_keeps_exactly_the_first_bytes(size: int) -> None:
    pcm = [bytes(range(1, 7)), bytes(range(10, 16)), bytes(range(20, 28))]
    chunks: deque[str | bytes] = deque(
        [base64.b64encode(pcm[0]).decode(), pcm[1], base64.b64encode(pcm[2]).decode()]
    )
    untouched = list(chunks)
    keep_first(chunks, size)
    assert _kept(chunks) == b"".join(pcm)[:size]
    assert all(chunks)  # no empty chunk is left behind
    # Chunks wholly kept stay as they came (base64 is decoded only where the cut falls).
    whole = max(0, len(chunks) - 1)
    assert list(chunks)[:whole] == untouched[:whole]


def test_keep_first_matches_a_decoded_cut_on_random_audio() -> None:
    rng = random.Random(7)
    for _ in range(300):
        pcm = [rng.randbytes(rng.randrange(1, 40)) for _ in range(rng.randrange(0, 5))]
        chunks: deque[str | bytes] = deque(
            base64.b64encode(p).decode() if rng.random() < 0.7 else p for p in pcm
        )
        whole = b"".join(pcm)
        size = rng.randrange(0, len(whole) + 1)
        keep_first(chunks, size)
        assert _kept(chunks) == whole[:size]


def test_trim_lets_the_oldest_audio_go_first_and_keeps_the_counts() -> None:
    store = AudioStore(AudioRetention.last(1.0))  # 1000 ms, trimmed past 1250 ms
    parts = [Part(type="audio") for _ in range(3)]
    chunk = base64.b64encode(bytes(4800)).decode()  # 100 ms
    for part in parts:
        for _ in range(6):
            store.add(part, chunk, 4800)
    assert store.held_ms <= 1250.0
    assert [p.kept_bytes for p in parts] == [len(_kept(p.chunks)) for p in parts]
    assert [p.kept_bytes + p.dropped_bytes for p in parts] == [6 * 4800] * 3
    assert parts[0].kept_bytes == 0
    assert parts[2].dropped_bytes == 0
    assert store.held_ms == sum(p.kept_bytes for p in parts) / 48.0
