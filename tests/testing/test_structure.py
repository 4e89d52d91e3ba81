"""The simulator's shape: no import circles among its modules, every client event handled."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from realtime_bus.protocol import CLIENT_EVENT_CLASSES
from realtime_bus.testing._dispatch import DispatchTable
from realtime_bus.testing._session import _HANDLERS

PACKAGE = Path(__file__).parents[2] / "realtime_bus" / "testing"


def _imports(path: Path) -> set[str]:
    """The sibling modules ``path`` imports, type-only imports included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph.get(name, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        stack.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)) is not None:
            return found
    return None


def test_no_import_circle_among_the_simulator_modules() -> None:
    modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    graph = {name: _imports(path) & modules.keys() for name, path in modules.items()}
    assert len(graph) > 20
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_every_client_event_has_a_handler() -> None:
    missing = [cls.__name__ for cls in CLIENT_EVENT_CLASSES if not _HANDLERS.handles(cls)]
    assert missing == []


def test_a_dispatch_table_refuses_a_second_handler_and_reports_misses() -> None:
    table: DispatchTable[list[str]] = DispatchTable()
    table.on(int, lambda seen, n: seen.append(f"int {n}"))
    with pytest.raises(ValueError, match="int already has a handler"):
        table.on(int, lambda seen, n: None)
    seen: list[str] = []
    assert table.dispatch(seen, 3)
    assert not table.dispatch(seen, "three")
    assert not table.dispatch(seen, True)  # exact classes: bool is not int
    assert seen == ["int 3"]
    assert table.kinds == frozenset({int})
