"""LiveKit's OpenAI plugin (``livekit-agents[openai]``) against ``realtime-bus serve``.

Installs it in ``interop/.venvs/livekit`` and runs ``livekit_scenario.py`` there with a
``RealtimeModel`` session of its own (no LiveKit room or server). Exit status 0 when every step
passed.
"""

from __future__ import annotations

import _harness

REQUIREMENTS = ["livekit-agents[openai]>=1.8,<2"]


def main() -> int:
    args = _harness.arguments(__doc__ or "")
    python = _harness.python_venv("livekit", REQUIREMENTS, fresh=args.fresh)
    version = _harness.installed_version(python, "livekit-plugins-openai")
    with _harness.workdir() as work, _harness.simulator(args.url) as url:
        speech = _harness.speech_files(work)
        # LiveKit takes the REST base URL and derives the WebSocket one from it.
        base_url = url.replace("ws://", "http://", 1).removesuffix("/realtime")
        scenario = _harness.HERE / "livekit_scenario.py"
        command = [str(python), str(scenario), base_url, str(speech["question"])]
        return _harness.run_scenario("livekit-plugins-openai", version, command)


if __name__ == "__main__":
    raise SystemExit(main())
