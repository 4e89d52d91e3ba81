"""What a subcommand is: a name, one line of help, its arguments and the function it runs.

A subcommand is one module and one line in the table of :mod:`realtime_bus.cli._commands`.
The module defines the fields of its :class:`Command` at the top level: ``NAME``, ``HELP``,
``DESCRIPTION``, ``arguments(parser)`` and ``run(args)``. Keep heavy imports inside ``run`` so
``--help`` stays fast. ``run`` returns the exit status; to fail, raise :class:`CommandError`
(one line on stderr, a non-zero status).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import ModuleType

__all__ = [
    "Command",
    "CommandError",
    "HelpFormatter",
    "non_negative_float",
    "port_number",
    "positive_float",
    "run_server",
    "stop_on_signals",
]


@dataclass(frozen=True, slots=True)
class Command:
    """One subcommand of ``realtime-bus``."""

    name: str
    """What the user types: ``realtime-bus NAME``."""
    help: str
    """One line for the list of commands in ``realtime-bus --help``."""
    description: str
    """Plain text (no markup) for ``realtime-bus NAME --help``."""
    arguments: Callable[[argparse.ArgumentParser], None]
    """Adds the subcommand's options to its parser."""
    run: Callable[[argparse.Namespace], int]
    """Runs the subcommand with the parsed options; returns the exit status."""

    @classmethod
    def from_module(cls, module: ModuleType) -> Command:
        """The command a module defines at its top level (see the module docstring)."""
        name, help, description, arguments, run = (
            getattr(module, field, None)
            for field in ("NAME", "HELP", "DESCRIPTION", "arguments", "run")
        )
        if not (
            isinstance(name, str)
            and isinstance(help, str)
            and isinstance(description, str)
            and callable(arguments)
            and callable(run)
        ):
            raise TypeError(
                f"{module.__name__} must define NAME, HELP, DESCRIPTION, arguments and run"
            )
        return cls(name, help, description, arguments, run)


class CommandError(Exception):
    """A failure the command line reports as one line on stderr, with exit status ``status``."""

    def __init__(self, message: str, *, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps descriptions as written and appends each option's default to its help.

    Options without a meaningful default (``None``, on/off flags) and help texts that already
    say their default are left alone.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or not action.option_strings
            or default is None
            or default is argparse.SUPPRESS
            or isinstance(default, bool)
        ):
            return text
        return f"{text} (default: %(default)s)"


def _number(text: str, *, kind: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {kind}") from None


def positive_float(text: str) -> float:
    """An argparse ``type``: a number greater than zero."""
    value = _number(text, kind="number")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be positive")
    return value


def non_negative_float(text: str) -> float:
    """An argparse ``type``: a number that is zero or more."""
    value = _number(text, kind="number")
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text} cannot be negative")
    return value


def port_number(text: str) -> int:
    """An argparse ``type``: a TCP port, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port number (0 to 65535)")
    return value


def stop_on_signals() -> asyncio.Event:
    """An event the running loop sets on SIGINT or SIGTERM (where it can handle signals)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def run_server(serving: Coroutine[object, object, int | None], host: str, port: int) -> int:
    """Run a server command's coroutine; returns its status (``None`` counts as 0).

    Ctrl-C stops it cleanly (status 0); a port it cannot listen on is a :class:`CommandError`
    that names the address.
    """
    try:
        status = asyncio.run(serving)
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CommandError(f"cannot listen on {host}:{port}: {reason}") from exc
    return 0 if status is None else status
