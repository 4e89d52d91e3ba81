"""Sessions that outlive the service's limit: rotation to a prepared session, and restoring the
history after an unexpected reconnect.

A Realtime session ends at 60 minutes (its ``expires_at``). Before that (``before_expiry``
seconds, or once it is ``max_age`` seconds old), the next session is opened on a second
connection while the first keeps serving, configured with the merged session configuration
(tools included), and given the history with the same item ids (see :mod:`._history`). At the
next turn boundary (no response in progress, the user not speaking) the bus pauses its writer,
lets the old session settle, brings the new one up to date with what happened meanwhile, and
switches (:meth:`Bus.hand_over`): queued client events go to the new session, handlers see a
``bus.rotated`` event and then the new session's events, and the old connection is closed
with 1000.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import msgspec

from .._log import get_logger
from ..bus import Bus, BusClosed, ConnectionLost, ServerError, StandbyConnection
from ..protocol import (
    ConversationItem,
    ConversationItemCreate,
    ConversationItemDelete,
    ConversationItemDeleted,
    ConversationItemRetrieve,
    RealtimeSession,
    SessionUpdate,
)
from ._history import fingerprint, recreatable
from ._model import Item
from ._tasks import Tasks

__all__ = ["Compactor", "Rotation", "Rotator"]


class _Mirror(Protocol):
    """What rotation needs of a :class:`Conversation` (kept apart to avoid an import cycle)."""

    bus: Any
    session_id: str | None
    previous_items: list[Item]

    @property
    def items(self) -> list[Item]: ...

    def feed(self, event: Any) -> None: ...


Compactor: TypeAlias = Callable[
    [list[Item]], Sequence[ConversationItem] | Awaitable[Sequence[ConversationItem]]
]
"""Turns the mirror's items into the (fewer) items to create on the next session."""

_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Rotation:
    """When and how a :class:`Conversation` moves to a new session
    (``Conversation(bus, rotation=Rotation())``).

    ``before_expiry``: seconds before the session's ``expires_at`` to start preparing the
    next one. ``max_age``: rotate once a session is that many seconds old, whichever comes
    first. ``compact`` (with ``compact_above`` items): a callback that returns the items to
    create instead of the whole history, for example a summary message followed by the
    latest turns; items it returns without an id get one. ``audio``: recreate user audio as
    audio where the mirror kept all of it (else as its transcript). ``settle``: seconds of
    silence from the old session before the switch. ``timeout`` bounds each step.
    """

    before_expiry: float = 120.0
    max_age: float | None = None
    compact: Compactor | None = None
    compact_above: int = 60
    audio: bool = True
    settle: float = 0.25
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.before_expiry < 0:
            raise ValueError("before_expiry cannot be negative")
        if self.max_age is not None and self.max_age <= 0:
            raise ValueError("max_age must be positive")


@dataclass(slots=True)
class _Prepared:
    """What the standby session holds: item id -> fingerprint, in order."""

    created: dict[str, bytes]
    covered: set[str]
    """Mirror items a compaction summarised: not to be created one by one."""


