"""pipecat (``pipecat-ai[openai]``): ``OpenAIRealtimeLLMService`` against ``realtime-bus serve``.

Installs it in ``interop/.venvs/pipecat`` and runs ``pipecat_scenario.py`` there: the service in
a pipeline with pipecat's context aggregators and no transport. Exit status 0 when every step
passed.
"""

from __future__ import annotations

from pathlib import Path

import _harness

REQUIREMENTS = ["pipecat-ai[openai]>=1.14,<2"]


def _command(python: Path, url: str, work: Path, speech: dict[str, Path]) -> list[str]:
    return [str(python), str(_harness.HERE / "pipecat_scenario.py"), url, str(work)]


def main() -> int:
    return _harness.run_python_framework(
        __doc__ or "",
        "pipecat",
        REQUIREMENTS,
        distribution="pipecat-ai",
        framework="pipecat",
        command=_command,
    )


if __name__ == "__main__":
    raise SystemExit(main())
