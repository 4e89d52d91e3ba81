"""The ``realtime-bus`` command line.

Each subcommand is a module listed in :data:`realtime_bus.cli._commands.COMMAND_MODULES`;
:func:`commands` reads a :class:`~realtime_bus.cli._command.Command` from each. :func:`main`
never raises ``SystemExit``: it returns the exit status (0 on success; usage errors 2, with the
usage on stderr; failures one line on stderr and a non-zero status).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ._command import Command, CommandError, HelpFormatter
from ._commands import COMMAND_MODULES

__all__ = ["Command", "CommandError", "build_parser", "commands", "main"]

PROG = "realtime-bus"


def commands() -> tuple[Command, ...]:
    """The subcommands, loaded from the table."""
    return tuple(Command.from_module(importlib.import_module(name)) for name in COMMAND_MODULES)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``realtime-bus`` and every subcommand."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="An asyncio event bus for the OpenAI Realtime protocol.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands():
        child = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            formatter_class=HelpFormatter,
        )
        command.arguments(child)
        child.set_defaults(_command=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 2
    command: Command = args._command
    try:
        return command.run(args)
    except CommandError as exc:
        print(f"{PROG} {command.name}: {exc}", file=sys.stderr)
        return exc.status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
