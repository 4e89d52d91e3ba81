"""What every Python scenario shares: running its steps one after another, and its command line.

A scenario runs in its framework's environment, where realtime-bus is not installed, with this
directory on ``sys.path``: this module needs the standard library only.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

Step = Callable[[], Awaitable[object]]


async def run_steps(steps: Mapping[str, Step], errors: list[str] | None = None) -> dict[str, str]:
    """Run ``steps`` in order; each one's result, ``"ok"`` or ``"FAIL: ..."``.

    A step fails when it raises, or, given ``errors`` (where the framework's error events are
    collected), when errors were added while it ran.
    """
    results: dict[str, str] = {}
    for name, step in steps.items():
        before = len(errors) if errors is not None else 0
        try:
            await step()
        except Exception as exc:
            results[name] = f"FAIL: {type(exc).__name__}: {exc}"
            continue
        reported = errors[before:] if errors is not None else []
        results[name] = f"FAIL: {reported}" if reported else "ok"
    return results


def main(
    framework: str,
    run: Callable[[str, Any], Awaitable[dict[str, str]]],
    speech: Callable[[Path], Any] = Path.read_bytes,
) -> int:
    """``python SCENARIO URL SPEECH``: ``run(URL, speech(Path(SPEECH)))``, its results printed as
    one JSON line; exit status 0 when every step passed."""
    url, path = sys.argv[1], Path(sys.argv[2])
    results = asyncio.run(run(url, speech(path)))
    print(json.dumps({"framework": framework, "results": results}))
    return 0 if all(v == "ok" for v in results.values()) else 1
