"""Griffe extensions for the API reference: run-time ``__all__``s, and each struct's fields.

``RuntimeExports``: a package or event module may build its ``__all__`` at import time (from its
definitions or its modules' lists), which a static reader cannot evaluate. The list is read from
the imported module instead, so the reference shows what ``from ... import *`` gives.

``StructFields``: msgspec structs declare their fields as annotations, most without a docstring
of their own; the reference would show none of them. Each struct's docstring gets a table of its
fields (inherited ones included): name, type, default, and the field's docstring when it has
one. Events also show their wire ``type``.
"""

from __future__ import annotations

import html
import importlib
from typing import Any

import griffe
import msgspec

_PACKAGE = "realtime_bus"


def _runtime(path: str) -> Any:
    module_path, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module_path), name)
    except (ImportError, AttributeError):
        return None


class RuntimeExports(griffe.Extension):
    """Take each module's ``__all__`` from the imported module (the list it really exports)."""

    def on_module_members(self, *, mod: griffe.Module, **kwargs: Any) -> None:
        if not mod.path.startswith(_PACKAGE):
            return
        if mod.name == "__main__":  # importing it would run it
            return
        try:
            names = importlib.import_module(mod.path).__dict__.get("__all__")
        except ImportError:
            return
        if names is not None:
            mod.exports = list(names)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    """Inline code that may hold ``|`` inside a table cell."""
    return "<code>" + html.escape(" ".join(text.split())).replace("|", "&#124;") + "</code>"


def _type_name(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return repr(tp).replace("typing.", "").replace("msgspec._core.", "")


def _default(field: msgspec.structs.FieldInfo) -> str:
    if field.required:
        return "required"
    if field.default is not msgspec.NODEFAULT:
        value = field.default
        return "UNSET" if value is msgspec.UNSET else repr(value)
    factory = field.default_factory
    return f"{getattr(factory, '__name__', 'factory')}()"


def _griffe_field(
    loader: griffe.GriffeLoader, cls: type[Any], name: str
) -> griffe.Object | griffe.Alias | None:
    for base in cls.__mro__:
        path = f"{base.__module__}.{base.__qualname__}.{name}"
        try:
            return loader.modules_collection.get_member(path)
        except (KeyError, ValueError, AttributeError):
            continue
    return None


def fields_table(loader: griffe.GriffeLoader, cls: type[msgspec.Struct]) -> str:
    """A Markdown table of ``cls``'s fields: name, type, default, description."""
    rows = ["| field | type | default | description |", "| --- | --- | --- | --- |"]
    hints = msgspec.structs.fields(cls)
    for field in hints:
        member = _griffe_field(loader, cls, field.name)
        annotation = getattr(member, "annotation", None)
        type_text = str(annotation) if annotation is not None else _type_name(field.type)
        doc = member.docstring.value if member is not None and member.docstring else ""
        name = field.name
        if field.encode_name != field.name:
            name = f"{field.name} ({field.encode_name})"
        rows.append(
            f"| {_code(name)} | {_code(type_text)} | {_code(_default(field))} | {_cell(doc)} |"
        )
    return "\n".join(rows)


class StructFields(griffe.Extension):
    """Append a table of its fields to every msgspec struct's docstring."""

    def on_class(self, *, cls: griffe.Class, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if not cls.path.startswith(_PACKAGE):
            return
        runtime = _runtime(cls.path)
        if not (isinstance(runtime, type) and issubclass(runtime, msgspec.Struct)):
            return
        if not msgspec.structs.fields(runtime):
            return
        parts = [cls.docstring.value if cls.docstring else ""]
        tag = getattr(runtime, "__struct_config__", None)
        wire = getattr(tag, "tag", None)
        if isinstance(wire, str) and getattr(tag, "tag_field", None) == "type":
            parts.append(f"Wire type: `{wire}`.")
        parts.append("**Fields**\n\n" + fields_table(loader, runtime))
        text = "\n\n".join(part for part in parts if part)
        if cls.docstring is None:
            cls.docstring = griffe.Docstring(text, parent=cls)
        else:
            cls.docstring.value = text
