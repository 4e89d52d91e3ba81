"""The report renders in a real headless browser (Debian's chromium): no script error, the
timeline and the tables are there, and the screenshot is not blank.

In CI (``CI=true``) this test runs, never skips: a missing browser fails it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from realtime_bus.cli import main
from tests.recording.test_record_replay import record_session

from ._png import pixels

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def _browse(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="rb-chromium-") as profile:
        return subprocess.run(
            [_chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )


async def test_the_report_renders_in_a_headless_browser(tmp_path: Path) -> None:
    _chromium()
    recording = tmp_path / "session.jsonl"
    await record_session(recording)
    page = tmp_path / "report.html"
    assert main(["report", str(recording), "-o", str(page)]) == 0
    _check(page, tmp_path)


def _check(page: Path, tmp_path: Path) -> None:
    dom = _browse(page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    status = re.search(r'<p id="status">(.*?)</p>', dom.stdout)
    assert status is not None, dom.stdout[-2000:]
    assert status.group(1).startswith("ready: 4 turns"), status.group(1)  # the script ran, no error
    assert 'data-ready="true"' in dom.stdout
    assert '<svg id="timeline"' in dom.stdout
    assert "<polygon" in dom.stdout  # the waveforms
    assert len(re.findall(r'<tr data-response="', dom.stdout)) == 4
    assert 'id="latency"' in dom.stdout

    shot = tmp_path / "shot.png"
    done = _browse(page, f"--screenshot={shot}", "--window-size=1280,900")
    assert done.returncode == 0, done.stderr[-2000:]
    width, height, rows = pixels(shot.read_bytes(), max_rows=450)  # the top: cards, timeline
    assert (width, height) == (1280, 900)
    background = rows[0][:3]
    step = len(rows[0]) // width
    drawn = sum(
        1 for row in rows[::9] for x in range(0, len(row), step * 9) if row[x : x + 3] != background
    )
    sampled = (len(rows) // 9 + 1) * (width // 9 + 1)
    colours = {row[x : x + 3] for row in rows[::9] for x in range(0, len(row), step * 9)}
    assert drawn > sampled * 0.03, "the screenshot is (nearly) blank"
    assert len(colours) > 20, "the screenshot has almost no colours"
