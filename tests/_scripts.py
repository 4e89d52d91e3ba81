"""Import a script of the repository (an example, a benchmark, an interop scenario) by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_script(path: Path, name: str, *, register: bool = False) -> ModuleType:
    """The file at ``path``, imported as the module ``name``.

    With ``register``, the module is in ``sys.modules`` while it runs (dataclasses look their
    module up there).
    """
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
