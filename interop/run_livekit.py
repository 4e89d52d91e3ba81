"""LiveKit's OpenAI plugin (``livekit-agents[openai]``) against ``realtime-bus serve``.

Installs it in ``interop/.venvs/livekit`` and runs ``livekit_scenario.py`` there with a
``RealtimeModel`` session of its own (no LiveKit room or server). Exit status 0 when every step
passed.
"""

from __future__ import annotations

from pathlib import Path

import _harness

REQUIREMENTS = ["livekit-agents[openai]>=1.8,<2"]


def _command(python: Path, url: str, work: Path, speech: dict[str, Path]) -> list[str]:
    # LiveKit takes the REST base URL and derives the WebSocket one from it.
    base_url = url.replace("ws://", "http://", 1).removesuffix("/realtime")
    scenario = _harness.HERE / "livekit_scenario.py"
    return [str(python), str(scenario), base_url, str(speech["question"])]


def main() -> int:
    return _harness.run_python_framework(
        __doc__ or "",
        "livekit",
        REQUIREMENTS,
        distribution="livekit-plugins-openai",
        framework="livekit-plugins-openai",
        command=_command,
    )


if __name__ == "__main__":
    raise SystemExit(main())
