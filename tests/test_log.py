"""The library's logging: silent unless the application configures logging."""

from __future__ import annotations

import subprocess
import sys

_WARN = (
    "import realtime_bus\n"
    "from realtime_bus._log import get_logger\n"
    "get_logger('realtime_bus.bus').warning('reconnecting', attempt=1)\n"
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_warning_prints_nothing_when_the_application_configured_no_logging() -> None:
    result = _run(_WARN)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == ""


def test_a_warning_reaches_the_handlers_the_application_configured() -> None:
    result = _run("import logging\nlogging.basicConfig(level=logging.INFO)\n" + _WARN)
    assert result.returncode == 0, result.stderr
    assert "reconnecting" in result.stderr
    assert "attempt=1" in result.stderr


def test_the_package_root_logger_has_only_a_null_handler() -> None:
    import logging

    import realtime_bus  # noqa: F401

    handlers = logging.getLogger("realtime_bus").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)
    assert all(isinstance(h, logging.NullHandler) for h in handlers)
