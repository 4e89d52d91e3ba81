"""The typed helpers keep their types: ``mypy --strict`` on a program that asserts them.

``typing.assert_type`` is exact (``Any`` does not pass it), so a helper that falls back to
``Any`` on either surface, async or blocking, fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
from typing import assert_type

from realtime_bus import (
    Bus,
    ConversationItemAdded,
    ConversationItemCreate,
    ConversationItemCreated,
    ConversationItemRetrieve,
    ConversationItemRetrieved,
    InputAudioBufferAppend,
    InputAudioBufferCommitted,
    LiveBus,
    OutputAudioBufferCleared,
    ResponseCancel,
    ResponseCreate,
    ResponseCreated,
    ResponseDone,
    SessionUpdate,
    SessionUpdated,
    SyncBus,
    SyncLiveBus,
    user_message,
)
from realtime_bus.protocol import live as L


async def realtime(bus: Bus) -> None:
    assert_type(await bus.session.update(instructions="x"), SessionUpdate)
    assert_type(await bus.session.update(instructions="x", wait=True), SessionUpdated)
    assert_type(await bus.response.cancel(wait=True), ResponseDone)
    assert_type(await bus.conversation.item.retrieve("i", wait=True), ConversationItemRetrieved)


def blocking(bus: SyncBus, flag: bool) -> None:
    assert_type(bus.session.update(instructions="x"), SessionUpdate)
    assert_type(bus.session.update(instructions="x", wait=True), SessionUpdated)
    assert_type(bus.response.create(), ResponseCreate)
    assert_type(bus.response.create(wait=True), ResponseCreated)
    assert_type(bus.response.cancel(), ResponseCancel)
    assert_type(bus.input_audio_buffer.append(b"pcm"), InputAudioBufferAppend)
    assert_type(bus.input_audio_buffer.commit(wait=True), InputAudioBufferCommitted)
    assert_type(bus.output_audio_buffer.clear(wait=True), OutputAudioBufferCleared)
    assert_type(bus.conversation.item.retrieve("i"), ConversationItemRetrieve)
    assert_type(bus.conversation.item.retrieve("i", wait=True), ConversationItemRetrieved)
    created = bus.conversation.item.create(user_message("hi"), wait=True)
    assert_type(created, ConversationItemAdded | ConversationItemCreated)
    either = bus.conversation.item.create(user_message("hi"), wait=flag)
    assert_type(either, ConversationItemCreate | ConversationItemAdded | ConversationItemCreated)


def live(bus: LiveBus, sync_bus: SyncLiveBus) -> None:
    assert_type(Bus.live(api_key="k"), LiveBus)
    assert_type(Bus.azure_live(endpoint="https://x.invalid", api_key="k"), LiveBus)
    assert_type(Bus.live_sideband("sess_1", api_key="k"), LiveBus)
    assert_type(Bus.live_fork("sess_1", api_key="k"), LiveBus)
    assert_type(SyncBus.live(api_key="k"), SyncLiveBus)
    appended = sync_bus.session.commentary.append("done", delegation_id="d_1", wait=True)
    assert_type(appended, L.CommentaryAppended)
    assert_type(sync_bus.session.thinking.append("hm"), L.ThinkingAppend)
    assert_type(sync_bus.session.input_audio.mute(wait=True), L.InputAudioMuted)
    assert_type(sync_bus.session.close(wait=True), L.SessionClosed)
    item = L.DecisionMessage(role="user", content="hi")
    assert_type(sync_bus.decision.item.create(item, wait=True), L.DecisionItemCreated)
    assert_type(sync_bus.decision.create(wait=True), L.DecisionEvent)
    assert_type(sync_bus.response.create(), L.ResponseCreate)
    if sync_bus.transport is not None:
        assert_type(sync_bus.transport.dtmf.send("5", wait=True), L.TransportDtmfSent)


async def live_async(bus: LiveBus) -> None:
    assert_type(await bus.session.instructions.append("x", wait=True), L.InstructionsAppended)
    assert_type(await bus.session.update(triggers=None, wait=True), L.SessionUpdated)
    assert_type(await bus.session.output_audio.fixture.play(b"pcm"), L.OutputAudioFixturePlay)
    assert_type(await bus.response.item.create({"type": "message"}), L.ResponseItemCreate)
"""

# Each line must be refused: the helpers check their arguments, not only their results.
REFUSED = [
    'bus.session.update(instructionz="x")',
    "bus.conversation.item.retrieve(42)",
    "bus.response.nothing_like_this()",
    "sync_bus.session.input_audio.append(1.5)",
    'sync_bus.decision.item.delete(item="x")',
]


@pytest.mark.timeout(300)  # a cold mypy cache re-reads the whole package
def test_the_helpers_are_precisely_typed_on_both_surfaces(tmp_path: Path) -> None:
    refused = "".join(f"    {line}  # refused\n" for line in REFUSED)
    program = tmp_path / "typed_helpers.py"
    program.write_text(
        PROGRAM + "\n\ndef refused(bus: SyncBus, sync_bus: SyncLiveBus) -> None:\n" + refused
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(program),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    lines = program.read_text().splitlines()
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    flagged = {int(line.split(":")[1]) for line in errors}
    expected = {n for n, line in enumerate(lines, start=1) if line.endswith("# refused")}
    unexpected = [e for e in errors if int(e.split(":")[1]) not in expected]
    assert unexpected == [], "\n".join(unexpected)
    assert flagged == expected, "a wrong call was accepted:\n" + "\n".join(
        lines[n - 1] for n in sorted(expected - flagged)
    )
