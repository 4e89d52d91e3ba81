"""The sync facade mirrors the async API: every public name has its twin, or a stated reason.

Adding a public method to ``Bus`` (or ``RealtimeAPI``) without its blocking twin fails here
until the twin exists or the table below says why there is none.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from realtime_bus import Bus, SyncBus
from realtime_bus.rest import RealtimeAPI, SyncRealtimeAPI

# Public names of Bus that SyncBus does not offer, and why.
ASYNC_ONLY = {
    "hand_over": "rotation runs on the bus's loop: use sync_bus.async_bus from a handler",
    "open_standby": "rotation runs on the bus's loop: use sync_bus.async_bus from a handler",
    "publish": "derived events are published by code on the bus's loop",
    "reconnect_policy": "configuration of the async bus: sync_bus.async_bus.reconnect_policy",
    "session_config": "read by rotation on the bus's loop",
    "wait_open": "`with sync_bus:` / sync_bus.connect() return once the session is open",
}
# Public names only SyncBus has, and why.
SYNC_ONLY = {
    "connect": "the blocking form of `async with bus` (starts the thread)",
    "endpoint": "a shortcut to async_bus.endpoint",
    "name": "a shortcut to async_bus.name",
    "stats": "a snapshot taken on the bus's loop",
    "thread": "the bus's thread",
    "async_bus": "the bus it drives",
    "call": "runs a coroutine of an async layer on the bus's loop (the async bus awaits it)",
}
# Factories forward their keyword arguments to the async factory.
FORWARDING = {"openai", "azure"}


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def _parameters(func: Any) -> list[tuple[str, Any, Any]]:
    signature = inspect.signature(func)
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


def test_bus_and_sync_bus_have_the_same_public_names_or_a_reason() -> None:
    missing = _public(Bus) - _public(SyncBus) - set(ASYNC_ONLY)
    assert not missing, f"Bus methods without a SyncBus twin (add one, or a reason): {missing}"
    extra = _public(SyncBus) - _public(Bus) - set(SYNC_ONLY)
    assert not extra, f"SyncBus names with no async counterpart: {extra}"
    # The tables name only what exists.
    assert set(ASYNC_ONLY) <= _public(Bus) - _public(SyncBus)
    assert set(SYNC_ONLY) - {"async_bus"} <= _public(SyncBus) - _public(Bus)


@pytest.mark.parametrize("name", sorted((_public(Bus) & _public(SyncBus)) - FORWARDING), ids=str)
def test_a_bus_method_and_its_blocking_twin_take_the_same_arguments(name: str) -> None:
    async_member = inspect.getattr_static(Bus, name)
    sync_member = inspect.getattr_static(SyncBus, name)
    if isinstance(async_member, property) or isinstance(sync_member, property):
        assert isinstance(async_member, property) == isinstance(sync_member, property), name
        return
    async_func, sync_func = getattr(Bus, name), getattr(SyncBus, name)
    if not (callable(async_func) and callable(sync_func)):
        return
    assert _parameters(sync_func) == _parameters(async_func), name
    assert sync_func.__doc__, f"SyncBus.{name} has no docstring"


@pytest.mark.parametrize("name", sorted(FORWARDING))
def test_the_sync_factories_forward_to_the_async_ones(name: str) -> None:
    sync_params = inspect.signature(getattr(SyncBus, name)).parameters
    assert any(p.kind is p.VAR_KEYWORD for p in sync_params.values())
    async_params = inspect.signature(getattr(Bus, name)).parameters
    assert set(sync_params) - {"kwargs"} <= set(async_params)


def _rest_methods(obj: object, path: str, seen: set[int]) -> dict[str, Any]:
    """Every public method reachable from a REST client, by dotted path."""
    if id(obj) in seen:
        return {}
    seen.add(id(obj))
    found: dict[str, Any] = {}
    for name in dir(obj):
        if name.startswith("_") or name in {"webhooks", "base_url"}:
            continue
        value = getattr(obj, name)
        if inspect.ismethod(value):
            found[f"{path}.{name}"] = value
        elif type(value).__module__.startswith("realtime_bus.rest"):
            found.update(_rest_methods(value, f"{path}.{name}", seen))
    return found


def test_the_rest_clients_mirror_each_other() -> None:
    async_api = RealtimeAPI(api_key="sk-test", base_url="http://127.0.0.1:1/v1")
    sync_api = SyncRealtimeAPI(api_key="sk-test", base_url="http://127.0.0.1:1/v1")
    try:
        async_methods = _rest_methods(async_api, "api", set())
        sync_methods = _rest_methods(sync_api, "api", set())
        assert set(async_methods) == set(sync_methods)
        assert len(async_methods) >= 8
        for path, method in async_methods.items():
            twin = sync_methods[path]
            assert _parameters(twin) == _parameters(method), path
            if path in {"api.close", "api.azure"}:  # closing, and the factory: not requests
                continue
            assert inspect.iscoroutinefunction(method), path
            assert not inspect.iscoroutinefunction(twin), path
            assert twin.__doc__, path
    finally:
        sync_api.close()


def test_the_blocking_views_use_no_private_part_of_the_sync_bus() -> None:
    import ast

    import realtime_bus.sync._waiting as waiting

    tree = ast.parse(inspect.getsource(waiting))
    for node in ast.walk(tree):
        private = (
            node.attr.startswith("_") and not node.attr.endswith("__")
            if isinstance(node, ast.Attribute)
            else False
        )
        if isinstance(node, ast.Attribute) and private:
            owner = node.value
            # Only a view's own slots (self._portal, self._stream, ...) are private to it.
            assert isinstance(owner, ast.Name), ast.unparse(node)
            assert owner.id == "self", ast.unparse(node)
    assert "SyncBus" not in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
