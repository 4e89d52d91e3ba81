"""`realtime-bus serve`."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser"]


def add_parser(sub: Any) -> None:
    """Register the subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser("serve", help="not available yet")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    print("realtime-bus serve: not available yet")
    return 2
