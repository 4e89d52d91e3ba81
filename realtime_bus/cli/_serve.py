"""``realtime-bus serve``: run the simulator until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import Any

__all__ = ["add_parser"]


def add_parser(sub: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="run the local Realtime simulator (WebSocket and REST) until Ctrl-C",
        description=(
            "Serve a protocol-faithful Realtime API on this machine, for developing and "
            "testing agents offline. Point a client's websocket base URL at the printed URL."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument(
        "--api-key",
        default=None,
        help="accept only this key (default: any non-empty key)",
    )
    parser.add_argument(
        "--realtime-factor",
        type=float,
        default=1.0,
        help="output pacing: 1 real time, 0.5 twice as fast, 0 as fast as possible",
    )
    parser.add_argument(
        "--max-session-seconds",
        type=float,
        default=3600.0,
        help="sessions are closed with 1001 after this long (default 3600)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log every session opened and closed (to stderr)",
    )
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    if args.verbose:
        # This process is the application here, so it may set up logging.
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.realtime_factor < 0:
        print("realtime-bus serve: --realtime-factor cannot be negative")
        return 2
    if args.max_session_seconds <= 0:
        print("realtime-bus serve: --max-session-seconds must be positive")
        return 2
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"realtime-bus serve: cannot listen on {args.host}:{args.port}: {exc.strerror}")
        return 1


async def _serve(args: argparse.Namespace) -> int:
    from ..testing import Simulator

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    sim = Simulator(
        api_key=args.api_key,
        realtime_factor=args.realtime_factor,
        max_session_seconds=args.max_session_seconds,
        host=args.host,
        port=args.port,
        record=False,  # a long-running server keeps no transcript of the wire
    )
    async with sim:
        print(f"Realtime simulator: {sim.url}", flush=True)
        print(f"  websocket base URL: {sim.ws_base_url}", flush=True)
        print(f"  REST base URL:      {sim.http_url}", flush=True)
        key = "only the key given with --api-key" if args.api_key else "any non-empty key"
        print(f"  accepts {key}. Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    return 0
