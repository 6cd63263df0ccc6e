"""The `observer` command as a real process, once per command module: the entry point,
exit codes and output streams as a script sees them. Everything else about the commands
is tested in-process, in tests/cli/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from observer.cli.commands import COMMANDS
from tests.support.passphrase import STORE_PASSPHRASE

pytestmark = pytest.mark.e2e

HEAVY = ("sqlalchemy", "PySide6", "reportlab", "pyhanko", "cryptography", "observer.services")


def observer(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVER_")}
    return subprocess.run(
        [sys.executable, "-m", "observer", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**env, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("smoke") / "data"
    done = observer(data_dir, "demo", "--workers", "3", "--observations", "6", "--seed", "5")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.startswith("Added ")
    return data_dir


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (("list", "--json"), 0, "["),
        (("frameworks", "list"), 0, "kss-"),
        (("lock-after",), 0, "The app locks itself after 10 minutes without use."),
        (("people", "merge", "Nobody Here", "Nobody Else"), 2, ""),
        (("retention", "show"), 0, ""),
        (("team",), 0, "Observations counted from "),
        (("search", "visit"), 0, ""),
        (("audit", "verify"), 0, ""),
        (("conflicts",), 0, "No open conflicts."),
        (("backups",), 0, ""),
        (("verify", "missing.pdf"), 2, ""),
        (("history", "Nobody Here", "-o", "x.pdf"), 2, ""),
        (("passphrase", "change"), 2, ""),
        (("certificates", "trust", "missing.pem"), 2, ""),
        (("sync", "status"), 0, "This laptop has not joined a team server"),
        (("sync",), 2, ""),
        (("themes", "show"), 0, ""),
        (("moderation", "results"), 0, ""),
        (("service-report", "--from", "2026-07-01", "--to", "2026-06-30", "-o", "x.pdf"), 2, ""),
    ],
    ids=lambda v: v[0] if isinstance(v, tuple) else None,
)
def test_each_command_module_runs_as_a_process(
    store: Path, args: tuple[str, ...], code: int, expected: str
) -> None:
    done = observer(store, *args)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    if code == 0:
        assert done.stderr == ""
        assert done.stdout.startswith(expected)
    else:
        assert done.stderr.startswith("observer: ")
        assert done.stderr.count("\n") == 1


def test_every_command_module_is_covered_by_a_smoke_test() -> None:
    modules = {c.module for c in COMMANDS}
    smoked = {"demo", "records", "frameworks", "organisation", "retention", "review", "people"}
    smoked |= {"search", "audit", "backup", "sign_off", "history", "security", "certificates"}
    smoked |= {"conflicts", "sync", "themes", "moderation", "service_report"}
    assert modules == smoked


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_no_heavy_module(flag: str) -> None:
    probe = (
        "import sys\n"
        f"sys.argv = ['observer', {flag!r}]\n"
        "from observer.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "import json\n"
        f"heavy = {HEAVY!r}\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in heavy or m in heavy]\n"
        "print(json.dumps({'code': code, 'loaded': loaded}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    facts = json.loads(done.stderr.strip().splitlines()[-1])
    assert facts == {"code": 0, "loaded": []}
    assert done.stdout.startswith("usage: observer" if flag == "--help" else "observer ")
