"""Exports against a busy store and a killed export, as real processes: the audit trail and
the files on disk agree after each failure, and no readable partial file stays behind."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from observer.paths import database_path
from observer.services import open_services
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE

pytestmark = pytest.mark.e2e

# Holds the store's write lock, as another window or command in the middle of a write does.
LOCKER = """
import sys
from pathlib import Path
from observer.store import encryption
path = Path(sys.argv[1])
connection = encryption.connect(path, encryption.key_for(path, sys.argv[2]))
connection.isolation_level = None
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
connection.close()
"""

# The real command, stopped just before it moves a file staged in FOLDER into place, so a
# test can SIGKILL it there.
STOPPED_BEFORE_MOVE = """
import os, sys, time
folder, real = sys.argv[1], os.replace
def replace(source, target, *args, **kwargs):
    if os.path.dirname(os.fspath(source)) == folder:
        print("staged", flush=True)
        time.sleep(600)
    return real(source, target, *args, **kwargs)
os.replace = replace
from observer.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVER_")}
    return {**env, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE}


def observer(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "observer", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment(),
        timeout=120,
        check=False,
        umask=0o022,
    )


@dataclass(frozen=True)
class Store:
    data_dir: Path
    record: str
    worker: str


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    data_dir = tmp_path_factory.mktemp("exports") / "data"
    done = observer(data_dir, "demo", "--workers", "2", "--observations", "3", "--seed", "5")
    assert done.returncode == 0, done.stderr
    services = open_services(data_dir, STORE_PASSPHRASE)
    try:
        services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire Council")
    finally:
        services.close()
    rows = json.loads(observer(data_dir, "list", "--json").stdout)
    signed = next(r for r in rows if r["status"] == "signed")
    # The signing identity is made once here, so the tests see only the exports.
    warm = tmp_path_factory.mktemp("warm") / "first.pdf"
    assert observer(data_dir, "pdf", signed["id"], "-o", str(warm)).returncode == 0
    return Store(data_dir, signed["id"], signed["worker"])


def export_args(store: Store, kind: str, target: Path) -> list[str]:
    return {
        "summary": ["pdf", store.record, "-o", str(target)],
        "history": ["history", store.worker, "-o", str(target)],
        "plain bundle": ["export-json", "--plain", "-o", str(target)],
        "sealed bundle": ["export-json", "-o", str(target)],
    }[kind]


def exports(store: Store) -> list[dict[str, Any]]:
    done = observer(store.data_dir, "audit", "list", "--json")
    assert done.returncode == 0, done.stderr
    return [e for e in json.loads(done.stdout) if e["action"] == "export"]


@contextmanager
def write_lock_held(data_dir: Path) -> Iterator[None]:
    with subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(database_path(data_dir)), STORE_PASSPHRASE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment(),
    ) as locker:
        assert locker.stdout is not None
        assert locker.stdin is not None
        try:
            assert locker.stdout.readline().strip() == "locked"
            yield
        finally:
            locker.stdin.write("\n")
            locker.stdin.flush()
            assert locker.wait(timeout=30) == 0


KINDS = ["summary", "history", "plain bundle", "sealed bundle"]


def observer_started(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    """`observer` as `observer()` runs it, started and not waited for."""
    return subprocess.Popen(
        [sys.executable, "-m", "observer", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=environment(),
        umask=0o022,
    )


def test_an_export_the_busy_store_cannot_record_writes_no_file(
    store: Store, tmp_path: Path
) -> None:
    """Every kind of export at once, while another process holds the write lock: each
    waits its busy timeout side by side, then gives up having written and recorded nothing."""
    targets = {kind: tmp_path / kind.replace(" ", "-") / "export.out" for kind in KINDS}
    for target in targets.values():
        target.parent.mkdir()
        target.write_bytes(b"an earlier export")
    before = exports(store)

    with write_lock_held(store.data_dir):
        started = {
            kind: observer_started(store.data_dir, *export_args(store, kind, target))
            for kind, target in targets.items()
        }
        finished = {kind: (run, *run.communicate(timeout=120)) for kind, run in started.items()}

    for kind, (run, out, err) in finished.items():
        assert run.returncode == 2, (kind, out, err)
        assert "Traceback" not in err, kind
        assert err.count("\n") == 1, (kind, err)
        assert err.startswith("observer: The store is busy"), (kind, err)
        assert out == "", kind
        # Nothing written: the earlier file is untouched and no partial is left.
        target = targets[kind]
        assert target.read_bytes() == b"an earlier export", kind
        assert sorted(p.name for p in target.parent.iterdir()) == ["export.out"], kind
    assert exports(store) == before  # nothing recorded

    for done, (kind, target) in enumerate(targets.items(), start=1):
        again = observer(store.data_dir, *export_args(store, kind, target))
        assert again.returncode == 0, (kind, again.stderr)
        assert target.read_bytes() != b"an earlier export", kind
        assert len(exports(store)) == len(before) + done, kind  # one event each
    assert observer(store.data_dir, "audit", "verify").returncode == 0


@pytest.mark.parametrize("kind", ["plain bundle", "summary"])
def test_a_killed_export_leaves_only_a_private_partial_that_the_next_export_removes(
    store: Store, tmp_path: Path, kind: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    argv = ["--data-dir", str(store.data_dir), *export_args(store, kind, folder / "first.json")]
    with subprocess.Popen(
        [sys.executable, "-c", STOPPED_BEFORE_MOVE, str(folder), *argv],
        stdout=subprocess.PIPE,
        text=True,
        env=environment(),
        umask=0o022,
    ) as export:
        assert export.stdout is not None
        try:
            assert export.stdout.readline().strip() == "staged"
            [partial] = list(folder.iterdir())
            assert stat.S_IMODE(partial.stat().st_mode) == 0o600
        finally:
            export.send_signal(signal.SIGKILL)
            export.wait(timeout=30)
    assert export.returncode == -signal.SIGKILL

    done = observer(store.data_dir, *export_args(store, kind, folder / "second.json"))

    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["second.json"]
    assert stat.S_IMODE((folder / "second.json").stat().st_mode) == 0o600
