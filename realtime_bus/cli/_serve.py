"""realtime-bus serve: run the simulator until Ctrl-C."""

from __future__ import annotations

import argparse
import logging

from ._command import (
    CommandError,
    non_negative_float,
    port_number,
    positive_float,
    run_server,
    stop_on_signals,
)

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run"]

NAME = "serve"
HELP = "run the local Realtime simulator (WebSocket and REST) until Ctrl-C"

DESCRIPTION = """\
Serve a protocol-faithful Realtime API on this machine, for developing and testing agents
offline. Point a client's websocket base URL at the printed URL.

--record-dir DIR records every session to DIR (one JSON Lines file per session).
--replay FILE answers each client with a recorded session instead: the server frames recorded
before the client's first event go out at once, and each later burst when the client sends
the event that preceded it in the recording.
"""


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, default=8765, help="port (0 picks a free one)")
    parser.add_argument(
        "--api-key",
        default=None,
        help="accept only this key (default: any non-empty key)",
    )
    parser.add_argument(
        "--realtime-factor",
        type=non_negative_float,
        default=1.0,
        help=(
            "output pacing: 1 real time (what clients that play audio expect), 0.5 twice as "
            "fast, 0 as fast as possible (the default of Simulator() in code and of the pytest "
            "fixtures); it also scales server VAD's idle_timeout_ms"
        ),
    )
    parser.add_argument(
        "--max-session-seconds",
        type=positive_float,
        default=3600.0,
        help="sessions are closed with 1001 after this long",
    )
    parser.add_argument(
        "--record-dir", metavar="DIR", default=None, help="record each session to DIR/SESSION.jsonl"
    )
    parser.add_argument(
        "--replay", metavar="FILE", default=None, help="answer with this recording's server frames"
    )
    parser.add_argument(
        "--pace",
        type=non_negative_float,
        default=0.0,
        help="with --replay: 1 keeps the recorded time between frames of a burst, 0 sends at once",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log sessions opened and closed and handshakes refused, with the reason (stderr)",
    )


def run(args: argparse.Namespace) -> int:
    if args.verbose:
        # This process is the application here, so it may set up logging.
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    serving = _serve(args) if args.replay is None else _serve_replay(args)
    return run_server(serving, args.host, args.port)


async def _serve(args: argparse.Namespace) -> int:
    from ..testing import Simulator

    stop = stop_on_signals()
    sim = Simulator(
        api_key=args.api_key,
        realtime_factor=args.realtime_factor,
        max_session_seconds=args.max_session_seconds,
        host=args.host,
        port=args.port,
        record=False,  # a long-running server keeps no transcript of the wire
        keep_closed=0,  # ...and frees each session, its audio included, once it closes
        record_dir=args.record_dir,
    )
    async with sim:
        print(f"Realtime simulator: {sim.url}", flush=True)
        print(f"  websocket base URL: {sim.ws_base_url}", flush=True)
        print(f"  REST base URL:      {sim.http_url}", flush=True)
        key = "only the key given with --api-key" if args.api_key else "any non-empty key"
        print(f"  accepts {key}. Press Ctrl-C to stop.", flush=True)
        if args.record_dir is not None:
            print(f"  recording each session to {args.record_dir}", flush=True)
        await stop.wait()
    return 0


async def _serve_replay(args: argparse.Namespace) -> int:
    from ..recording import RecordingError
    from ..testing import ReplayServer

    try:
        server = ReplayServer(args.replay, host=args.host, port=args.port, pace=args.pace)
    except RecordingError as exc:
        raise CommandError(str(exc)) from None
    stop = stop_on_signals()
    async with server:
        print(f"Replaying {args.replay}: {server.url}", flush=True)
        print(f"  websocket base URL: {server.ws_base_url}", flush=True)
        print("  accepts any non-empty key. Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    return 0
