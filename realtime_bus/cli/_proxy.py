"""realtime-bus proxy: a recording relay between any Realtime client and any server."""

from __future__ import annotations

import argparse

from ._command import CommandError, port_number, run_server, stop_on_signals

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run"]

NAME = "proxy"
HELP = "relay Realtime connections to a server, recording each one"

DESCRIPTION = """\
Relay Realtime WebSocket connections to an upstream server and record each one to DIR (one
JSON Lines file per connection, see docs/recording.md). The client's own credentials are
forwarded to the upstream server and never recorded. Point any client's websocket base URL at
the printed URL:

  realtime-bus proxy --port 8780 --upstream wss://api.openai.com/v1 --record recordings/
  AsyncOpenAI(websocket_base_url="ws://127.0.0.1:8780/v1")
"""


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, required=True, help="port (0: a free one)")
    parser.add_argument(
        "--upstream",
        required=True,
        metavar="URL",
        help="the server to relay to, e.g. wss://api.openai.com/v1 or the simulator's ws URL",
    )
    parser.add_argument("--record", required=True, metavar="DIR", help="where recordings go")
    parser.add_argument(
        "--no-audio", action="store_true", help="keep only the size and duration of audio"
    )


async def _serve(args: argparse.Namespace) -> int:
    from ..recording import RecordingProxy

    try:
        proxy = RecordingProxy(
            args.upstream,
            args.record,
            host=args.host,
            port=args.port,
            record_audio=not args.no_audio,
        )
    except ValueError as exc:
        raise CommandError(str(exc), status=2) from None
    stop = stop_on_signals()
    async with proxy:
        print(f"Recording proxy: {proxy.url} -> {args.upstream}", flush=True)
        print(f"  websocket base URL: {proxy.ws_base_url}", flush=True)
        print(f"  recording to {args.record}. Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    return 0


def run(args: argparse.Namespace) -> int:
    return run_server(_serve(args), args.host, args.port)
