"""Base classes shared by every event struct.

Events are tagged by their ``type`` field: msgspec decodes a whole union of them in one pass.
Every class also exposes its wire name as the class attribute ``type``, so ``event.type`` and
``ResponseDone.type`` both read ``"response.done"``.
"""

from __future__ import annotations

import inspect
import threading
import types
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import msgspec
from msgspec import UNSET, UnsetType

from ._audio import base64_from_pcm

__all__ = ["ClientEvent", "Model", "ServerEvent"]

_guard = threading.local()


def validate_struct(obj: msgspec.Struct) -> None:
    """Check every field of ``obj`` against its annotation, recursively.

    msgspec checks types when decoding but not when a struct is built in code, so a client event
    built with a wrong field type would otherwise only fail on the server. Round-tripping through
    builtins re-validates all fields and names the offending one (``at `$.audio```). Strings are
    not copied, so this stays cheap even for audio appends. Bytes are kept as bytes, so raw PCM
    given for a base64 field fails here instead of being held (and shown in reprs) as is.
    """
    if getattr(_guard, "active", False):
        return
    _guard.active = True
    try:
        builtins = msgspec.to_builtins(obj, builtin_types=(bytes, bytearray, memoryview))
        msgspec.convert(builtins, type(obj))
    except msgspec.ValidationError as exc:
        raise msgspec.ValidationError(f"{type(obj).__name__}: {exc}") from None
    finally:
        _guard.active = False


def _field_repr(obj: Any, name: str, value: Any) -> str:
    if name in obj._secret_fields:
        return "<redacted>"
    if name in obj._audio_fields and isinstance(value, str) and len(value) > 32:
        return f"<base64 {len(value)} chars>"
    return repr(value)


def struct_repr(obj: Any) -> str:
    """A repr that leaves out unset fields, summarises audio and hides secrets."""
    fields = ", ".join(
        f"{name}={_field_repr(obj, name, value)}"
        for name in obj.__struct_fields__
        if (value := getattr(obj, name)) is not msgspec.UNSET
    )
    return f"{type(obj).__name__}({fields})"


_NOT_IN_REPR = frozenset({"received"})


def _server_repr(obj: Any) -> str:
    fields = ", ".join(
        f"{name}={_field_repr(obj, name, value)}"
        for name in obj.__struct_fields__
        if name not in _NOT_IN_REPR and (value := getattr(obj, name)) is not msgspec.UNSET
    )
    return f"{type(obj).__name__}({fields})"


class Model(msgspec.Struct, kw_only=True):
    """A nested protocol object (session configuration, item, content part, ...).

    Optional fields default to ``msgspec.UNSET``: they are left off the wire unless set, and
    ``None`` is sent only when it is set explicitly (``turn_detection=None`` turns VAD off).
    """

    _audio_fields: ClassVar[frozenset[str]] = frozenset({"audio"})
    _secret_fields: ClassVar[frozenset[str]] = frozenset()
    __repr__ = struct_repr


class ServerEvent(msgspec.Struct, tag_field="type", kw_only=True, frozen=True, gc=False):
    """Base class of every event the server sends.

    ``type`` is the wire name (a class attribute; the tag msgspec decodes on).

    ``received`` is when a bus's reader received the frame (``time.monotonic()`` seconds,
    stamped once per frame); it is unset on events that did not come through a bus. It is not
    a protocol field: :func:`encode_server` leaves it out, and it is not shown in reprs (but
    ``msgspec.to_builtins`` or ``msgspec.json.encode`` of a stamped event include it).
    """

    type: ClassVar[str]
    _audio_fields: ClassVar[frozenset[str]] = frozenset()
    _secret_fields: ClassVar[frozenset[str]] = frozenset()
    event_id: str = ""
    received: float | msgspec.UnsetType = msgspec.UNSET
    __repr__ = _server_repr


