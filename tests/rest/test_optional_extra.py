"""The REST side is optional: the package and the simulator work without its dependencies."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Make the extra's packages unimportable, as in an environment without it.
_BLOCK = textwrap.dedent(
    """
    import sys
    for name in ("httpx2", "standardwebhooks"):
        sys.modules[name] = None
    """
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _BLOCK + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_package_and_the_simulator_need_no_rest_dependencies() -> None:
    result = _run(
        """
        import asyncio
        import realtime_bus
        from realtime_bus.testing import Simulator

        async def main():
            async with Simulator() as sim:
                assert len(sim.http_routes) > 0  # the REST endpoints are served all the same

        asyncio.run(main())
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_the_rest_package_says_which_extra_is_missing() -> None:
    result = _run("import realtime_bus.rest")
    assert result.returncode != 0
    assert "pip install 'realtime-bus[rest]'" in result.stderr