class Rotator:
    """Runs a conversation's rotations and history restores on its bus.

    Made by :class:`Conversation`; ``rotations`` lists ``(old_session_id, new_session_id)``
    of every switch, ``restored`` the number of items recreated after reconnects.
    """

    def __init__(
        self, conversation: _Mirror, rotation: Rotation | None, restore_history: bool
    ) -> None:
        bus: Any = getattr(conversation.bus, "async_bus", conversation.bus)
        if not isinstance(bus, Bus):
            raise TypeError("rotation and restore_history need a conversation on a bus")
        self.bus = bus
        self.conversation = conversation
        self.rotation = rotation
        self.restore_history = restore_history
        self.rotations: list[tuple[str | None, str | None]] = []
        self.restored = 0
        self.failures: list[str] = []
        self._log = get_logger("realtime_bus.agent.rotation", bus=bus.name)
        self._responses: set[str] = set()
        self._speaking = False
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._tasks = Tasks(bus.name)
        self._pending: tuple[StandbyConnection, _Prepared] | None = None
        self._handlers: list[tuple[str, Callable[[Any], None]]] = [
            ("bus.connected", self._on_session_start),
            ("bus.rotated", self._on_rotated),
            ("bus.reconnected", self._on_reconnected),
            ("bus.closed", self._on_closed),
            ("response.created", self._on_response_created),
            ("response.done", self._on_response_done),
            ("input_audio_buffer.speech_started", self._on_speech_started),
            ("input_audio_buffer.speech_stopped", self._on_speech_over),
            ("input_audio_buffer.committed", self._on_speech_over),
            ("input_audio_buffer.cleared", self._on_speech_over),
        ]
        for key, handler in self._handlers:
            bus.add_handler(key, handler)
        if bus.is_open:
            self._schedule()

    # -- when ------------------------------------------------------------------------------

    def _schedule(self) -> None:
        self._cancel_timer()
        rotation = self.rotation
        if rotation is None:
            return
        delays: list[float] = []
        if self.bus.expires_at is not None:
            delays.append(self.bus.expires_at - time.time() - rotation.before_expiry)
        if rotation.max_age is not None:
            delays.append(rotation.max_age)
        if delays:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(max(0.0, min(delays)), self.rotate_soon)

    def rotate_soon(self) -> None:
        """Start preparing the next session now; the switch waits for a turn boundary."""
        self._timer = None
        if self._task is None or self._task.done():
            self._task = self._tasks.spawn(self._rotate(), "rotate")

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- turn boundaries ---------------------------------------------------------------------

    @property
    def at_turn_boundary(self) -> bool:
        """No response in progress and the user not speaking."""
        return not self._responses and not self._speaking

    def _update_quiet(self) -> None:
        if self.at_turn_boundary:
            self._quiet.set()
        else:
            self._quiet.clear()

    def _on_response_created(self, event: Any) -> None:
        if isinstance(event.response.id, str):
            self._responses.add(event.response.id)
        self._update_quiet()

    def _on_response_done(self, event: Any) -> None:
        self._responses.discard(event.response.id)
        self._update_quiet()

    def _on_speech_started(self, _event: Any) -> None:
        self._speaking = True
        self._update_quiet()

    def _on_speech_over(self, _event: Any) -> None:
        self._speaking = False
        self._update_quiet()

    # -- rotating ----------------------------------------------------------------------------

    async def _rotate(self) -> None:
        assert self.rotation is not None
        timeout = self.rotation.timeout
        standby: StandbyConnection | None = None
        try:
            standby = await self.bus.open_standby(timeout=timeout)
            await self._configure(standby)
            prepared = await self._recreate(standby)
            while True:
                await self._quiet.wait()

                async def prepare() -> bool:
                    assert standby is not None
                    if not self.at_turn_boundary:
                        return False
                    await self._sync(standby, prepared)
                    self._pending = (standby, prepared)
                    return True

                old = self.bus.session_id
                if await self.bus.hand_over(
                    standby, prepare=prepare, settle=self.rotation.settle, timeout=timeout
                ):
                    break
                await asyncio.sleep(0.05)  # the boundary broke: wait for the next one
            self.rotations.append((old, standby.session_id))
        except (BusClosed, asyncio.CancelledError):
            raise
        except (ConnectionLost, ServerError, TimeoutError, OSError) as exc:
            self.failures.append(f"{type(exc).__name__}: {exc}")
            self._log.warning("rotation failed; the session keeps serving", error=repr(exc))
        finally:
            if standby is not None and not standby.adopted:
                await standby.close()

    async def _configure(self, standby: StandbyConnection) -> None:
        config = self.bus.session_config
        if config:
            session = msgspec.convert(config, RealtimeSession)
            await standby.request(SessionUpdate(session=session), timeout=self._timeout)

    @property
    def _timeout(self) -> float:
        return self.rotation.timeout if self.rotation is not None else 30.0

    async def _history(self) -> tuple[list[ConversationItem], set[str]]:
        rotation = self.rotation
        items = self.conversation.items
        compact = rotation.compact if rotation is not None else None
        if compact is not None and rotation is not None and len(items) > rotation.compact_above:
            result = compact(items)
            if inspect.isawaitable(result):
                result = await result
            created = list(result)
            for entry in created:
                if not isinstance(getattr(entry, "id", None), str):
                    entry.id = f"item_rb{next(_ids):06d}"
            return created, {item.id for item in items}
        return recreatable(items, audio=rotation.audio if rotation else True), set()

    async def _recreate(self, standby: StandbyConnection) -> _Prepared:
        items, covered = await self._history()
        prepared = _Prepared(created={}, covered=covered)
        previous: str = "root"
        for item in items:
            item_id = getattr(item, "id", None)
            assert isinstance(item_id, str)
            await self._create(standby, item, previous)
            prepared.created[item_id] = fingerprint(item)
            previous = item_id
        await self._barrier(standby, previous)
        return prepared

    async def _barrier(self, standby: StandbyConnection, item_id: str) -> None:
        """Wait until the standby session has answered everything sent to it so far.

        The server handles a connection's events in order, so once the last item is
        retrieved, every acknowledgement before it has been read: none is left to reach the
        bus's handlers after the switch.
        """
        if item_id != "root":
            retrieve = ConversationItemRetrieve(item_id=item_id)
            await standby.request(retrieve, timeout=self._timeout)

    async def _create(self, standby: StandbyConnection, item: ConversationItem, after: str) -> None:
        await standby.request(
            ConversationItemCreate(item=item, previous_item_id=after), timeout=self._timeout
        )

    async def _sync(self, standby: StandbyConnection, prepared: _Prepared) -> None:
        """Bring the standby session up to date with the mirror: what changed since the
        history was recreated there (usually the latest turn)."""
        audio = self.rotation.audio if self.rotation else True
        wanted = {
            getattr(item, "id", ""): item
            for item in recreatable(self.conversation.items, audio=audio)
            if getattr(item, "id", None) not in prepared.covered
        }
        if not prepared.covered:  # a compacted history keeps its own items
            for item_id in [i for i in prepared.created if i not in wanted]:
                await standby.request(
                    ConversationItemDelete(item_id=item_id), timeout=self._timeout
                )
                del prepared.created[item_id]
        previous = next(reversed(prepared.created), "root") if prepared.covered else "root"
        changed = False
        for item_id, item in wanted.items():
            mark = fingerprint(item)
            known = prepared.created.get(item_id)
            if known != mark:
                if known is not None:
                    await standby.request(
                        ConversationItemDelete(item_id=item_id), timeout=self._timeout
                    )
                await self._create(standby, item, previous)
                prepared.created[item_id] = mark
                changed = True
            previous = item_id
        if changed:
            await self._barrier(standby, previous)

    def _show_compaction(self, standby: StandbyConnection, prepared: _Prepared) -> None:
        """After a compacted rotation, show the mirror what the new session holds (before
        any event of the new session is dispatched)."""
        if not prepared.covered:
            return
        conversation = self.conversation
        for event in standby.events:
            if event.type in ("conversation.item.added", "conversation.item.done"):
                conversation.feed(event)
        for item_id in prepared.covered - set(prepared.created):
            conversation.feed(ConversationItemDeleted(event_id="", item_id=item_id))

    # -- lifecycle ---------------------------------------------------------------------------

    def _on_session_start(self, _event: Any) -> None:
        self._schedule()

    def _on_rotated(self, event: Any) -> None:
        self.conversation.session_id = event.new_session_id
        pending, self._pending = self._pending, None
        if pending is not None and pending[0].session_id == event.new_session_id:
            self._show_compaction(*pending)
        self._schedule()

    def _on_reconnected(self, _event: Any) -> None:
        self._responses.clear()
        self._speaking = False
        self._update_quiet()
        self._schedule()
        if self.restore_history and self.conversation.previous_items:
            self._tasks.spawn(self._restore(list(self.conversation.previous_items)), "restore")

    async def _restore(self, items: list[Item]) -> None:
        """Recreate the lost session's history on the new one, through the bus."""
        audio = self.rotation.audio if self.rotation else True
        previous = "root"
        for item in recreatable(items, audio=audio):
            item_id = getattr(item, "id", None)
            assert isinstance(item_id, str)
            try:
                await self.bus.conversation.item.create(item, previous_item_id=previous, wait=True)
            except (ServerError, ConnectionLost, TimeoutError) as exc:
                self.failures.append(f"restore {item_id}: {exc}")
                self._log.warning("could not restore an item", item_id=item_id, error=repr(exc))
                continue
            self.restored += 1
            previous = item_id

    def _on_closed(self, _event: Any) -> None:
        self._cancel_timer()
        self._tasks.cancel()

    async def close(self) -> None:
        """Stop rotating (a switch in progress is abandoned, its standby closed)."""
        for key, handler in self._handlers:
            self.bus.off(handler, key)
        self._cancel_timer()
        await self._tasks.stop()
