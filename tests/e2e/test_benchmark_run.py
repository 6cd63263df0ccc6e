"""The benchmark command end to end, on a store small enough for the suite: it makes the
store, takes every figure with its floor, prints the table and writes the page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"
EVERY_FIGURE = (
    "Cold start to the first window",
    "Cold start to the main window with its data",
    "Full-text search, 95th percentile",
    "Autosave of one edit, 95th percentile",
    "Export and sign one summary",
    "Worker page",
    "Team overview",
    "Longest GUI-thread stall during a batch export",
    "Longest GUI-thread stall during searches",
    "Peak memory of the GUI",
    "Store size per 1,000 observations",
)
ROW = re.compile(r"^\| (?P<what>[^|]+) \| (?P<figure>[\d,.]+ (?:s|ms|MB)) \|")


def test_one_command_takes_every_figure_and_writes_the_page(tmp_path: Path) -> None:
    store, page = tmp_path / "store", tmp_path / "performance.md"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [
            *(sys.executable, str(RUN), "--store", str(store), "--output", str(page)),
            *("--workers", "6", "--observations", "60", "--busy", "12", "--runs", "1"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    # 1 says a target was missed: a busy test machine may miss one; the table is the point.
    assert done.returncode in (0, 1), done.stderr
    rows = [m for line in done.stdout.splitlines() if (m := ROW.match(line))]
    named = [row["what"] for row in rows]
    for figure in EVERY_FIGURE:
        assert any(what.startswith(figure) for what in named), f"no row for {figure}"
    written = page.read_text(encoding="utf-8")
    assert written.startswith("# Performance")
    assert all(row.group(0) in written for row in rows)
    assert "60 fictional observations" in written
