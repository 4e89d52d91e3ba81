"""pipecat (``pipecat-ai[openai]``): ``OpenAIRealtimeLLMService`` against ``realtime-bus serve``.

Installs it in ``interop/.venvs/pipecat`` and runs ``pipecat_scenario.py`` there: the service in
a pipeline with pipecat's context aggregators and no transport. Exit status 0 when every step
passed.
"""

from __future__ import annotations

import _harness

REQUIREMENTS = ["pipecat-ai[openai]>=1.14,<2"]


def main() -> int:
    args = _harness.arguments(__doc__ or "")
    python = _harness.python_venv("pipecat", REQUIREMENTS, fresh=args.fresh)
    version = _harness.installed_version(python, "pipecat-ai")
    with _harness.workdir() as work, _harness.simulator(args.url) as url:
        _harness.speech_files(work)
        scenario = _harness.HERE / "pipecat_scenario.py"
        return _harness.run_scenario(
            "pipecat", version, [str(python), str(scenario), url, str(work)]
        )


if __name__ == "__main__":
    raise SystemExit(main())
