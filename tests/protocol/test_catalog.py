"""The set of event types we know equals the reference's, so no event is missed."""

from __future__ import annotations

from typing import Any

from realtime_bus.protocol import (
    CLIENT_EVENT_CLASSES,
    SERVER_EVENT_CLASSES,
    TRANSLATION_CLIENT_EVENT_CLASSES,
    TRANSLATION_SERVER_EVENT_CLASSES,
)
from realtime_bus.protocol.server import BETA_SERVER_RENAMES

from ._reference import (
    BETA_CLIENT,
    BETA_SERVER,
    GA_CLIENT,
    GA_SERVER,
    TRANSLATION_CLIENT,
    TRANSLATION_SERVER,
)


def _types(classes: tuple[type[Any], ...]) -> set[str]:
    return {cls.type for cls in classes}


def test_ga_server_events_are_the_references() -> None:
    assert _types(SERVER_EVENT_CLASSES) == GA_SERVER.types
    assert len(SERVER_EVENT_CLASSES) == len(GA_SERVER.types) == 46


def test_ga_client_events_are_the_references() -> None:
    assert _types(CLIENT_EVENT_CLASSES) == GA_CLIENT.types
    assert len(CLIENT_EVENT_CLASSES) == len(GA_CLIENT.types) == 11


def test_translation_events_are_the_references() -> None:
    assert _types(TRANSLATION_SERVER_EVENT_CLASSES) == TRANSLATION_SERVER.types
    assert _types(TRANSLATION_CLIENT_EVENT_CLASSES) == TRANSLATION_CLIENT.types


def test_every_class_has_its_wire_name_as_type() -> None:
    for cls in (*SERVER_EVENT_CLASSES, *CLIENT_EVENT_CLASSES):
        assert cls.type == cls.__struct_config__.tag


def test_every_beta_server_event_is_a_ga_event_or_a_known_rename() -> None:
    ga = GA_SERVER.types
    for kind in BETA_SERVER.types:
        assert kind in ga or BETA_SERVER_RENAMES.get(kind) in ga, kind
    assert set(BETA_SERVER_RENAMES) <= BETA_SERVER.types


def test_beta_client_events_are_ga_events_or_the_transcription_rename() -> None:
    assert BETA_CLIENT.types - GA_CLIENT.types == {"transcription_session.update"}


def test_renames_match_the_catalog(catalog: dict[str, Any]) -> None:
    server = {r["beta"]: r["ga"] for r in catalog["ga_beta_renames"] if r["side"] == "server"}
    assert server == BETA_SERVER_RENAMES


def test_catalog_lists_the_same_events(catalog: dict[str, Any]) -> None:
    assert set(catalog["ga"]["server"]) == _types(SERVER_EVENT_CLASSES)
    assert set(catalog["ga"]["client"]) == _types(CLIENT_EVENT_CLASSES)
    assert set(catalog["beta"]["server"]) == BETA_SERVER.types
    assert set(catalog["translation"]["server"]) == _types(TRANSLATION_SERVER_EVENT_CLASSES)
    assert set(catalog["translation"]["client"]) == _types(TRANSLATION_CLIENT_EVENT_CLASSES)
