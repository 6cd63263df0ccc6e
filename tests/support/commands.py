"""The `observer` command run in this process, with the results a process would give."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.support.cli import run_cli
from tests.support.passphrase import STORE_PASSPHRASE

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "frameworks"


def observer(
    data_dir: Path | None, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`observer [--data-dir DIR] ARGS` with the store's passphrase and, unless `env` says
    otherwise, no OBSERVER_DATA_DIR."""
    argv = [] if data_dir is None else ["--data-dir", str(data_dir)]
    argv += args
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "OBSERVER_DATA_DIR"}
    # Module-scoped stores are made before the per-test environment is set.
    env = {"OBSERVER_PASSPHRASE": STORE_PASSPHRASE, **env}
    return run_cli(argv, env, cwd).completed(["observer", *argv])


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The command failed as the CLI promises: exit 2, one line on stderr, no traceback."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("observer")
    return lines[0]


def listing(data_dir: Path, *args: str) -> list[dict[str, Any]]:
    done = observer(data_dir, "list", "--json", *args)
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows
