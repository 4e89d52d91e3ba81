"""The outbound queue on its own: bounds, priority, and merging of queued audio appends."""

from __future__ import annotations

import pytest

from realtime_bus import (
    InputAudioBufferAppend,
    InputAudioBufferCommit,
    QueueFull,
    ResponseCancel,
    ResponseCreate,
    pcm_from_base64,
)
from realtime_bus.bus import OutboundQueue


def _append(n: int, size: int = 960) -> InputAudioBufferAppend:
    return InputAudioBufferAppend.from_pcm(bytes([n]) * size, event_id=f"a{n}")


async def test_put_nowait_raises_when_full_and_loses_nothing() -> None:
    queue = OutboundQueue(maxsize=2)
    queue.put_nowait(ResponseCreate(event_id="1"))
    queue.put_nowait(ResponseCreate(event_id="2"))
    with pytest.raises(QueueFull):
        queue.put_nowait(ResponseCreate(event_id="3"))
    assert [queue.take().event_id, queue.take().event_id] == ["1", "2"]


async def test_consecutive_appends_are_merged_in_order() -> None:
    queue = OutboundQueue()
    for n in range(5):
        queue.put_nowait(_append(n))
    queue.put_nowait(InputAudioBufferCommit(event_id="c"))
    merged = queue.take()
    assert isinstance(merged, InputAudioBufferAppend)
    assert merged.event_id == "a0"
    assert pcm_from_base64(merged.audio) == b"".join(bytes([n]) * 960 for n in range(5))
    assert queue.take().type == "input_audio_buffer.commit"
    assert queue.frames_saved == 4


async def test_merging_handles_padded_base64_and_respects_the_size_limit() -> None:
    queue = OutboundQueue(max_append_chars=4000)
    for n in range(4):
        queue.put_nowait(_append(n, size=1001))  # 1001 bytes: base64 with padding
    first = queue.take()
    assert isinstance(first, InputAudioBufferAppend)
    assert len(first.audio) <= 4000
    assert pcm_from_base64(first.audio) == bytes([0]) * 1001 + bytes([1]) * 1001
    rest = queue.take()
    assert isinstance(rest, InputAudioBufferAppend)
    assert pcm_from_base64(rest.audio) == bytes([2]) * 1001 + bytes([3]) * 1001


async def test_cancel_overtakes_queued_audio_but_nothing_else() -> None:
    queue = OutboundQueue(coalesce=False)
    queue.put_nowait(ResponseCreate(event_id="create"))
    queue.put_nowait(_append(1))
    queue.put_nowait(_append(2))
    queue.put_nowait(ResponseCancel(event_id="cancel"))
    order = [queue.take().event_id for _ in range(4)]
    assert order == ["create", "cancel", "a1", "a2"]


async def test_cancel_behind_non_audio_keeps_its_place() -> None:
    queue = OutboundQueue()
    queue.put_nowait(_append(1))
    queue.put_nowait(InputAudioBufferCommit(event_id="commit"))
    queue.put_nowait(ResponseCancel(event_id="cancel"))
    assert [queue.take().event_id for _ in range(3)] == ["a1", "commit", "cancel"]
