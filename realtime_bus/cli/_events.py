"""Printing events in a terminal: one readable line each, audio summarised, or JSON Lines.

The terminal library is rich (the ``cli`` extra): colour when the output is a terminal, plain
text when it is piped, and progress bars that share the screen with the lines printed under
them. Without rich the same lines are printed plain and progress is one line at the end.
"""

from __future__ import annotations

import argparse
import binascii
import fnmatch
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TextIO

__all__ = ["EventPrinter", "Progress", "add_printing_arguments", "matches", "progress", "summary"]

# The fields that matter, per event type (dotted paths into the event); others get a default.
_FIELDS: dict[str, tuple[str, ...]] = {
    "session.created": ("session.id", "session.model"),
    "session.updated": ("session.output_modalities", "session.audio.output.voice"),
    "error": ("error.code", "error.message", "error.event_id"),
    "conversation.item.added": ("item.id", "item.type", "item.role"),
    "conversation.item.done": ("item.id", "item.type", "item.status"),
    "conversation.item.truncated": ("item_id", "audio_end_ms"),
    "conversation.item.input_audio_transcription.completed": ("item_id", "transcript"),
    "conversation.item.input_audio_transcription.delta": ("delta",),
    "input_audio_buffer.speech_started": ("audio_start_ms", "item_id"),
    "input_audio_buffer.speech_stopped": ("audio_end_ms", "item_id"),
    "input_audio_buffer.committed": ("item_id",),
    "response.created": ("response.id",),
    "response.done": (
        "response.id",
        "response.status",
        "response.status_details.reason",
        "response.usage.total_tokens",
    ),
    "response.output_text.delta": ("delta",),
    "response.output_text.done": ("text",),
    "response.output_audio_transcript.delta": ("delta",),
    "response.output_audio_transcript.done": ("transcript",),
    "response.function_call_arguments.delta": ("delta",),
    "response.function_call_arguments.done": ("name", "call_id", "arguments"),
    "rate_limits.updated": ("rate_limits",),
}
_AUDIO_FIELDS = {"response.output_audio.delta": "delta", "input_audio_buffer.append": "audio"}
_SKIP = frozenset({"type", "event_id", "response_id", "output_index", "content_index"})
_MAX = 120


def add_printing_arguments(parser: argparse.ArgumentParser, *, each: str, example: str) -> None:
    """``--filter GLOB`` (repeatable) and ``--json``: which events are printed, and how."""
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="GLOB",
        help=f"print only events whose type matches GLOB{example} (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help=f"print each {each} as JSON Lines")


def matches(event_type: str, patterns: Sequence[str]) -> bool:
    """Whether ``event_type`` matches one of the glob ``patterns`` (all match when none)."""
    return not patterns or any(fnmatch.fnmatchcase(event_type, p) for p in patterns)


def _get(event: dict[str, Any], path: str) -> Any:
    value: Any = event
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", "\\n")
    if isinstance(value, str):
        text = repr(text) if len(text) <= _MAX else repr(text[:_MAX]) + "..."
    return text if len(text) <= _MAX + 5 else text[:_MAX] + "..."


def _audio(b64: str) -> str:
    try:
        size = len(binascii.a2b_base64(b64))
    except (binascii.Error, ValueError):
        size = 0
    return f"<audio {size} bytes, {size / 48:.0f} ms>"


def summary(event: dict[str, Any]) -> str:
    """The fields that matter of ``event``, as ``name=value`` pairs (audio summarised)."""
    kind = str(event.get("type", "?"))
    parts: list[str] = []
    audio_field = _AUDIO_FIELDS.get(kind)
    if audio_field is not None:
        parts.append(_audio(str(event.get(audio_field) or "")))
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = tuple(
            k for k, v in event.items() if k not in _SKIP and k != audio_field and v is not None
        )[:4]
    for path in fields:
        value = _get(event, path)
        if value is not None:
            parts.append(f"{path.rsplit('.', 1)[-1]}={_short(value)}")
    return " ".join(parts)


class EventPrinter:
    """Prints events: ``line`` for a readable line, ``json`` for the frame as it was."""

    def __init__(self, stream: TextIO | None = None, *, as_json: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.as_json = as_json
        self.count = 0
        self._console: Any = None
        if not as_json:
            try:
                from rich.console import Console
            except ImportError:  # pragma: no cover - the cli extra is not installed
                pass
            else:
                self._console = Console(file=self.stream, highlight=False, soft_wrap=True)

    def event(self, t: float, direction: str, event: dict[str, Any], raw: bytes) -> None:
        """Print one event that arrived (``in``) or was sent (``out``) ``t`` seconds in."""
        self.count += 1
        if self.as_json:
            self.stream.write(raw.decode("utf-8", "replace") + "\n")
            self.stream.flush()
            return
        arrow = "<-" if direction == "in" else "->"
        kind = str(event.get("type", "?"))
        rest = summary(event)
        if self._console is not None:
            from rich.markup import escape

            colour = "red" if kind == "error" else ("cyan" if direction == "in" else "magenta")
            self._console.print(
                f"[dim]{t:8.3f}s[/dim] {arrow} [bold {colour}]{escape(kind)}[/] {escape(rest)}"
            )
        else:
            self.stream.write(f"{t:8.3f}s {arrow} {kind} {rest}\n")
            self.stream.flush()

    def note(self, text: str) -> None:
        """A line about the session itself (connected, closed), not an event."""
        if self.as_json:
            return
        if self._console is not None:
            from rich.markup import escape

            self._console.print(f"[yellow]-- {escape(text)}[/yellow]")
        else:
            self.stream.write(f"-- {text}\n")
            self.stream.flush()


class Progress(Protocol):
    """Advances a progress display."""

    def __call__(self, advance: float = 1, *, description: str | None = None) -> None: ...


@contextmanager
def progress(total: float, description: str, *, stream: TextIO | None = None) -> Iterator[Progress]:
    """A progress bar on ``stream`` (stderr) while the block runs, when it is a terminal;
    elsewhere one line when the block ends."""
    out = stream or sys.stderr
    done = [0.0]
    bar: Any = None
    if out.isatty():
        try:
            from rich.progress import Progress as RichProgress
        except ImportError:  # pragma: no cover - the cli extra is not installed
            pass
        else:
            from rich.console import Console

            bar = RichProgress(console=Console(file=out), transient=True)
    if bar is None:

        def step(advance: float = 1, *, description: str | None = None) -> None:
            done[0] += advance

        yield step
        out.write(f"{description}: {done[0]:.0f} of {total:.0f} done\n")
        return
    with bar:
        task = bar.add_task(description, total=total)

        def advance_bar(advance: float = 1, *, description: str | None = None) -> None:
            done[0] += advance
            bar.update(task, advance=advance, description=description)

        yield advance_bar
