"""Responses: creating them, streaming their output, cancelling them.

One asyncio task streams each response. Output follows the service's order: ``response.created``;
per output item ``response.output_item.added`` (and ``conversation.item.added`` when the
response writes to the conversation), its content part, the deltas, their ``.done`` events,
``response.output_item.done`` (and ``conversation.item.done``); then ``response.done`` with usage,
then ``rate_limits.updated``.

The output items themselves are streamed by :class:`~._streaming.OutputStream`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import msgspec
from msgspec import UNSET

from .._log import get_logger
from ..protocol import (
    AudioConfig,
    AudioOutputConfig,
    ConversationItem,
    ErrorDetails,
    InputTokenDetails,
    MessageItem,
    OutputTokenDetails,
    RateLimit,
    RateLimitsUpdated,
    RealtimeSession,
    Response,
    ResponseAudio,
    ResponseAudioOutput,
    ResponseCancel,
    ResponseCreate,
    ResponseCreated,
    ResponseCreateParams,
    ResponseDone,
    ResponseError,
    ResponseStatusDetails,
    Usage,
)
from ._choices import RESPONSE_CONVERSATIONS, check_choice, check_voice
from ._conversation import public_item
from ._errors import active_response, cancel_not_active, server_error
from ._responder import ResponderContext, item_text, run_responder
from ._streaming import ActiveResponse, OutputStream

if TYPE_CHECKING:
    from ._port import IdleClock, Outlet, SessionPort

__all__ = ["Responses"]

_log = get_logger("realtime_bus.testing.responses")


def _text_budget(max_tokens: Any) -> int | None:
    """How many characters of text ``max_output_tokens`` allows (about 4 per token)."""
    return max_tokens * 4 if isinstance(max_tokens, int) else None


def _check_params(params: ResponseCreateParams | None) -> ErrorDetails | None:
    """The service's error for a ``response`` naming an unknown conversation or voice."""
    if params is None:
        return None
    error = check_choice("response.conversation", params.conversation, RESPONSE_CONVERSATIONS)
    if error is None and isinstance(params.audio, ResponseAudio):
        out = params.audio.output
        if isinstance(out, ResponseAudioOutput):
            error = check_voice("response.audio.output.voice", out.voice)
    return error


def _internal_error() -> ErrorDetails:
    return server_error(
        "The server had an error while processing your request. Sorry about that! You can "
        "retry your request, or contact us through our help center if the error persists."
    )


