"""The API reference: every exported struct shows all its fields, with types and docstrings."""

from __future__ import annotations

import sys
from pathlib import Path

import griffe
import msgspec
import pytest

import realtime_bus.protocol as protocol

HOOKS = Path(__file__).resolve().parents[2] / "docs" / "hooks"


@pytest.fixture(scope="module")
def package() -> griffe.Module:
    sys.path.insert(0, str(HOOKS))
    try:
        import structs  # the docs' own extensions
    finally:
        sys.path.remove(str(HOOKS))
    extensions = griffe.load_extensions(structs.RuntimeExports, structs.StructFields)
    loaded = griffe.load("realtime_bus", extensions=extensions, resolve_aliases=True)
    assert isinstance(loaded, griffe.Module)
    return loaded


def _structs() -> list[str]:
    return [
        name
        for name in protocol.__all__
        if isinstance(getattr(protocol, name), type)
        and issubclass(getattr(protocol, name), msgspec.Struct)
        and msgspec.structs.fields(getattr(protocol, name))
    ]


def test_every_exported_name_is_documented(package: griffe.Module) -> None:
    documented = set(package["protocol"].exports or [])
    assert set(protocol.__all__) <= {str(name) for name in documented}


@pytest.mark.parametrize("name", _structs())
def test_each_struct_lists_every_field_with_its_type(package: griffe.Module, name: str) -> None:
    cls = package["protocol"][name]
    text = cls.docstring.value
    assert "**Fields**" in text
    for field in msgspec.structs.fields(getattr(protocol, name)):
        assert f"| <code>{field.name}" in text, f"{name}.{field.name} missing"


def test_a_field_docstring_and_the_wire_type_are_shown(package: griffe.Module) -> None:
    text = package["protocol"]["UnknownEvent"].docstring.value
    assert "| <code>payload</code> | <code>dict[str, Any]</code> | <code>required</code>" in text
    done = package["protocol"]["ResponseDone"].docstring.value
    assert "Wire type: `response.done`." in done
