"""No import circles among the bus's and the transport's modules, type-only imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import realtime_bus

PACKAGE = Path(realtime_bus.__file__).parent
LAYERS = ("realtime_bus.bus", "realtime_bus.transport")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for candidate in (target, *(f"{target}.{a.name}" for a in node.names)):
                if candidate in known and candidate != name:
                    found.add(candidate)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
    return found


def test_no_import_circles_in_the_bus_and_transport_layers() -> None:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    graph = {name: _imports(path, name, known) for name, path in paths.items()}
    chosen = sorted(n for n in known if n.startswith(LAYERS))
    assert len(chosen) > 20

    def reaches(start: str, goal: str) -> bool:
        seen: set[str] = set()
        todo = [m for m in graph[start] if m in chosen]
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(m for m in graph[current] if m.startswith(LAYERS))
        return False

    circles = [name for name in chosen if reaches(name, name)]
    assert circles == []
