"""The app started twice on one data folder: the second start opens nothing, brings the
first forward and exits 0; the first carries on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from observer.services import open_services
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE
from ui.single_instance import LOCK_FILE

pytestmark = pytest.mark.e2e

MAIN = Path(__file__).resolve().parents[2] / "main.py"
CAME_FORWARD = "asked this one to come forward"


def app_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OBSERVER_PASSPHRASE": STORE_PASSPHRASE}


def until(done: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Waits for the other process, looking every 50 ms."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.05)


def log_text(data_dir: Path) -> str:
    log = data_dir / "logs" / "observer.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def test_a_second_start_brings_the_first_forward_and_exits_zero(
    data_dir: Path, tmp_path: Path
) -> None:
    services = open_services(data_dir, STORE_PASSPHRASE)
    services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire Council")
    services.close()
    with (tmp_path / "first.err").open("w") as errors:
        first = subprocess.Popen(
            [sys.executable, str(MAIN), "--data-dir", str(data_dir)],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=app_env(),
        )
    try:
        until(lambda: (data_dir / LOCK_FILE).exists() or first.poll() is not None, "it starts")
        assert first.poll() is None, (tmp_path / "first.err").read_text()

        second = subprocess.run(
            [sys.executable, str(MAIN), "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            env=app_env(),
            timeout=60,
            check=False,
        )

        assert second.returncode == 0, second.stderr
        assert "Traceback" not in second.stderr
        until(lambda: CAME_FORWARD in log_text(data_dir), "the first is told")
        assert first.poll() is None, "the first app is still running"
        assert log_text(data_dir).count(CAME_FORWARD) == 1
    finally:
        first.kill()
        first.wait(timeout=30)
