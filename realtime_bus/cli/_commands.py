"""The table of subcommands: one line per command module.

Each module defines ``NAME``, ``HELP``, ``DESCRIPTION``, ``arguments`` and ``run`` (see
:mod:`realtime_bus.cli._command`).
"""

from __future__ import annotations

__all__ = ["COMMAND_MODULES"]

COMMAND_MODULES: tuple[str, ...] = (
    "realtime_bus.cli._demo",
    "realtime_bus.cli._serve",
    "realtime_bus.cli._twilio",
    "realtime_bus.cli._talk",
    "realtime_bus.cli._tail",
    "realtime_bus.cli._record",
    "realtime_bus.cli._replay",
    "realtime_bus.cli._report",
    "realtime_bus.cli._proxy",
)
"""Modules, in the order ``realtime-bus --help`` lists them."""
