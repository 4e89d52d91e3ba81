"""The Python Agents SDK (``openai-agents``) against ``realtime-bus serve``.

Installs the SDK in ``interop/.venvs/openai-agents`` and runs ``openai_agents_scenario.py``
there: a text turn, a tool call, an audio turn with server VAD, an interrupt and a new turn.
Exit status 0 when every step passed.
"""

from __future__ import annotations

from pathlib import Path

import _harness

REQUIREMENTS = ["openai-agents>=0.24,<0.25"]


def _command(python: Path, url: str, work: Path, speech: dict[str, Path]) -> list[str]:
    scenario = _harness.HERE / "openai_agents_scenario.py"
    return [str(python), str(scenario), url, str(speech["question"])]


def main() -> int:
    return _harness.run_python_framework(
        __doc__ or "",
        "openai-agents",
        REQUIREMENTS,
        distribution="openai-agents",
        framework="openai-agents (Python)",
        command=_command,
    )


if __name__ == "__main__":
    raise SystemExit(main())
