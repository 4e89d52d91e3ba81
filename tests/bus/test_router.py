"""The router's table of known event types' routes, which dispatch_burst holds across a burst."""

from __future__ import annotations

from typing import Any

from realtime_bus.bus._matching import KeyMatcher
from realtime_bus.bus._router import Router, Subscription


def _noop(event: Any) -> None:
    del event


async def _async_noop(event: Any) -> None:
    del event


def _sub(fn: Any, *keys: str) -> Subscription:
    return Subscription(fn, KeyMatcher(keys), once=False, concurrent=False, check=None)


def test_known_routes_is_one_dict_emptied_in_place_when_handlers_change() -> None:
    router = Router()
    table = router.known_routes
    plain = router.add(_sub(_noop, "response.done"))
    assert router.route("response.done") == ((plain,), True)
    assert table == {"response.done": ((plain,), True)}

    slow = router.add(_sub(_async_noop, "*"))
    assert router.known_routes is table  # a held table sees the change
    assert table == {}
    assert router.route("response.done") == ((plain, slow), False)

    assert router.remove(_async_noop) == 1
    assert router.known_routes is table
    assert table == {}
    router.route("response.done")
    router.discard(plain)
    assert table == {}
    assert router.route("response.done") == ((), True)


def test_unknown_types_are_not_in_known_routes() -> None:
    router = Router()
    everything = router.add(_sub(_noop, "*"))
    assert router.route("vendor.thing", True) == ((everything,), True)
    assert "vendor.thing" not in router.known_routes
