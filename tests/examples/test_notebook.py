"""examples/notebook.ipynb runs under IPython with the kernel's loop running, as in Jupyter."""

from __future__ import annotations

import json

from .conftest import EXAMPLES, run_example

RUNNER = "../tests/examples/run_notebook.py"


def test_notebook_runs_inside_a_running_loop() -> None:
    done = run_example(RUNNER, str(EXAMPLES / "notebook.ipynb"))
    lines = done.stdout.splitlines()
    assert lines[0] == "an event loop is running in this thread"
    assert "connected: True" in lines
    assert "completed | You said: Hello from a notebook!" in lines
    assert "You said: Stream this, please." in lines
    assert lines[-1] == "closed: CLOSED"


def test_notebook_is_a_valid_nbformat_4_document() -> None:
    notebook = json.loads((EXAMPLES / "notebook.ipynb").read_text())
    assert notebook["nbformat"] == 4
    assert notebook["nbformat_minor"] >= 5
    for cell in notebook["cells"]:
        assert cell["cell_type"] in ("markdown", "code")
        assert isinstance(cell["id"], str)
        assert all(isinstance(line, str) for line in cell["source"])
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
