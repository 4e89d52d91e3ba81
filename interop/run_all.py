"""Run every framework's interop scenario against ``realtime-bus serve`` and print the table.

    python interop/run_all.py            # with the project's environment (realtime-bus installed)
    python interop/run_all.py --fresh    # rebuild every framework's environment first

Each framework runs in its own virtual environment (or npm prefix) under ``interop/.venvs/``,
against its own ``realtime-bus serve`` at real-time pacing. Exit status 0 when every framework
passed every step.
"""

from __future__ import annotations

import json
import subprocess
import sys

import _harness
from run_one import FRAMEWORKS


def main() -> int:
    extra = sys.argv[1:]
    rows: list[dict[str, object]] = []
    failed = False
    for name, framework in FRAMEWORKS.items():
        print(f"== {framework.title}", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, str(_harness.HERE / "run_one.py"), name, *extra],
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stderr.write(done.stderr[-2000:])
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if lines:
            rows.append(json.loads(lines[-1]))
        else:
            note = done.stdout.strip() or f"exit {done.returncode}"
            results = dict.fromkeys(_harness.STEPS, f"FAIL: {note}")
            rows.append({"framework": framework.title, "version": "?", "results": results})
        failed = failed or done.returncode != 0
    print("| framework | version | " + " | ".join(_harness.STEPS) + " |")
    print("|---|---|" + "---|" * len(_harness.STEPS))
    for row in rows:
        results = row["results"]
        assert isinstance(results, dict)
        cells = [str(results.get(step, "?")) for step in _harness.STEPS]
        print(f"| {row['framework']} | {row['version']} | " + " | ".join(cells) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
