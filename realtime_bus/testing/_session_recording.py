"""The simulator's recordings: one file per session, written as the frames cross the wire."""

from __future__ import annotations

import os
from pathlib import Path

from websockets.http11 import Request

from ..recording import Recorder
from ..recording._secrets import subprotocol_keys
from ._wsconn import WebSocketConnection

__all__ = ["finish_recording", "start_recording"]


def start_recording(
    directory: str | os.PathLike[str],
    ws: WebSocketConnection,
    request: Request,
    *,
    base_url: str,
    session_id: str,
    secrets: list[str],
) -> Recorder:
    """Record the session on ``ws`` to ``DIRECTORY/SESSION_ID.jsonl`` from now on."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    headers = dict(request.headers.raw_items())
    offered = request.headers.get_all("Sec-WebSocket-Protocol")
    recorder = Recorder(
        folder / f"{session_id}.jsonl",
        url=base_url + request.path,
        source="simulator",
        headers=headers,
        secrets=[*secrets, *subprotocol_keys(offered)],
    )
    recorder.opened(1)
    ws.tap = recorder.frame
    return recorder


def finish_recording(recorder: Recorder, ws: WebSocketConnection) -> None:
    """Write how the session ended (``disconnect`` when the server ended it) and close."""
    ws.tap = None
    protocol = ws.protocol
    close = protocol.close_rcvd or protocol.close_sent
    code = None if close is None else int(close.code)
    reason = None if close is None else close.reason
    if not protocol.close_rcvd_then_sent:  # the server closed first, or nobody did
        recorder.marker("disconnect", code=code, reason=reason, will_reconnect=False)
    recorder.close(code=code, reason=reason)
