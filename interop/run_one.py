"""Run one framework's interop scenario against ``realtime-bus serve``.

    python interop/run_one.py openai-agents   # the Python Agents SDK (openai-agents)
    python interop/run_one.py agents-js       # the JavaScript Agents SDK (needs node and npm)
    python interop/run_one.py pipecat         # pipecat-ai[openai]
    python interop/run_one.py livekit         # livekit-agents[openai]

Each Python framework is installed in ``interop/.venvs/NAME`` and runs ``NAME_scenario.py``
there (``-`` spelt ``_``): the Agents SDK a ``RealtimeSession``, pipecat its
``OpenAIRealtimeLLMService`` in a pipeline with its context aggregators and no transport, LiveKit
a ``RealtimeModel`` session of its own (no room or server). The JavaScript SDK is installed with
npm in ``interop/.venvs/agents-js`` and runs ``agents_js/scenario.mjs``. Every scenario is the
same: a text turn, a tool call, an audio turn with server VAD, an interrupt and a new turn. It
prints one JSON line of results; the exit status is 0 when every step passed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

import _harness


def _livekit_arguments(url: str, work: Path, speech: dict[str, Path]) -> list[str]:
    # LiveKit takes the REST base URL and derives the WebSocket one from it.
    base_url = url.replace("ws://", "http://", 1).removesuffix("/realtime")
    return [base_url, str(speech["question"])]


class _AgentsJs:
    """The JavaScript Agents SDK (``@openai/agents-realtime``), in Node."""

    title = "@openai/agents-realtime (Node)"

    def run(self, name: str, args: argparse.Namespace) -> int:
        if shutil.which("node") is None or shutil.which("npm") is None:
            print("node and npm are needed for the JavaScript Agents SDK")
            return 1
        target = _harness.VENVS / name
        version = self._install(target, args.fresh)
        with _harness.workdir() as work, _harness.simulator(args.url) as url:
            speech = _harness.speech_files(work)
            command = ["node", str(target / "scenario.mjs"), url, str(speech["question"])]
            return _harness.run_scenario(self.title, version, command)

    @staticmethod
    def _install(target: Path, fresh: bool) -> str:
        if fresh and target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "scenario.mjs"):
            shutil.copy(_harness.HERE / "agents_js" / name, target / name)
        package = target / "node_modules" / "@openai" / "agents-realtime" / "package.json"
        if not package.exists():
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=target, check=True
            )
        return str(json.loads(package.read_text())["version"])


FRAMEWORKS: dict[str, _harness.PythonFramework | _AgentsJs] = {
    "openai-agents": _harness.PythonFramework(
        title="openai-agents (Python)",
        requirements=["openai-agents>=0.24,<0.25"],
        distribution="openai-agents",
        arguments=lambda url, work, speech: [url, str(speech["question"])],
    ),
    "agents-js": _AgentsJs(),
    "pipecat": _harness.PythonFramework(
        title="pipecat",
        requirements=["pipecat-ai[openai]>=1.14,<2"],
        distribution="pipecat-ai",
        arguments=lambda url, work, speech: [url, str(work)],
    ),
    "livekit": _harness.PythonFramework(
        title="livekit-plugins-openai",
        requirements=["livekit-agents[openai]>=1.8,<2"],
        distribution="livekit-plugins-openai",
        arguments=_livekit_arguments,
    ),
}
"""Every framework, by the name ``run_one.py`` takes, in the order ``run_all.py`` runs them."""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("name", choices=FRAMEWORKS, help="the framework to run")
    parser.add_argument("--fresh", action="store_true", help="rebuild the framework's venv")
    parser.add_argument(
        "--url",
        help="use this running simulator (ws://HOST:PORT/v1/realtime) instead of starting one",
    )
    args = parser.parse_args()
    return FRAMEWORKS[args.name].run(args.name, args)


if __name__ == "__main__":
    raise SystemExit(main())
