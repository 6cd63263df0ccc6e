"""A store being upgraded or created when the process is killed, and two processes opening
an old store at once: the store is either as it was or fully upgraded, never half-way;
there is exactly one backup of it as it was, and nothing half-written is left behind."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from observer.paths import backups_dir, database_path
from observer.services import open_services
from observer.store import encryption
from observer.store.backups import BEFORE_UPGRADE, list_backups
from observer.store.db import SCHEMA_HEAD
from observer.store.encryption import key_for
from tests.support.old_store import observation_count, store_at_0006
from tests.support.passphrase import STORE_PASSPHRASE

pytestmark = pytest.mark.e2e

DRIVER = Path(__file__).with_name("upgrade_driver.py")
RECORDS = 3000
OLD = "0006"


@pytest.fixture(scope="module")
def old_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store at schema 0006 holding RECORDS observations: upgrading it takes a while."""
    folder = tmp_path_factory.mktemp("old-store")
    path = database_path(folder)
    store_at_0006(path, encryption.new_key(STORE_PASSPHRASE), RECORDS)
    return path


@pytest.fixture
def old_store(data_dir: Path, old_store_template: Path) -> Path:
    data_dir.mkdir(parents=True)
    shutil.copyfile(old_store_template, database_path(data_dir))
    return data_dir


def start(data_dir: Path, point: str, go: Path | None = None) -> subprocess.Popen[str]:
    arguments = [sys.executable, str(DRIVER), str(data_dir), point]
    return subprocess.Popen(
        [*arguments, *([str(go)] if go else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at(data_dir: Path, point: str) -> None:
    """Runs a process that opens the store and kills it (SIGKILL) where it stops."""
    process = start(data_dir, point)
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != f"stopped at {point.removeprefix('backup:')}":
        process.kill()
        _out, err = process.communicate()
        pytest.fail(f"the process did not stop at {point}: {line!r} {err[-2000:]}")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def revision_and_records(path: Path) -> tuple[str | None, int]:
    key = key_for(path, STORE_PASSPHRASE)
    return encryption.schema_revision(path, key), observation_count(path, key)


def indexed(path: Path) -> int:
    """How many observations the search index finds by a word every one of them has."""
    connection = encryption.connect(path, key_for(path, STORE_PASSPHRASE))
    try:
        query = "SELECT count(*) FROM search_text WHERE search_text MATCH 'houses'"
        return int(connection.execute(query).fetchone()[0])
    finally:
        connection.close()


def assert_one_backup_of_the_old_store(data_dir: Path) -> None:
    backups = list_backups(data_dir)
    assert [b.reason for b in backups] == [f"{BEFORE_UPGRADE}-{OLD}-to-{SCHEMA_HEAD}"]
    assert revision_and_records(backups[0].path) == (OLD, RECORDS)
    # Nothing else: no staging folder, no copy that was being written.
    assert sorted(p.name for p in backups_dir(data_dir).iterdir()) == [backups[0].path.name]


@pytest.mark.parametrize(
    "point", ["backup-copy", "backup-rename", "migration", "migration-ids", "commit"]
)
def test_an_upgrade_killed_part_way_leaves_the_store_as_it_was_with_one_backup(
    old_store: Path, point: str
) -> None:
    store = database_path(old_store)
    kill_at(old_store, point)

    # Killed: the store is exactly the old one, and any backup offered is whole.
    assert revision_and_records(store) == (OLD, RECORDS)
    offered = list_backups(old_store)
    assert len(offered) == (0 if point.startswith("backup-") else 1)
    assert all(revision_and_records(b.path) == (OLD, RECORDS) for b in offered)

    open_services(old_store, STORE_PASSPHRASE).close()  # the next start
    assert revision_and_records(store) == (SCHEMA_HEAD, RECORDS)
    assert indexed(store) == RECORDS
    assert_one_backup_of_the_old_store(old_store)


def test_an_upgrade_killed_twice_still_leaves_one_backup_of_the_store_as_it_was(
    old_store: Path,
) -> None:
    kill_at(old_store, "commit")
    kill_at(old_store, "backup-copy")
    kill_at(old_store, "commit")
    open_services(old_store, STORE_PASSPHRASE).close()
    assert revision_and_records(database_path(old_store)) == (SCHEMA_HEAD, RECORDS)
    assert_one_backup_of_the_old_store(old_store)


@pytest.mark.parametrize("point", ["migration", "commit"])
def test_a_new_store_killed_while_it_is_made_is_made_on_the_next_start(
    data_dir: Path, point: str
) -> None:
    kill_at(data_dir, point)
    services = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert services.db.schema_revision() == SCHEMA_HEAD
    finally:
        services.close()
    assert list_backups(data_dir) == []


def test_processes_opening_an_old_store_at_once_upgrade_it_once(old_store: Path) -> None:
    go = old_store.parent / "go"
    processes = [start(old_store, "none", go) for _ in range(3)]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    go.touch()
    deadline = time.monotonic() + 120
    results = []
    for process in processes:
        out, err = process.communicate(timeout=max(1, deadline - time.monotonic()))
        assert process.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert results == [{"revision": SCHEMA_HEAD}] * 3
    assert revision_and_records(database_path(old_store)) == (SCHEMA_HEAD, RECORDS)
    assert_one_backup_of_the_old_store(old_store)


@pytest.mark.parametrize("point", ["backup-copy", "backup-rename"])
def test_a_backup_killed_part_way_is_never_listed_and_is_gone_at_the_next_start(
    data_dir: Path, point: str
) -> None:
    open_services(data_dir, STORE_PASSPHRASE).close()
    kill_at(data_dir, f"backup:{point}")
    assert list_backups(data_dir) == []

    open_services(data_dir, STORE_PASSPHRASE).close()  # the next start
    assert list(backups_dir(data_dir).iterdir()) == []


def test_processes_making_a_new_store_at_once_all_open_the_one_that_was_made(
    data_dir: Path,
) -> None:
    go = data_dir.parent / "go"
    processes = [start(data_dir, "none", go) for _ in range(3)]
    results = []
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    go.touch()
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert results == [{"revision": SCHEMA_HEAD}] * 3
    assert list_backups(data_dir) == []
