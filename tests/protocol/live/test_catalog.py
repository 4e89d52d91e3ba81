"""Our Live event set equals the catalog's, and the catalog is what the reference says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from realtime_bus.protocol import live
from realtime_bus.protocol.live import LiveClientDecoder

from ._reference import CLIENT, SERVER

_HERE = Path(__file__).parent
_ROOT = _HERE.parents[2]
_CLIENT = {
    "primary": live.PRIMARY_CLIENT_EVENT_CLASSES,
    "sideband": live.SIDEBAND_CLIENT_EVENT_CLASSES,
    "fork": live.FORK_CLIENT_EVENT_CLASSES,
}
_SERVER = {
    "primary": live.PRIMARY_SERVER_EVENT_CLASSES,
    "sideband": live.SIDEBAND_SERVER_EVENT_CLASSES,
    "fork": live.PRIMARY_SERVER_EVENT_CLASSES,
}


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_HERE / "live-events.json").read_text(encoding="utf-8"))
    return data


def _types(classes: tuple[type[Any], ...]) -> set[str]:
    return {cls.type for cls in classes}


@pytest.mark.parametrize("channel", ["primary", "sideband", "fork"])
def test_our_events_are_the_catalogs(catalog: dict[str, Any], channel: str) -> None:
    assert _types(_CLIENT[channel]) == set(catalog[channel]["client"])
    assert _types(_SERVER[channel]) == set(catalog[channel]["server"])


@pytest.mark.parametrize("channel", ["primary", "sideband", "fork"])
def test_the_catalog_is_the_references(catalog: dict[str, Any], channel: str) -> None:
    assert set(catalog[channel]["client"]) == CLIENT[channel].types
    assert set(catalog[channel]["server"]) == SERVER[channel].types


def test_every_event_of_the_reference_has_a_class() -> None:
    every_server = set().union(*(ref.types for ref in SERVER.values()))
    every_client = set().union(*(ref.types for ref in CLIENT.values()))
    assert _types(live.SERVER_EVENT_CLASSES) == every_server
    assert _types(live.CLIENT_EVENT_CLASSES) == every_client
    assert len(live.SERVER_EVENT_CLASSES) == 30


def test_every_class_has_its_wire_name_as_type() -> None:
    for cls in (*live.SERVER_EVENT_CLASSES, *live.CLIENT_EVENT_CLASSES):
        assert cls.type == cls.__struct_config__.tag


def test_the_checked_in_catalog_is_current(catalog: dict[str, Any]) -> None:
    # Regenerated from the installed reference: an upgrade that changes Live shows up here.
    out = subprocess.run(
        [sys.executable, str(_ROOT / "tools" / "live_catalog.py")],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert json.loads(out) == catalog


def test_each_connection_reads_only_its_own_client_events() -> None:
    start = b'{"type":"session.start","session":{"model":"gpt-live-1"}}'
    assert isinstance(LiveClientDecoder("primary").decode(start), live.SessionStart)
    assert isinstance(LiveClientDecoder("fork").decode(start), live.ForkSessionStart)
    with pytest.raises(live.DecodeError) as caught:
        LiveClientDecoder("sideband").decode(start)
    assert caught.value.unknown_type
    dtmf = b'{"type":"transport.dtmf.send","event":"5"}'
    assert isinstance(LiveClientDecoder("sideband").decode(dtmf), live.TransportDtmfSend)
    with pytest.raises(live.DecodeError):
        LiveClientDecoder("primary").decode(dtmf)
