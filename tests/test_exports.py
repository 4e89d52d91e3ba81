"""The public surface is deliberate: what each package exports, and that events are listed once.

An event is one struct in an event module plus its place in that module's union: every list
(``__all__`` of the module, of ``realtime_bus.protocol`` and of ``realtime_bus``, the
``*_EVENT_CLASSES`` tables) is derived from those. These tests walk every module under
``realtime_bus.protocol``, so a new family of events (a new module or subpackage) is checked
without being named here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
from pathlib import Path
from typing import get_args

import pytest

import realtime_bus
import realtime_bus.protocol as protocol
import realtime_bus.protocol.server as server
from realtime_bus.protocol import ClientEvent, Model, ServerEvent
from realtime_bus.protocol._base import defined_names

SURFACE = Path(__file__).with_name("public_surface.txt")


def _surface() -> dict[str, set[str]]:
    """The sections of ``public_surface.txt``: ``[section]`` lines, then one name a line."""
    sections: dict[str, set[str]] = {}
    names: set[str] = set()
    for raw in SURFACE.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            names = sections.setdefault(line[1:-1], set())
        elif line:
            names.add(line)
    return sections


# What the root adds to the protocol's names, its REST names and the server side's names.
_SECTIONS = _surface()
ROOT_OWN = _SECTIONS["root"]
ROOT_REST = _SECTIONS["root-rest"]
SERVER_SIDE = _SECTIONS["server"]


def _protocol_modules() -> list[types.ModuleType]:
    found = [protocol]
    for info in pkgutil.walk_packages(protocol.__path__, prefix=f"{protocol.__name__}."):
        found.append(importlib.import_module(info.name))
    return found


_PACKAGES = [m for m in _protocol_modules() if hasattr(m, "__path__")]
_MODULES = [m for m in _protocol_modules() if not hasattr(m, "__path__") and m is not server]


def _public_namespace(module: types.ModuleType) -> set[str]:
    """Public names bound in the module, submodules and the ``typing`` module left out."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }


def _unions(module: types.ModuleType) -> dict[str, tuple[type, ...]]:
    """The module's annotated unions of event classes (``AnyServerEvent`` and so on)."""
    found = {}
    for name in getattr(module, "__annotations__", {}):
        members = get_args(getattr(module, name, None))
        if members and all(
            inspect.isclass(m) and issubclass(m, (ServerEvent, ClientEvent)) for m in members
        ):
            found[name] = members
    return found


def test_the_root_is_the_protocol_plus_the_bus_sync_transport_and_rest() -> None:
    assert set(realtime_bus.__all__) == set(protocol.__all__) | ROOT_OWN | ROOT_REST
    assert len(realtime_bus.__all__) == len(set(realtime_bus.__all__))
    for name in realtime_bus.__all__:
        assert getattr(realtime_bus, name) is not None, name
    for name in protocol.__all__:
        assert getattr(realtime_bus, name) is getattr(protocol, name), name


def test_nothing_public_hides_outside_all() -> None:
    for package in (realtime_bus, protocol, server):
        assert _public_namespace(package) <= set(package.__all__), package.__name__


def test_the_server_side_is_not_in_the_client_namespaces() -> None:
    assert set(server.__all__) == SERVER_SIDE
    for name in SERVER_SIDE:
        assert name not in realtime_bus.__all__
        assert name not in protocol.__all__
        assert not hasattr(realtime_bus, name)
        assert getattr(server, name) is not None


def test_nothing_is_named_like_typing_protocol() -> None:
    for module in (realtime_bus, *_protocol_modules()):
        assert not hasattr(module, "Protocol") or module.Protocol is typing.Protocol


@pytest.mark.parametrize("module", _PACKAGES, ids=lambda m: m.__name__)
def test_a_package_exports_exactly_its_modules_names(module: types.ModuleType) -> None:
    children = [
        importlib.import_module(f"{module.__name__}.{info.name}")
        for info in pkgutil.iter_modules(module.__path__)
        if info.name.startswith("_")
    ]
    expected = {name for child in children for name in child.__all__}
    assert set(module.__all__) >= expected
    # Anything more is a name the parent package exports too (a shared error class, say).
    parent = importlib.import_module(module.__name__.rpartition(".")[0])
    for name in set(module.__all__) - expected:
        assert getattr(module, name) is getattr(parent, name, None), name
    for name in module.__all__:
        assert getattr(module, name) is not None, name


@pytest.mark.parametrize("module", _MODULES, ids=lambda m: m.__name__)
def test_every_event_is_in_its_modules_union_and_exported(module: types.ModuleType) -> None:
    assert len(module.__all__) == len(set(module.__all__))
    for name in module.__all__:
        assert hasattr(module, name), name
    events = [
        value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and inspect.isclass(value)
        and value.__module__ == module.__name__
        and issubclass(value, (ServerEvent, ClientEvent))
        # an event, not the base class of the module's events
        and value not in (ServerEvent, ClientEvent)
        and not any(sub.__module__ == module.__name__ for sub in value.__subclasses__())
    ]
    if not events:
        return
    # An event module exports everything it defines (best derived: defined_names).
    assert set(module.__all__) >= set(defined_names(vars(module)))
    in_unions = {member for members in _unions(module).values() for member in members}
    unlisted = [cls.__name__ for cls in events if cls not in in_unions]
    # UnknownEvent is what the decoder makes of the types no union has.
    assert unlisted in ([], ["UnknownEvent"]), f"events in no union: {unlisted}"


def test_the_event_tables_are_the_unions() -> None:
    assert get_args(protocol.AnyServerEvent) == protocol.SERVER_EVENT_CLASSES
    assert get_args(protocol.AnyClientEvent) == protocol.CLIENT_EVENT_CLASSES
    assert get_args(protocol.AnyTranslationServerEvent) == protocol.TRANSLATION_SERVER_EVENT_CLASSES
    assert get_args(protocol.AnyTranslationClientEvent) == protocol.TRANSLATION_CLIENT_EVENT_CLASSES
    for table in (protocol.SERVER_EVENT_CLASSES, protocol.CLIENT_EVENT_CLASSES):
        assert len({cls.type for cls in table}) == len(table)


def test_models_are_exported_from_where_they_are_defined() -> None:
    for name in protocol.__all__:
        value = getattr(protocol, name)
        if inspect.isclass(value) and issubclass(value, Model):
            home = importlib.import_module(value.__module__)
            assert name in home.__all__, f"{name} is not in {home.__name__}.__all__"
