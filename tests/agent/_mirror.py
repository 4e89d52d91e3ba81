"""The mirror-equals-server check of the agent layer's tests, and the turn most of them take."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from realtime_bus import Bus
from realtime_bus.agent import AgentResponseDone, Conversation
from realtime_bus.protocol import ConversationItemCreate, MessageItem, user_message
from realtime_bus.testing._session import SimulatedSession


async def respond_to(bus: Bus, text: str, **create: Any) -> Any:
    """Add ``text`` as a user message, ask for a response (``create`` are its options), and
    return the agent's assembled response, within 10 s."""
    await bus.request(ConversationItemCreate(item=user_message(text)))
    await bus.response.create(**create)
    return (await bus.wait_for(AgentResponseDone, timeout=10)).response


def _s(value: object) -> str:
    return value if isinstance(value, str) else ""


def server_view(session: SimulatedSession) -> list[tuple[Any, ...]]:
    """The simulator's own record of the conversation, reduced to what the mirror keeps."""
    rows: list[tuple[Any, ...]] = []
    for stored in session.conversation.stored():
        raw = stored.item
        kind = raw.__struct_config__.tag
        if isinstance(raw, MessageItem):
            parts = tuple(
                (
                    _s(p.text)
                    if p.type in ("text", "input_text", "output_text")
                    else _s(p.transcript)
                )
                for p in raw.content
            )
            audio = tuple(
                stored.audio_ms(i)
                for i, p in enumerate(raw.content)
                if "audio" in str(p.type) and raw.role == "assistant"
            )
            rows.append((stored.id, kind, raw.role, parts, audio))
        else:
            rows.append(
                (
                    stored.id,
                    kind,
                    _s(getattr(raw, "name", UNSET)),
                    _s(getattr(raw, "call_id", UNSET)),
                    _s(getattr(raw, "arguments", UNSET)),
                    _s(getattr(raw, "output", UNSET)),
                )
            )
    return rows


def mirror_view(conversation: Conversation) -> list[tuple[Any, ...]]:
    """The mirror, reduced the same way (audio durations in whole milliseconds)."""
    rows: list[tuple[Any, ...]] = []
    for item in conversation.items:
        if item.type == "message":
            parts = tuple(p.content for p in item.content)
            audio = tuple(
                int(p.audio_ms) for p in item.content if p.is_audio and item.role == "assistant"
            )
            rows.append((item.id, item.type, item.role, parts, audio))
        else:
            rows.append(
                (
                    item.id,
                    item.type,
                    item.name or "",
                    item.call_id or "",
                    item.arguments,
                    item.output or "",
                )
            )
    return rows


def assert_mirrors(conversation: Conversation, session: SimulatedSession) -> None:
    """The mirror equals the simulator's record of the conversation."""
    assert mirror_view(conversation) == server_view(session)
