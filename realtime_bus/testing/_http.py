"""Plain HTTP/1.1 on the simulator's port: the request head reader, request and response types,
and the router the REST endpoints register on.

Only what a loopback test server needs: ``Content-Length`` and ``chunked`` request bodies,
keep-alive, and JSON or text responses. WebSocket upgrades are told apart by the listener and
never reach the router.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import msgspec

__all__ = [
    "HttpError",
    "HttpHandler",
    "HttpRequest",
    "HttpResponse",
    "HttpRoutes",
    "RequestHead",
    "parse_head",
]

MAX_HEAD_BYTES = 64 * 1024
"""Longest request head accepted (request line plus headers)."""

MAX_BODY_BYTES = 32 * 1024 * 1024
"""Largest request body accepted."""

_json_encoder = msgspec.json.Encoder()


class HttpError(Exception):
    """A request that cannot be served; the listener answers it with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class RequestHead:
    """The request line and headers of one HTTP request."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        return _first_header(self.headers, name)


def _first_header(headers: list[tuple[str, str]], name: str) -> str | None:
    name = name.lower()
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def parse_head(raw: bytes) -> RequestHead:
    """Parse a request head (without its final blank line). Raises :class:`HttpError` (400)."""
    try:
        text = raw.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise HttpError(400, "request head is not text") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, f"malformed request line: {lines[0][:100]!r}")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, f"malformed header line: {line[:100]!r}")
        headers.append((name, value.strip()))
    return RequestHead(method=parts[0], target=parts[1], version=parts[2], headers=headers)


@dataclass(slots=True)
class HttpRequest:
    """One HTTP request as a handler sees it.

    ``headers`` keeps the order and case of the wire; :meth:`header` looks one up
    case-insensitively. ``path_params`` holds the ``{name}`` parts of the matched route.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: list[tuple[str, str]] = field(repr=False)
    body: bytes = field(default=b"", repr=False)
    path_params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_head(cls, head: RequestHead, body: bytes = b"") -> HttpRequest:
        """Build a request from a parsed head and its body."""
        split = urlsplit(head.target)
        return cls(
            method=head.method.upper(),
            path=unquote(split.path) or "/",
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=head.headers,
            body=body,
        )

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        return _first_header(self.headers, name)

    def json(self) -> Any:
        """The body decoded as JSON. Raises :class:`HttpError` (400) when it is not JSON."""
        try:
            return msgspec.json.decode(self.body)
        except msgspec.DecodeError as exc:
            raise HttpError(400, f"request body is not valid JSON: {exc}") from None


_Headers = list[tuple[str, str]] | None
"""Headers to add to a response's own."""


@dataclass(slots=True)
class HttpResponse:
    """An HTTP response: status, headers and body."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: _Headers = None) -> HttpResponse:
        """A JSON response (``payload`` may hold msgspec structs)."""
        return cls._typed("application/json", _json_encoder.encode(payload), status, headers)

    @classmethod
    def text(cls, text: str, status: int = 200, headers: _Headers = None) -> HttpResponse:
        """A plain text response."""
        return cls._typed("text/plain; charset=utf-8", text.encode(), status, headers)

    @classmethod
    def _typed(cls, content_type: str, body: bytes, status: int, headers: _Headers) -> HttpResponse:
        """A response with a body of ``content_type``, its ``Content-Type`` first."""
        return cls(
            status=status, headers=[("Content-Type", content_type), *(headers or [])], body=body
        )

    @classmethod
    def error(
        cls,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> HttpResponse:
        """An error in the service's shape: ``{"error": {"message", "type", "param", "code"}}``."""
        body = {"error": {"message": message, "type": type, "param": param, "code": code}}
        return cls.json(body, status=status)

    def serialize(self, *, keep_alive: bool) -> bytes:
        """The response as bytes on the wire (adds ``Content-Length`` and ``Connection``)."""
        try:
            reason = HTTPStatus(self.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {self.status} {reason}"]
        names = set()
        for name, value in self.headers:
            names.add(name.lower())
            lines.append(f"{name}: {value}")
        if "content-length" not in names:
            lines.append(f"Content-Length: {len(self.body)}")
        if "connection" not in names:
            lines.append(f"Connection: {'keep-alive' if keep_alive else 'close'}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


HttpHandler = Callable[[HttpRequest], Awaitable[HttpResponse]]
"""An endpoint: takes the request, returns the response."""

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _compile(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    pos = 0
    for match in _PARAM.finditer(pattern):
        parts.append(re.escape(pattern[pos : match.start()]))
        parts.append(f"(?P<{match.group(1)}>[^/]+)")
        pos = match.end()
    parts.append(re.escape(pattern[pos:]))
    return re.compile("^" + "".join(parts) + "$")


@dataclass(slots=True)
class _Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: HttpHandler


class HttpRoutes:
    """The simulator's HTTP endpoints, matched by method and path pattern.

    Patterns are literal paths with ``{name}`` placeholders matching one path segment::

        async def accept(request: HttpRequest) -> HttpResponse:
            call_id = request.path_params["call_id"]
            ...
        sim.http_routes.add("POST", "/v1/realtime/calls/{call_id}/accept", accept)
    """

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def add(self, method: str, pattern: str, handler: HttpHandler) -> None:
        """Serve ``method`` requests whose path matches ``pattern`` with ``handler``.

        A later registration of the same method and pattern replaces the earlier one.
        """
        regex = _compile(pattern)
        method = method.upper()
        self._routes = [r for r in self._routes if (r.method, r.pattern) != (method, pattern)]
        self._routes.append(_Route(method, pattern, regex, handler))

    def route(self, method: str, pattern: str) -> Callable[[HttpHandler], HttpHandler]:
        """Decorator form of :meth:`add`."""

        def register(handler: HttpHandler) -> HttpHandler:
            self.add(method, pattern, handler)
            return handler

        return register

    def __len__(self) -> int:
        return len(self._routes)

    async def dispatch(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request``: its handler's response, 404 or 405 when nothing matches."""
        allowed: list[str] = []
        for route in self._routes:
            match = route.regex.match(request.path)
            if match is None:
                continue
            if route.method != request.method:
                allowed.append(route.method)
                continue
            request.path_params = {k: unquote(v) for k, v in match.groupdict().items()}
            try:
                return await route.handler(request)
            except HttpError as exc:
                return HttpResponse.error(exc.status, exc.message)
        if allowed:
            response = HttpResponse.error(405, f"Method {request.method} not allowed here.")
            response.headers.append(("Allow", ", ".join(sorted(set(allowed)))))
            return response
        return HttpResponse.error(404, f"Invalid URL ({request.method} {request.path})")
