"""What the app imports first: with the passphrase given, the store's modules before Qt's
(whose import hook slows every import after it); with none, nothing of the store before the
unlock window can show."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.passphrase import STORE_PASSPHRASE

pytestmark = pytest.mark.e2e

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def imported(arguments: list[str], env: dict[str, str]) -> list[str]:
    """The modules the start imported, in order."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(MAIN), *arguments],
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return [line.split("|")[-1].strip() for line in lines]


def test_with_the_passphrase_given_sqlalchemy_is_imported_before_qt(tmp_path: Path) -> None:
    env = {**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "settings")
    arguments = ["--data-dir", str(tmp_path / "data"), "--quit-after-startup"]

    modules = imported(arguments, env)

    assert modules.index("sqlalchemy") < modules.index("PySide6")


def test_without_a_passphrase_nothing_of_the_store_comes_before_the_window() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OBSERVER_PASSPHRASE"}

    modules = imported(["--help"], env)

    assert "PySide6" in modules
    assert "sqlalchemy" not in modules
