"""Kept audio: cutting it down (truncation) and trimming it (retention), without the bus."""

from __future__ import annotations

import base64
import random
from collections import deque

import pytest

from realtime_bus.agent import AudioRetention
from realtime_bus.agent._audio_store import AudioStore, decode_chunk, keep_first, pcm_size
from realtime_bus.agent._model import Part


def _kept(chunks: list[str | bytes]) -> bytes:
    return b"".join(decode_chunk(c) for c in chunks)


def _part_of(chunks: list[str | bytes], dropped: int = 0) -> Part:
    """A part holding ``chunks`` as the store keeps them, after ``dropped`` bytes let go."""
    part = Part(type="audio", audio_bytes=dropped, dropped_bytes=dropped)
    for chunk in chunks:
        part.audio_bytes += pcm_size(chunk)
        part.chunks.append(chunk)
        part.chunk_ends.append(part.audio_bytes)
    return part


def _check_ends(part: Part) -> None:
    """Each chunk's end, as the part records it, is where its PCM ends."""
    ends, end = [], part.dropped_bytes
    for chunk in part.chunks:
        end += pcm_size(chunk)
        ends.append(end)
    assert list(part.chunk_ends) == ends
    assert not ends or ends[-1] == part.audio_bytes


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 6, 7, 11, 12, 13, 20])
def test_keep_first_keeps_exactly_the_first_bytes(size: int) -> None:
    pcm = [bytes(range(1, 7)), bytes(range(10, 16)), bytes(range(20, 28))]
    part = _part_of([base64.b64encode(pcm[0]).decode(), pcm[1], base64.b64encode(pcm[2]).decode()])
    untouched = list(part.chunks)
    keep_first(part, size)
    assert _kept(part.chunks) == b"".join(pcm)[:size]
    assert all(part.chunks)  # no empty chunk is left behind
    part.audio_bytes = part.dropped_bytes + min(size, 20)  # as a truncation sets it
    _check_ends(part)
    # Chunks wholly kept stay as they came (base64 is decoded only where the cut falls).
    whole = max(0, len(part.chunks) - 1)
    assert part.chunks[:whole] == untouched[:whole]


def test_keep_first_matches_a_decoded_cut_on_random_audio() -> None:
    rng = random.Random(7)
    for _ in range(300):
        pcm = [rng.randbytes(rng.randrange(1, 40)) for _ in range(rng.randrange(0, 5))]
        part = _part_of(
            [base64.b64encode(p).decode() if rng.random() < 0.7 else p for p in pcm],
            dropped=rng.choice([0, 7, 4800]),
        )
        whole = b"".join(pcm)
        size = rng.randrange(0, len(whole) + 1)
        keep_first(part, size)
        assert _kept(part.chunks) == whole[:size]
        part.audio_bytes = part.dropped_bytes + size
        _check_ends(part)


def test_trim_lets_the_oldest_audio_go_first_and_keeps_the_counts() -> None:
    store = AudioStore(AudioRetention.last(1.0))  # 1000 ms, trimmed past 1250 ms
    parts = [Part(type="audio") for _ in range(3)]
    chunk = base64.b64encode(bytes(4800)).decode()  # 100 ms
    for part in parts:
        for _ in range(6):
            part.audio_bytes += 4800
            store.add(part, chunk, 4800)
    assert store.held_ms <= 1250.0
    assert [p.kept_bytes for p in parts] == [len(_kept(p.chunks)) for p in parts]
    assert [p.kept_bytes + p.dropped_bytes for p in parts] == [6 * 4800] * 3
    assert parts[0].kept_bytes == 0
    assert parts[2].dropped_bytes == 0
    assert store.held_ms == sum(p.kept_bytes for p in parts) / 48.0


def _random_chunk(rng: random.Random) -> str | bytes:
    """A chunk as the store may hold one: base64 of 3n bytes (no padding), padded base64, raw
    PCM (a truncation's cut, inline audio), or a length that is not whole groups of four."""
    kind = rng.random()
    if kind < 0.6:
        return base64.b64encode(rng.randbytes(3 * rng.randrange(1, 60))).decode()
    if kind < 0.8:
        return base64.b64encode(rng.randbytes(rng.randrange(1, 180))).decode()
    if kind < 0.95:
        return rng.randbytes(rng.randrange(1, 180))
    return "AAAA" * rng.randrange(0, 8) + "AB"


@pytest.mark.parametrize("seconds", [0.01, 0.05, 0.3, 2.0])
def test_trim_matches_letting_chunks_go_one_by_one(seconds: float) -> None:
    """The trim finds the chunks to let go from where each one ends, all at once; it lets go
    exactly what letting the oldest chunk go, one at a time, while over the limit, would."""
    rng = random.Random(int(seconds * 1000))
    store = AudioStore(AudioRetention.last(seconds))
    limit, high = seconds * 1000, store.high_ms
    model: deque[tuple[Part, int]] = deque()  # every kept chunk's part and size, oldest first
    parts: list[Part] = []
    for _ in range(3000):
        if not parts or rng.random() < 0.05:
            parts.append(Part(type="audio", bytes_per_ms=rng.choice([48.0, 8.0])))
        part = parts[-1]
        chunk = _random_chunk(rng)
        size = pcm_size(chunk)
        part.audio_bytes += size
        store.add(part, chunk, size)
        model.append((part, size))
        held = sum(s / p.bytes_per_ms for p, s in model)
        if held > high:
            while model and held > limit:
                gone, size = model.popleft()
                held -= size / gone.bytes_per_ms
        assert store.held_ms == pytest.approx(held, abs=1e-6)
        for p in parts[-3:]:
            sizes = [s for q, s in model if q is p]
            assert p.kept_bytes == sum(sizes) == sum(pcm_size(c) for c in p.chunks)
            assert len(p.chunks) == len(sizes)
            _check_ends(p)
            assert 0 <= p.dropped_bytes <= p.audio_bytes
    assert list(store.order) == list(dict.fromkeys(p for p, _ in model))


@pytest.mark.parametrize("per_ms", [48.0, 8.0, 44.1])
def test_a_runs_mark_is_whole_bytes_and_due_when_the_float_mark_is(per_ms: float) -> None:
    """``start_run`` gives an int (the mirror compares ints per delta): a part's bytes pass it
    exactly when they pass the mark counted in floats; with all audio kept there is none."""
    store = AudioStore(AudioRetention.last(0.3))
    part = Part(type="audio", bytes_per_ms=per_ms)
    store.add(part, b"\x00" * 7, 7)
    exact = part.audio_bytes + (store.high_ms - store.held_ms) * per_ms
    mark = store.start_run(part)
    assert type(mark) is int
    assert all((n > mark) == (n > exact) for n in range(int(exact) - 3, int(exact) + 4))
    assert store.start_run(part) == mark
    assert AudioStore(AudioRetention.all()).start_run(Part(type="audio")) == float("inf")
