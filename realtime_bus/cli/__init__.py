"""The ``realtime-bus`` command: ``demo``, ``serve``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="realtime-bus",
        description="An asyncio event bus for the OpenAI Realtime protocol.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    from . import _demo, _serve

    _demo.add_parser(sub)
    _serve.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
