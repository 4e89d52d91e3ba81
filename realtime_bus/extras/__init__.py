"""Conveniences built on the bus's public API: function tools from Python functions."""

from ._tools import ToolError, Tools

__all__ = ["ToolError", "Tools"]
