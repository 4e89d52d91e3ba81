"""A Griffe extension for the API reference: the docstrings' reST markup, as Markdown.

The package's docstrings are written for ``help()`` and Sphinx-minded readers: roles such as
``:class:`~realtime_bus.Bus``` and literal blocks introduced by ``::``. mkdocstrings renders
Markdown, so before rendering, roles become inline code and literal blocks become fenced
Python blocks. Nothing else in the docstrings changes.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|attr|mod|exc|data|obj|const):`(~?)([^`]+)`")


def _role(match: re.Match[str]) -> str:
    short, target = match.groups()
    target = target.strip()
    if short:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _fence(block: list[str], indent: int, language: str) -> list[str]:
    body = textwrap.dedent("\n".join(block)).split("\n")
    pad = " " * indent
    return ["", f"{pad}```{language}", *[pad + line if line else "" for line in body], f"{pad}```"]


def to_markdown(text: str) -> str:
    """``text`` with reST roles as inline code and literal and doctest blocks fenced."""
    lines = _ROLE.sub(_role, text).split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">>>"):
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            out += _fence(lines[i:j], _indent(line), "pycon")
            i = j
            continue
        if line.rstrip().endswith("::"):
            head = line.rstrip()[:-2].rstrip()
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            block: list[str] = []
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > _indent(line)):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            if block:
                if head.strip():
                    out.append(head + ":")
                out += _fence(block, _indent(line), "python")
                out.append("")
                i = j
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


class SphinxMarkup(griffe.Extension):
    """Rewrite every docstring's reST markup as Markdown once the package is loaded."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
