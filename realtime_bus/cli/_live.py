"""What ``tail`` and ``record`` share: connect a bus, print (and record) what crosses the wire."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec

from ..bus import Bus
from ..protocol import RealtimeBusError, ResponseDone, user_message
from ..recording import Recorder
from ..transport import HandshakeRefused, MissingCredentials, endpoint_for_url
from ._command import CommandError, positive_float, stop_on_signals
from ._events import EventPrinter, add_printing_arguments, matches

__all__ = ["add_live_arguments", "run_live"]

_decode = msgspec.json.Decoder().decode


def add_live_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a live session (server, key, what to say, filters)."""
    parser.add_argument(
        "url",
        nargs="?",
        help="the server's Realtime URL (wss://api.openai.com/v1/realtime?model=gpt-realtime)",
    )
    parser.add_argument(
        "--simulator", action="store_true", help="start the local simulator and connect to it"
    )
    parser.add_argument("--model", default="gpt-realtime", help="model, when the URL names none")
    parser.add_argument(
        "--api-key", default=None, help="API key (default: the OPENAI_API_KEY environment variable)"
    )
    parser.add_argument(
        "--say",
        action="append",
        default=[],
        metavar="TEXT",
        help="send TEXT as a user message and ask for a response (repeatable)",
    )
    parser.add_argument(
        "--duration",
        type=positive_float,
        default=None,
        help="seconds to stay connected (default: until Ctrl-C, or until the --say turns end)",
    )
    add_printing_arguments(parser, each="frame", example=", e.g. 'response.*'")


class _Printing:
    """A recorder tap that prints what crosses the wire (and passes it to a recorder)."""

    def __init__(self, printer: EventPrinter, patterns: list[str], recorder: Recorder | None):
        self.printer = printer
        self.patterns = patterns
        self.recorder = recorder
        self.started = time.monotonic()

    def _print(self, direction: str, frame: bytes | str) -> None:
        raw = frame.encode() if isinstance(frame, str) else bytes(frame)
        try:
            event = _decode(raw)
        except msgspec.DecodeError:
            event = {"type": "(not JSON)", "size": len(raw)}
        if not isinstance(event, dict):
            event = {"type": "(not an object)"}
        if matches(str(event.get("type", "")), self.patterns):
            self.printer.event(time.monotonic() - self.started, direction, event, raw)

    def opened(self, attempt: int) -> None:
        if self.recorder is not None:
            self.recorder.opened(attempt)
        self.printer.note(f"connected (attempt {attempt})")

    def received(self, frame: bytes | str, event: Any) -> None:
        if self.recorder is not None:
            self.recorder.received(frame, event)
        self._print("in", frame)

    def sent(self, frame: bytes | str, event: Any) -> None:
        if self.recorder is not None:
            self.recorder.sent(frame, event)
        self._print("out", frame)

    def lifecycle(self, event: Any) -> None:
        if self.recorder is not None:
            self.recorder.lifecycle(event)
        if event.type == "bus.disconnected":
            self.printer.note(f"disconnected: {event.cause}")

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()


@contextlib.asynccontextmanager
async def _server(args: argparse.Namespace) -> AsyncIterator[tuple[str, str | None]]:
    if args.simulator:
        from ..testing import Simulator

        async with Simulator(realtime_factor=0.0) as sim:
            yield f"{sim.url}?model={args.model}", "sk-local-simulator"
        return
    if not args.url:
        raise CommandError("give a URL, or --simulator", status=2)
    url = (
        args.url
        if "model=" in args.url
        else f"{args.url}{'&' if '?' in args.url else '?'}model={args.model}"
    )
    yield url, args.api_key if args.api_key is not None else os.environ.get("OPENAI_API_KEY")


async def run_live(args: argparse.Namespace, *, record: str | None, record_audio: bool) -> int:
    """Connect, print every frame (and record it), say what ``--say`` asks, then close."""
    printer = EventPrinter(as_json=args.json)
    async with _server(args) as (url, key):
        try:
            endpoint = endpoint_for_url(url, api_key=key)
        except (MissingCredentials, ValueError) as exc:
            raise CommandError(str(exc), status=2) from None
        recorder = None
        if record is not None:
            try:
                recorder, endpoint = Recorder.for_endpoint(
                    record, endpoint, dialect="ga", audio=record_audio
                )
            except OSError as exc:
                raise CommandError(f"cannot write {record}: {exc.strerror}") from None
        bus = Bus(
            endpoint=endpoint, reconnect=False, record=_Printing(printer, args.filter, recorder)
        )
        stop = stop_on_signals()
        try:
            async with bus:
                for text in args.say:
                    done = bus.expect(ResponseDone)
                    await bus.conversation.item.create(user_message(text))
                    await bus.response.create()
                    await done.wait(timeout=120)
                if args.duration is not None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), args.duration)
                elif not args.say:
                    await stop.wait()
        except HandshakeRefused as exc:
            raise CommandError(f"{endpoint.safe_url}: {exc}") from None
        except (OSError, TimeoutError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise CommandError(f"cannot connect to {endpoint.safe_url}: {reason}") from None
        except RealtimeBusError as exc:
            cause = exc.__cause__
            if isinstance(cause, OSError):
                reason = cause.strerror or str(cause)
                raise CommandError(f"cannot connect to {endpoint.safe_url}: {reason}") from None
            raise CommandError(str(exc)) from None
        finally:
            if recorder is not None and not recorder.closed:
                recorder.close()
    printer.note("closed")
    return 0
