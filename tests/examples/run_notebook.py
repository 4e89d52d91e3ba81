"""Run a notebook's code cells the way a Jupyter kernel does: in IPython, inside a running loop.

``python run_notebook.py NOTEBOOK.ipynb`` exits non-zero if a cell fails. Like ipykernel, it
awaits ``InteractiveShell.run_cell_async`` from a running asyncio loop in the main thread, so
the cells' synchronous code runs while that loop is running.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell


async def run_cells(cells: list[str]) -> bool:
    shell = InteractiveShell.instance()
    for source in cells:
        result = await shell.run_cell_async(
            source, store_history=True, transformed_cell=shell.transform_cell(source)
        )
        if not result.success:
            return False
    return True


if __name__ == "__main__":
    notebook = json.loads(Path(sys.argv[1]).read_text())
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    sys.exit(0 if asyncio.run(run_cells(code)) else 1)
