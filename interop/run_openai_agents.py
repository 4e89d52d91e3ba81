"""The Python Agents SDK (``openai-agents``) against ``realtime-bus serve``.

Installs the SDK in ``interop/.venvs/openai-agents`` and runs ``openai_agents_scenario.py``
there: a text turn, a tool call, an audio turn with server VAD, an interrupt and a new turn.
Exit status 0 when every step passed.
"""

from __future__ import annotations

import _harness

REQUIREMENTS = ["openai-agents>=0.24,<0.25"]


def main() -> int:
    args = _harness.arguments(__doc__ or "")
    python = _harness.python_venv("openai-agents", REQUIREMENTS, fresh=args.fresh)
    version = _harness.installed_version(python, "openai-agents")
    with _harness.workdir() as work, _harness.simulator(args.url) as url:
        speech = _harness.speech_files(work)
        scenario = _harness.HERE / "openai_agents_scenario.py"
        command = [str(python), str(scenario), url, str(speech["question"])]
        return _harness.run_scenario("openai-agents (Python)", version, command)


if __name__ == "__main__":
    raise SystemExit(main())
