"""realtime-bus twilio: serve the Twilio Media Streams bridge until Ctrl-C.

By default each call talks to a simulator started in the same process; ``--url`` names another
Realtime endpoint and ``--live`` the OpenAI Realtime API (``OPENAI_API_KEY``). Serves the media
WebSocket at ``/twilio/media`` and the voice webhook at ``POST /twilio/voice``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

from ._command import CommandError, port_number, run_server

__all__ = ["DESCRIPTION", "HELP", "NAME", "arguments", "run", "serve_twilio"]

NAME = "twilio"
HELP = "bridge Twilio Media Streams phone calls to Realtime sessions (simulator by default)"

DESCRIPTION = """\
Bridge phone calls from Twilio Media Streams to a Realtime session, one session per call,
in G.711 mu-law both ways, with barge-in that truncates at what the caller heard.

Point a Twilio number's voice webhook at POST http(s)://HOST/twilio/voice (through a tunnel
when developing); it answers <Connect><Stream> to wss://HOST/twilio/media. By default the
sessions are the local simulator's: it understands speech made by
realtime_bus.testing.synthesize_speech, not a real voice.
"""


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port_number, default=8080, help="port (0 picks a free one)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--url", help="WebSocket URL of a Realtime endpoint (with --api-key)")
    target.add_argument(
        "--live", action="store_true", help="talk to the OpenAI Realtime API (OPENAI_API_KEY)"
    )
    parser.add_argument(
        "--api-key", default=None, help="key for --url (default: the OPENAI_API_KEY variable)"
    )
    parser.add_argument("--model", default="gpt-realtime", help="model for --live")
    parser.add_argument("--instructions", default=None, help="instructions for each call's session")
    parser.add_argument(
        "--public-url",
        default=None,
        help="https://host where Twilio reaches this server (default: from the Host header)",
    )
    parser.add_argument(
        "--check-signatures",
        action="store_true",
        help="refuse requests without Twilio's signature (needs TWILIO_AUTH_TOKEN)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log calls (stderr)")


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn  # noqa: F401
    except ImportError:
        raise CommandError(
            "the twilio command needs an ASGI server: pip install 'realtime-bus[telephony]'"
        ) from None
    auth_token = os.environ.get("TWILIO_AUTH_TOKEN") if args.check_signatures else None
    if args.check_signatures and not auth_token:
        raise CommandError("--check-signatures needs TWILIO_AUTH_TOKEN")
    api_key = args.api_key or os.environ.get("OPENAI_API_KEY")
    if (args.live or args.url) and not api_key:
        raise CommandError("--live and --url need --api-key or OPENAI_API_KEY")
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    serving = serve_twilio(
        host=args.host,
        port=args.port,
        url=args.url,
        live=args.live,
        api_key=api_key,
        model=args.model,
        instructions=args.instructions,
        public_url=args.public_url,
        auth_token=auth_token,
    )
    return run_server(serving, args.host, args.port)


@contextlib.asynccontextmanager
async def _targets(
    url: str | None, live: bool, api_key: str | None, model: str
) -> AsyncIterator[tuple[Callable[[Any], Any], str]]:
    from ..bus import Bus

    if live:
        yield (lambda call: Bus.openai(model=model, api_key=api_key)), "the OpenAI Realtime API"
        return
    if url:
        yield (lambda call: Bus(url, api_key=api_key)), url
        return
    from ..testing import Simulator

    async with Simulator(realtime_factor=1.0, record=False, keep_closed=0) as sim:
        yield (lambda call: Bus(sim.url, api_key="sk-simulator")), f"the simulator at {sim.url}"


async def serve_twilio(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    url: str | None = None,
    live: bool = False,
    api_key: str | None = None,
    model: str = "gpt-realtime",
    instructions: str | None = None,
    public_url: str | None = None,
    auth_token: str | None = None,
) -> None:
    """Serve the bridge until the server is told to stop (Ctrl-C)."""
    import uvicorn

    from ..telephony.twilio import TwilioApp, TwilioCall

    async def on_call(call: TwilioCall) -> None:
        assert call.bus is not None
        if instructions:
            await call.bus.session.update(instructions=instructions, wait=True)

    async with _targets(url, live, api_key, model) as (connect, where):
        app = TwilioApp(connect, on_call=on_call, public_url=public_url, auth_token=auth_token)
        server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        )
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn has no event
            await asyncio.sleep(0.02)
        if server.started:
            bound = server.servers[0].sockets[0].getsockname()
            base = f"{bound[0]}:{bound[1]}"
            print(f"Twilio bridge to {where}", flush=True)
            print(f"  voice webhook: POST http://{base}/twilio/voice", flush=True)
            print(f"  media stream:  ws://{base}/twilio/media", flush=True)
            print("  Press Ctrl-C to stop.", flush=True)
        await serving
