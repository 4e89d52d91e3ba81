"""Turning a client frame that does not decode into the ``error`` the service would send.

msgspec names the problem and where it is (``Expected `str`, got `int` - at `$.session.x```);
the service says the same in its own words (``Invalid type for 'session.x': expected a string,
but got an integer instead.``) with ``code`` and ``param`` set.
"""

from __future__ import annotations

import re

from ..protocol import CLIENT_EVENT_CLASSES, DecodeError, ErrorDetails
from ._errors import invalid_request

__all__ = ["error_for_bad_frame"]

_SUPPORTED = ", ".join(f"'{cls.type}'" for cls in CLIENT_EVENT_CLASSES[:-1])
_SUPPORTED += f", and '{CLIENT_EVENT_CLASSES[-1].type}'"

_AT = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")
_TYPE = re.compile(r"^Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`")
_VALUE = re.compile(r"^Invalid (?:enum )?value (?P<value>.+)$")

_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a decimal",
    "bool": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _describe(types: str) -> str:
    names = [_NAMES.get(t.strip(), t.strip()) for t in types.split("|")]
    names = [n for n in names if n != "null"] or names
    return " or ".join(dict.fromkeys(names))


def error_for_bad_frame(exc: DecodeError) -> ErrorDetails:
    """The service's ``error`` for a client frame that did not decode."""
    event_id = exc.event_id
    if exc.unknown_type:
        return invalid_request(
            f"Invalid value: '{exc.event_type}'. Supported values are: {_SUPPORTED}.",
            code="invalid_value",
            param="type",
            event_id=event_id,
        )
    message = exc.message
    if message.startswith("frame is not valid JSON"):
        return invalid_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't sending valid JSON.)",
            code="invalid_json",
        )
    if exc.event_type is None:
        if message.startswith("Expected `object`"):
            return invalid_request("Invalid event: expected a JSON object.", code="invalid_json")
        return invalid_request(
            "Missing required parameter: 'type'.",
            code="missing_required_parameter",
            param="type",
            event_id=event_id,
        )
    at = _AT.search(message)
    path = at.group("path") if at else ""
    head = message[: at.start()] if at else message
    if (m := _MISSING.match(head)) is not None:
        param = f"{path}.{m.group('field')}" if path else m.group("field")
        return invalid_request(
            f"Missing required parameter: '{param}'.",
            code="missing_required_parameter",
            param=param,
            event_id=event_id,
        )
    if (m := _TYPE.match(head)) is not None:
        return invalid_request(
            f"Invalid type for '{path}': expected {_describe(m.group('expected'))}, but got "
            f"{_describe(m.group('got'))} instead.",
            code="invalid_type",
            param=path or None,
            event_id=event_id,
        )
    if (m := _VALUE.match(head)) is not None:
        return invalid_request(
            f"Invalid value: {m.group('value')}.",
            code="invalid_value",
            param=path or None,
            event_id=event_id,
        )
    return invalid_request(
        f"Invalid '{exc.event_type}' event: {head}.",
        code="invalid_value",
        param=path or None,
        event_id=event_id,
    )
