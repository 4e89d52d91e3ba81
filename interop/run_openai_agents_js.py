"""The JavaScript Agents SDK (``@openai/agents-realtime``, in Node) against ``realtime-bus serve``.

Installs the package with npm in ``interop/.venvs/agents-js`` and runs ``agents_js/scenario.mjs``
there with the same scenario as the other frameworks. Needs ``node`` and ``npm`` on PATH. Exit
status 0 when every step passed.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import _harness

SOURCE = _harness.HERE / "agents_js"


def _install(fresh: bool) -> str:
    target = _harness.VENVS / "agents-js"
    if fresh and target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "scenario.mjs"):
        shutil.copy(SOURCE / name, target / name)
    package = target / "node_modules" / "@openai" / "agents-realtime" / "package.json"
    if not package.exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=target, check=True
        )
    return str(json.loads(package.read_text())["version"])


def main() -> int:
    args = _harness.arguments(__doc__ or "")
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("node and npm are needed for the JavaScript Agents SDK")
        return 1
    version = _install(args.fresh)
    target = _harness.VENVS / "agents-js"
    with _harness.workdir() as work, _harness.simulator(args.url) as url:
        speech = _harness.speech_files(work)
        command = ["node", str(target / "scenario.mjs"), url, str(speech["question"])]
        return _harness.run_scenario("@openai/agents-realtime (Node)", version, command)


if __name__ == "__main__":
    raise SystemExit(main())