class ClientEvent(msgspec.Struct, tag_field="type", kw_only=True):
    """Base class of every event the client sends.

    Fields are validated when the event is built, so a wrong type fails in the caller with an
    error naming the field, not later on the wire. ``event_id`` is filled in by the bus when left
    unset, so that a server ``error`` can be matched to the event that caused it.
    """

    type: ClassVar[str]
    _audio_fields: ClassVar[frozenset[str]] = frozenset({"audio"})
    _secret_fields: ClassVar[frozenset[str]] = frozenset()
    # ``null`` is valid on the wire (the server side must read it); it means "no id".
    event_id: str | msgspec.UnsetType | None = msgspec.UNSET
    __repr__ = struct_repr

    def __post_init__(self) -> None:
        validate_struct(self)


class _AudioEvent(ClientEvent):
    """A client event whose one field is base64 audio (``audio``): an append, a fixture.

    Build one from PCM bytes with :meth:`from_pcm`.
    """

    audio: str

    def __post_init__(self) -> None:
        # The hot path of every voice agent: check the two fields directly rather than
        # round-tripping the struct (same errors, a fraction of the cost).
        if type(self.audio) is not str or not (
            self.event_id is UNSET or self.event_id is None or type(self.event_id) is str
        ):
            validate_struct(self)

    @classmethod
    def from_pcm(cls, pcm: bytes, *, event_id: str | UnsetType = UNSET) -> Self:
        """The event carrying ``pcm``: raw audio bytes in the session's format (base64 on the
        wire)."""
        return cls(audio=base64_from_pcm(pcm), event_id=event_id)


def install_type_names(classes: Any) -> None:
    """Give each tagged event class its wire name as the class attribute ``type``."""
    for cls in classes:
        tag = cls.__struct_config__.tag
        if not isinstance(tag, str):  # pragma: no cover - a definition error
            raise TypeError(f"{cls.__name__} has no string tag")
        cls.type = tag


def defined_names(namespace: Mapping[str, Any]) -> list[str]:
    """The public names a module defines itself, for its ``__all__``.

    Its classes and functions (not the ones it imports) and its annotated module-level names
    (type aliases such as the event unions, tables such as ``SERVER_EVENT_CLASSES``). A type
    checker reading a module that declares no ``__all__`` sees the same names, so an event
    module writes ``__all__ = defined_names(globals())`` behind ``if not TYPE_CHECKING:`` and
    names each event once: its class, and its place in the union.
    """
    module = namespace["__name__"]
    annotated = namespace.get("__annotations__", {})
    names = []
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        defined_here = (inspect.isclass(value) or inspect.isfunction(value)) and (
            value.__module__ == module
        )
        if defined_here or name in annotated:
            names.append(name)
    return sorted(names)


def package_names(namespace: Mapping[str, Any], *extra: str) -> list[str]:
    """A package's ``__all__``: the names of the private modules it star-imports, and ``extra``.

    Importing a submodule binds it in its package, so the package's ``_modules`` are its
    star-imported ones; a package writes ``__all__ = package_names(globals())`` behind
    ``if not TYPE_CHECKING:`` (type checkers take the star-imported names themselves).
    """
    package = namespace["__name__"]
    names = set(extra)
    for name, value in namespace.items():
        if (
            name.startswith("_")
            and isinstance(value, types.ModuleType)
            and value.__name__.startswith(f"{package}._")
        ):
            names.update(value.__all__)
    return sorted(names)


def reexported_names(namespace: Mapping[str, Any], *extra: str) -> list[str]:
    """A package's ``__all__`` when it re-exports a selection (``from ._x import A as A``): the
    public names bound in it, modules left out, and ``extra`` (names it binds only on first use).

    The package writes ``__all__ = reexported_names(globals())`` behind ``if not TYPE_CHECKING:``
    (type checkers take the ``A as A`` imports as re-exports themselves).
    """
    names = set(extra)
    for name, value in namespace.items():
        if not name.startswith("_") and not isinstance(value, types.ModuleType):
            names.add(name)
    return sorted(names)
