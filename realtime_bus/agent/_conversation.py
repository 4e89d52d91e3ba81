"""The conversation as the server sees it, mirrored from the bus's events.

The public face of the mirror (:mod:`._mirror` applies the events): reading the items and
responses, the session's metrics, saving and restoring, and following a bus.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..bus import ServerError
from ..protocol import ConversationItemCreate
from ..sync import SyncBus
from ._audio_store import DEFAULT_RETENTION, AudioRetention
from ._metrics import SessionMetrics
from ._mirror import Mirror
from ._model import Item, Transcription
from ._pricing import ModelPrice
from ._response import AssembledResponse
from ._rotation import Rotation, Rotator
from ._saving import created_id, dump, history_events, load, restore_item

if TYPE_CHECKING:
    from ..bus import Bus

__all__ = ["Conversation"]

_ANSWERS = ("conversation.item.added", "conversation.item.created", "error")
"""What the server answers a ``conversation.item.create`` with."""


class Conversation(Mirror):
    """A mirror of the server's conversation, kept up to date from ``bus``'s events::

        conversation = Conversation(bus)

        @bus.on("agent.response.done")
        def reply(event: AgentResponseDone) -> None:
            print(event.response.text or event.response.transcript)

    ``bus`` is a :class:`Bus` or a :class:`SyncBus` (handlers then run on the bus's thread;
    read the mirror from other threads between turns). Without a bus, :meth:`feed` applies
    events given by hand. ``audio`` bounds the PCM kept (:class:`AudioRetention`; the
    default keeps the last two minutes); ``pricing`` extends or overrides the price table
    (:data:`PRICING`) used for :attr:`TurnMetrics.cost`. ``rotation`` moves the conversation
    to a prepared new session before the current one expires (:class:`Rotation`);
    ``restore_history=True`` recreates the history on the new session after an unexpected
    reconnect.

    Derived events go through the bus's own handlers: ``agent.item.done``
    (:class:`AgentItemDone`), ``agent.response.done`` (:class:`AgentResponseDone`) and
    ``agent.turn`` (:class:`AgentTurn`).
    """

    def __init__(
        self,
        bus: Bus | SyncBus | None = None,
        *,
        audio: AudioRetention = DEFAULT_RETENTION,
        pricing: Mapping[str, ModelPrice] | None = None,
        rotation: Rotation | None = None,
        restore_history: bool = False,
    ) -> None:
        super().__init__(audio, pricing)
        self.bus = bus
        self.restored_from: str | None = None
        """The session a conversation read by :meth:`from_json` was saved from."""
        if bus is not None:
            target: Any = getattr(bus, "async_bus", bus)
            self._publish = target.publish
            for name, handler in self._table.items():  # one handler per type: no lookup
                bus.on(name)(handler)
        self.rotator: Rotator | None = None
        """Runs ``rotation`` and ``restore_history`` (see :class:`Rotation`)."""
        if rotation is not None or restore_history:
            self.rotator = Rotator(self, rotation, restore_history)

    # -- reading the mirror ---------------------------------------------------------------

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def get(self, item_id: str) -> Item | None:
        """The item ``item_id`` if it is in the conversation."""
        return self._items.get(item_id)

    def previous_of(self, item_id: str) -> str | None:
        """The id of the item before ``item_id`` (``None`` when it is first)."""
        index = self._order.index(item_id)
        return self._order[index - 1] if index else None

    def response(self, response_id: str) -> AssembledResponse | None:
        """The response ``response_id``, if seen."""
        return self._by_response.get(response_id)

    @property
    def current_response(self) -> AssembledResponse | None:
        """The in-band response in progress, if any."""
        for response in reversed(self.responses):
            if not response.done and not response.out_of_band:
                return response
        return None

    @property
    def transcripts(self) -> list[Transcription]:
        """The input audio transcriptions, in conversation order (a transcript log)."""
        return [
            part.transcription
            for item in self.items
            for part in item.content
            if part.transcription is not None
        ]

    @property
    def metrics(self) -> SessionMetrics:
        """The session's turns and totals (tokens, cost)."""
        return self._turns.metrics

    @property
    def audio_held_ms(self) -> float:
        """Milliseconds of audio kept right now, over every item."""
        return self._store.held()

    def audio_played(
        self, *, item_id: str | None = None, response_id: str | None = None, at: float | None = None
    ) -> None:
        """Report that assistant audio of an item (or response) started playing, at ``at``
        (monotonic seconds; now by default). Sets :attr:`TurnMetrics.first_played_at` once."""
        if response_id is None and item_id is not None:
            item = self._known.get(item_id)
            response_id = item.response_id if item is not None else None
        if response_id is not None:
            self._turns.played(response_id, time.monotonic() if at is None else at)

    # -- saving and restoring --------------------------------------------------------------

    def to_json(self) -> str:
        """The conversation's items as JSON (audio included where it is kept whole).

        :meth:`from_json` reads it back; :meth:`recreate` puts it on a new session.
        """
        return dump(self.items, session_id=self.session_id, model=self.model)

    @classmethod
    def from_json(
        cls,
        data: str | bytes,
        bus: Bus | SyncBus | None = None,
        *,
        audio: AudioRetention = DEFAULT_RETENTION,
        pricing: Mapping[str, ModelPrice] | None = None,
    ) -> Conversation:
        """A conversation from :meth:`to_json`'s output; raises ``ValueError`` if ``data`` is
        not one. With ``bus``, it follows that bus from then on; its items are on no server
        until :meth:`recreate` puts them there."""
        saved = load(data)
        conversation = cls(bus, audio=audio, pricing=pricing)
        conversation.restored_from = saved.session_id
        conversation.model = conversation._turns.model = saved.model
        for given in saved.items:
            item, kept = restore_item(given)
            for part, pcm in kept:
                # The kept audio is the last len(pcm) bytes received (all of them when saved).
                part.dropped_bytes = max(0, part.audio_bytes - len(pcm))
                part.audio_bytes = part.dropped_bytes + len(pcm)
                if conversation._store.keeps:
                    conversation._store.add(part, pcm, len(pcm))
                else:
                    part.dropped_bytes = part.audio_bytes
            conversation._known[item.id] = item
            conversation._items[item.id] = item
            conversation._order.append(item.id)
        return conversation

    def history_events(
        self, items: list[Item] | None = None, *, audio: bool = False
    ) -> list[ConversationItemCreate]:
        """The client events that recreate ``items`` (default: this conversation's) on an
        empty session, with their own ids: send them in order (see :meth:`recreate` and
        :meth:`recreate_sync`, which do)."""
        return history_events(self.items if items is None else items, audio=audio)

    def _restoring(
        self, items: list[Item] | None, audio: bool
    ) -> list[tuple[ConversationItemCreate, Callable[[Any], bool]]]:
        """The events that recreate ``items``, each with the check that knows its answer (the
        item added, or an error naming the event)."""
        plan: list[tuple[ConversationItemCreate, Callable[[Any], bool]]] = []
        for index, event in enumerate(self.history_events(items, audio=audio)):
            item_id = getattr(event.item, "id", None)
            event.event_id = f"restore_{index}_{item_id}"[:60]

            def answers(e: Any, item_id: Any = item_id, event_id: str = event.event_id) -> bool:
                if e.type == "error":
                    return bool(e.error.event_id == event_id)
                return bool(created_id(e) == item_id)

            plan.append((event, answers))
        return plan

    async def recreate(
        self,
        items: list[Item] | None = None,
        *,
        bus: Bus | None = None,
        audio: bool = False,
        timeout: float = 30.0,
    ) -> list[str]:
        """Create ``items`` (default: this conversation's) on ``bus``'s session (default: the
        bus this conversation follows), keeping their ids, and wait for the server to add
        them all. Returns the ids created. Raises :class:`ServerError` if the server refuses
        one, ``TimeoutError`` after ``timeout`` seconds. With a :class:`SyncBus`, use
        :meth:`recreate_sync`."""
        target = bus if bus is not None else self.bus
        if target is None or hasattr(target, "async_bus"):
            raise TypeError("recreate needs an async Bus (with a SyncBus, use recreate_sync())")
        plan = self._restoring(items, audio)
        waits = [target.expect(*_ANSWERS, check=answers) for _event, answers in plan]
        try:
            for event, _answers in plan:
                await target.send(event)
            deadline = time.monotonic() + timeout
            for wait in waits:
                answer = await wait.wait(max(0.0, deadline - time.monotonic()))
                if answer.type == "error":
                    raise ServerError(answer)
        finally:
            for wait in waits:
                wait.cancel()
        return [str(getattr(event.item, "id", "")) for event, _answers in plan]

    def recreate_sync(
        self,
        items: list[Item] | None = None,
        *,
        bus: SyncBus | None = None,
        audio: bool = False,
        timeout: float = 30.0,
    ) -> list[str]:
        """:meth:`recreate` for a :class:`SyncBus` (default: the bus this conversation
        follows), blocking until the server has added every item::

            conversation = Conversation.from_json(saved, bus)
            conversation.recreate_sync()

        Not from a handler: handlers run on the bus's thread, which this would block.
        """
        sync_bus = bus if bus is not None else self.bus
        if not isinstance(sync_bus, SyncBus):
            raise TypeError("recreate_sync needs a SyncBus (with an async Bus, use recreate())")
        # The async recreate, run on the bus's loop (refused from the bus's own thread); it
        # bounds itself by ``timeout``.
        async_bus = sync_bus.async_bus
        return sync_bus.call(
            lambda: self.recreate(items, bus=async_bus, audio=audio, timeout=timeout),
            timeout=None,
        )

    def close(self) -> None:
        """Stop following the bus (the mirror keeps what it has)."""
        bus, self.bus = self.bus, None
        if bus is not None:
            for handler in set(self._table.values()):
                bus.off(handler)
        self._publish = None

    def __repr__(self) -> str:
        return (
            f"<Conversation items={len(self._order)} responses={len(self.responses)}"
            f" session={self.session_id!r}>"
        )
