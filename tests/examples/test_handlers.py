"""examples/handlers.py: the decorator style, end to end against its own simulator."""

from __future__ import annotations

import ast

from .conftest import run_example


def test_handlers_example() -> None:
    lines = run_example("handlers.py").stdout.splitlines()
    assert lines[0] == "  bus: bus.connected"
    assert lines[-1] == "  bus: bus.closed"
    assert "assistant: You said: Hello!" in lines
    assert "assistant: You said: Count to three." in lines
    # The failing handler was reported once, and the bus went on to the next turn.
    errors = [line for line in lines if line.startswith("  handled error:")]
    assert errors == ["  handled error: handler in build_bus.<locals>.buggy: a bug in a handler"]
    assert lines.index(errors[0]) < lines.index("user: Count to three.")
    deltas = [line.removeprefix("  delta: ") for line in lines if line.startswith("  delta:")]
    assert "".join(ast.literal_eval(d) for d in deltas) == "You said: Count to three."
    assert "server error: item_delete_invalid_item_id" in lines
    assert "timeout: no response.done event within 0.2 s" in lines
