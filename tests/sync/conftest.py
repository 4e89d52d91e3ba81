"""Fixtures for the sync facade's tests: a simulator on a background thread, and a guard that
fails any test which leaves a bus thread behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from realtime_bus.sync import SyncBus
from realtime_bus.testing import Simulator
from tests._sim import make_sync_bus as make_bus  # what the sync tests import from here


def bus_threads() -> list[threading.Thread]:
    """The live threads that belong to a sync bus."""
    return [t for t in threading.enumerate() if t.name.startswith("realtime-bus-")]


@pytest.fixture(autouse=True)
def no_thread_left() -> Iterator[None]:
    """Every test must end with exactly the threads it started with."""
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert left == [], f"threads left behind: {left}"


@pytest.fixture
def sim(realtime_simulator_thread: Simulator) -> Simulator:
    """A simulator running on its own background thread."""
    return realtime_simulator_thread


@pytest.fixture
def bus(sim: Simulator) -> SyncBus:
    """A sync bus to ``sim`` with the default options (:func:`make_bus`), not yet connected."""
    return make_bus(sim)