class Responses:
    """The responses of one session."""

    def __init__(self, session: SessionPort, idle: IdleClock, outlet: Outlet) -> None:
        self.session = session
        self._idle_clock = idle
        self.active: dict[str, ActiveResponse] = {}
        self.default: ActiveResponse | None = None
        self._tokens_left = 40_000
        self._requests_left = 5_000
        self.stream = OutputStream(session, outlet)
        self.idle = asyncio.Event()
        """Set while no response is in progress."""
        self.idle.set()

    @property
    def responding(self) -> bool:
        """Whether a response of the default conversation is in progress."""
        return self.default is not None

    # -- client events ---------------------------------------------------------------------

    def create(self, event: ResponseCreate) -> None:
        """``response.create``."""
        params = event.response if isinstance(event.response, ResponseCreateParams) else None
        event_id = event.event_id if isinstance(event.event_id, str) else None
        self._start(params, event_id)

    def create_auto(self) -> None:
        """A response created by server VAD at the end of the user's turn."""
        if self.default is None and isinstance(self.session.config, RealtimeSession):
            self._start(None, None)

    def cancel(self, event: ResponseCancel) -> None:
        """``response.cancel``: the named response, else the default conversation's."""
        event_id = event.event_id if isinstance(event.event_id, str) else None
        target: ActiveResponse | None
        if isinstance(event.response_id, str):
            target = self.active.get(event.response_id)
        else:
            target = self.default
        if target is None or target.cancel_reason is not None:
            self.session.emit_error(cancel_not_active(event_id))
            return
        self._stop(target, "client_cancelled")

    def interrupt(self) -> None:
        """The user started speaking: cancel the default conversation's response."""
        if self.default is not None and self.default.cancel_reason is None:
            self._stop(self.default, "turn_detected")

    def close(self) -> None:
        """The connection is gone: stop every task without reporting."""
        for active in list(self.active.values()):
            if active.task is not None:
                active.task.cancel()
        self.active.clear()
        self.idle.set()
        self.default = None

    def _stop(self, active: ActiveResponse, reason: str) -> None:
        active.cancel_reason = reason
        if active.task is not None:
            active.task.cancel()

    # -- starting --------------------------------------------------------------------------

    def _start(self, params: ResponseCreateParams | None, event_id: str | None) -> None:
        session = self.session
        config = session.config
        assert isinstance(config, RealtimeSession), "responses need a realtime session"
        error = _check_params(params)
        if error is not None:
            session.emit_error(msgspec.structs.replace(error, event_id=event_id))
            return
        conversation = "auto"
        if params is not None and isinstance(params.conversation, str):
            conversation = params.conversation
        in_conversation = conversation != "none"
        if in_conversation and self.default is not None:
            session.emit_error(active_response(self.default.id, event_id))
            return

        def pick(name: str) -> Any:
            value = getattr(params, name, UNSET) if params is not None else UNSET
            return getattr(config, name) if value is UNSET else value

        modalities = pick("output_modalities") or ["audio"]
        audio_out = (
            config.audio.output
            if isinstance(config.audio, AudioConfig)
            and isinstance(config.audio.output, AudioOutputConfig)
            else AudioOutputConfig()
        )
        voice = audio_out.voice
        fmt = audio_out.format
        if params is not None and isinstance(params.audio, ResponseAudio):
            out = params.audio.output
            if isinstance(out, ResponseAudioOutput):
                voice = out.voice if out.voice is not UNSET else voice
                fmt = out.format if out.format is not UNSET else fmt
        metadata = params.metadata if params is not None else UNSET
        response = Response(
            id=session.new_id("resp"),
            object="realtime.response",
            status="in_progress",
            status_details=None,
            output=[],
            conversation_id=session.conversation.id if in_conversation else None,
            output_modalities=list(modalities),
            max_output_tokens=pick("max_output_tokens"),
            audio=ResponseAudio(output=ResponseAudioOutput(format=fmt, voice=voice)),
            metadata=None if metadata is UNSET else metadata,
            usage=None,
        )
        active = ActiveResponse(response, in_conversation=in_conversation)
        self.active[active.id] = active
        self.idle.clear()
        self._idle_clock.disarm_idle_timeout()
        if in_conversation:
            self.default = active
        session.emit(ResponseCreated(response=response))
        context = ResponderContext(
            conversation=self._context_items(params),
            session=config,
            instructions=pick("instructions") or "",
            tools=list(pick("tools") or []),
            tool_choice=pick("tool_choice") or "auto",
            output_modalities=list(modalities),
            metadata=None if metadata is UNSET else metadata,
            response_id=active.id,
        )
        active.task = asyncio.get_running_loop().create_task(self._run(active, context))

    def _context_items(self, params: ResponseCreateParams | None) -> list[ConversationItem]:
        conversation = self.session.conversation
        if params is None or not isinstance(params.input, list):
            return [s.for_responder() for s in conversation.stored()]
        items: list[ConversationItem] = []
        for item in params.input:
            if (
                isinstance(item, MessageItem)
                and item.content
                and all(p.type == "item_reference" for p in item.content)
            ):
                for part in item.content:
                    ref = conversation.get(part.id) if isinstance(part.id, str) else None
                    if ref is not None:
                        items.append(ref.for_responder())
                continue
            item_id = getattr(item, "id", None)
            ref = conversation.get(item_id) if isinstance(item_id, str) else None
            items.append(ref.for_responder() if ref is not None else item)
        return items

    # -- streaming -------------------------------------------------------------------------

    async def _run(self, active: ActiveResponse, context: ResponderContext) -> None:
        """Stream one response; whatever happens, it ends with ``response.done``."""
        error: ErrorDetails | None = None
        try:
            try:
                status, error = await self._produce(active, context)
            except asyncio.CancelledError:
                if active.cancel_reason is None:
                    raise  # the connection is gone: nothing to report
                status = "cancelled"
                self._close_open_items(active)
            except Exception:
                # A fault of the simulator itself: report it as the service reports its own.
                self._log_failure("simulator_response_failed", active)
                status, error = "failed", _internal_error()
                self.session.emit_error(error)
                self._close_open_items(active)
            self._finish(active, status, error)
        finally:
            self._forget(active)

    async def _produce(
        self, active: ActiveResponse, context: ResponderContext
    ) -> tuple[str, ErrorDetails | None]:
        try:
            reply = await run_responder(self.session.responder, context)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = server_error(f"The responder failed: {exc}")
            return "failed", error
        budget = _text_budget(active.response.max_output_tokens)
        for entry in reply.items():
            if isinstance(entry, str):
                if budget is not None and len(entry) > budget:
                    if budget:
                        await self.stream.message(active, entry[:budget])
                    return "incomplete", None
                if entry:
                    await self.stream.message(active, entry)
                if budget is not None:
                    budget -= len(entry)
            else:
                await self.stream.function_call(active, entry)
        return "completed", None

    def _close_open_items(self, active: ActiveResponse) -> None:
        """End the item that was streaming; a second fault here must not stop the report."""
        try:
            self.stream.close_open_items(active)
        except Exception:
            self._log_failure("simulator_close_items_failed", active)

    def _log_failure(self, event: str, active: ActiveResponse) -> None:
        """Log the exception being handled, with the response it broke."""
        _log.error(event, session_id=self.session.id, response_id=active.id, exc_info=True)

    def _forget(self, active: ActiveResponse) -> None:
        """The response is over: the session no longer counts it as active."""
        self.active.pop(active.id, None)
        if self.default is active:
            self.default = None
        if not self.active:
            self.idle.set()

    # -- finishing -------------------------------------------------------------------------

    def _finish(self, active: ActiveResponse, status: str, error: ErrorDetails | None) -> None:
        session = self.session
        details: ResponseStatusDetails | None = None
        if status == "cancelled":
            details = ResponseStatusDetails(type="cancelled", reason=active.cancel_reason)  # type: ignore[arg-type]
        elif status == "incomplete":
            details = ResponseStatusDetails(type="incomplete", reason="max_output_tokens")
        elif status == "failed" and error is not None:
            details = ResponseStatusDetails(
                type="failed",
                error=ResponseError(type=error.type, code=None, message=error.message),
            )
        usage = self._usage(active)
        response = msgspec.structs.replace(
            active.response,
            status=status,
            status_details=details,
            output=[public_item(i) for i in active.output],
            usage=usage,
        )
        self._forget(active)
        if active.in_conversation:
            self._idle_clock.arm_idle_timeout(active.audio_out_ms / 1000)
        session.emit(ResponseDone(response=response))
        self._tokens_left = max(0, self._tokens_left - (usage.total_tokens or 0))
        self._requests_left = max(0, self._requests_left - 1)
        session.emit(
            RateLimitsUpdated(
                rate_limits=[
                    RateLimit(
                        name="requests",
                        limit=5_000,
                        remaining=self._requests_left,
                        reset_seconds=0.012,
                    ),
                    RateLimit(
                        name="tokens",
                        limit=40_000,
                        remaining=self._tokens_left,
                        reset_seconds=round((40_000 - self._tokens_left) * 0.0015, 3),
                    ),
                ],
            )
        )

    def _usage(self, active: ActiveResponse) -> Usage:
        text_in = 0
        audio_in = 0
        for stored in self.session.conversation.stored():
            text_in += len(item_text(stored.item)) // 4 + 4
            audio_in += sum(len(pcm) for pcm in stored.audio.values()) // 2400
        instructions = getattr(self.session.config, "instructions", None)
        text_in += len(instructions) // 4 if isinstance(instructions, str) else 0
        audio_out = int(active.audio_out_ms // 50)
        text_out = max(active.text_out // 4, 1 if active.output else 0)
        total_in = text_in + audio_in
        total_out = text_out + audio_out
        return Usage(
            total_tokens=total_in + total_out,
            input_tokens=total_in,
            output_tokens=total_out,
            input_token_details=InputTokenDetails(
                text_tokens=text_in,
                audio_tokens=audio_in,
                image_tokens=0,
                cached_tokens=0,
            ),
            output_token_details=OutputTokenDetails(text_tokens=text_out, audio_tokens=audio_out),
        )
