"""The ``error`` events the simulator sends, with the codes and wording of the service.

Codes and messages follow what the service sends where it is known (reported by users of the
service and visible in client code that handles them); where it is not, they follow the same
style. ``event_id`` names the client event that failed when it had one.

Matched to reports of the service: ``conversation_already_has_active_response``,
``response_cancel_not_active``, ``input_audio_buffer_commit_empty``,
``item_truncate_invalid_item_id``, "Only model output audio messages can be truncated",
"Audio content of Xms is already shorter than Yms", the "Missing required parameter" wording and
the 1001 close reason at the session limit.

Inferred in the same style (no public record found): the ``invalid_json`` and ``invalid_type``
wording, ``item_delete_invalid_item_id``, ``item_retrieve_invalid_item_id``,
``cannot_update_voice``, the ``decimal_above_max_value`` / ``decimal_below_min_value`` family,
the ``session_expired`` error sent before the 1001 close, and treating a truncate at 0 ms like
one of an item that is not model audio.
"""

from __future__ import annotations

from msgspec import UNSET, UnsetType

from ..protocol import ErrorDetails

__all__ = [
    "active_response",
    "cancel_not_active",
    "commit_empty",
    "invalid_request",
    "item_not_found",
    "server_error",
    "simulator_fault",
]


def invalid_request(
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    event_id: str | None = None,
) -> ErrorDetails:
    """An ``invalid_request_error``."""
    return ErrorDetails(
        type="invalid_request_error",
        message=message,
        code=code,
        param=param,
        event_id=event_id,
    )


def server_error(message: str, *, event_id: str | None = None) -> ErrorDetails:
    """A ``server_error`` (the responder failed)."""
    return ErrorDetails(
        type="server_error", message=message, code=None, param=None, event_id=event_id
    )


def simulator_fault(event_id: str | UnsetType | None = UNSET) -> ErrorDetails:
    """The ``server_error`` for a fault of the simulator itself (a handler or a stream raised)."""
    return ErrorDetails(
        type="server_error",
        message="The server had an error while processing your request.",
        event_id=event_id,
    )


def active_response(response_id: str, event_id: str | None) -> ErrorDetails:
    """A second response on the default conversation while one is active."""
    return invalid_request(
        f"Conversation already has an active response in progress: {response_id}. "
        "Wait until the response is finished before creating a new one.",
        code="conversation_already_has_active_response",
        event_id=event_id,
    )


def cancel_not_active(event_id: str | None) -> ErrorDetails:
    """``response.cancel`` with nothing to cancel."""
    return invalid_request(
        "Cancellation failed: no active response found",
        code="response_cancel_not_active",
        event_id=event_id,
    )


def commit_empty(buffered_ms: float, event_id: str | None) -> ErrorDetails:
    """``input_audio_buffer.commit`` with less than 100 ms of audio."""
    return invalid_request(
        "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
        f"audio, but buffer only has {buffered_ms:.2f}ms of audio.",
        code="input_audio_buffer_commit_empty",
        event_id=event_id,
    )


def item_not_found(action: str, item_id: str, event_id: str | None) -> ErrorDetails:
    """An item event naming an item the conversation does not hold."""
    return invalid_request(
        f"Error {action} item: the item with id '{item_id}' does not exist.",
        code=f"item_{action_code(action)}_invalid_item_id",
        param="item_id",
        event_id=event_id,
    )


def action_code(action: str) -> str:
    """``"truncating"`` -> ``"truncate"``: the verb in the service's error codes."""
    return {"truncating": "truncate", "deleting": "delete", "retrieving": "retrieve"}.get(
        action, action
    )
