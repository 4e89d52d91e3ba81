"""Every Python block of the README and of the pages under docs/ passes ``mypy --strict``.

Each ```` ```python ```` fence is checked as a module of its own, so a page added later is
covered without being named here. A block may be a fragment of a program: an HTML comment
``<!-- context: ... -->`` right before it (invisible on the rendered page) holds the imports
and names it assumes, and a block with top-level ``await`` / ``async with`` is checked as the
body of an ``async def``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(
    r"(?:^<!-- context:\n(?P<context>.*?)^-->\n(?:[ \t]*\n)*)?"
    r"^(?P<indent>[ \t]*)```python[^\n]*\n(?P<code>.*?)^(?P=indent)```",
    re.DOTALL | re.MULTILINE,
)


def pages() -> list[Path]:
    """The README and every Markdown page of the docs."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _compiles(code: str, flags: int = 0) -> bool:
    try:
        compile(code, "<block>", "exec", flags=flags, dont_inherit=True)
    except SyntaxError:
        return False
    return True


def _needs_async(code: str) -> bool:
    """Whether the block uses ``await`` / ``async with`` outside a function."""
    return not _compiles(code) and _compiles(code, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def module_for(context: str, code: str) -> str:
    """The block as a module mypy can check: its context, then its code."""
    if _needs_async(code):
        code = "async def _block() -> None:\n" + textwrap.indent(code, "    ")
    return f"{context}\n{code}\n" if context else f"{code}\n"


def blocks() -> dict[str, str]:
    """Module name -> source, for every Python block of every page."""
    found: dict[str, str] = {}
    for page in pages():
        relative = page.relative_to(ROOT).with_suffix("")
        stem = re.sub(r"\W", "_", str(relative)).lower()
        for number, match in enumerate(_FENCE.finditer(page.read_text()), start=1):
            context = textwrap.dedent(match.group("context") or "")
            code = textwrap.dedent(match.group("code"))
            found[f"{stem}_block{number}"] = module_for(context, code)
    return found


def test_the_pages_have_python_blocks() -> None:
    assert len(blocks()) >= 20


# Pages may show other projects' code (interop with agent frameworks): modules that are not
# installed type as Any; this package's own modules must all resolve.
_CONFIG = """\
[mypy]
strict = True
ignore_missing_imports = True

[mypy-realtime_bus.*]
ignore_missing_imports = False
"""


@pytest.mark.timeout(300)  # a cold mypy cache re-reads the whole package
def test_every_python_block_passes_mypy_strict(tmp_path: Path) -> None:
    sources = blocks()
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(source)
    config = tmp_path / "mypy.ini"
    config.write_text(_CONFIG)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--no-error-summary",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            *sorted(str(path) for path in tmp_path.glob("*.py")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    report = result.stdout.replace(str(tmp_path) + "/", "")
    assert result.returncode == 0, f"the docs' Python blocks do not type-check:\n{report}"
