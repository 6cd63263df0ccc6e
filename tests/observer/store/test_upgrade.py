"""Upgrading a store: one transaction taken with the write lock, one backup, one sentence."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.pool import Pool

from observer.errors import MigrationFailed
from observer.security.unlock import unlock
from observer.store import encryption
from observer.store.backups import list_backups
from observer.store.db import Database
from observer.store.encryption import key_for
from tests.observer.store.test_db import FIXTURE_0001, dump, open_db
from tests.support.old_store import store_at_0006
from tests.support.passphrase import STORE_PASSPHRASE


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    """The first schema's fixture, encrypted (as unlocking does) but not yet upgraded."""
    path = tmp_path / "observer.sqlite"
    shutil.copyfile(FIXTURE_0001, path)
    unlock(tmp_path, STORE_PASSPHRASE)
    assert encryption.schema_revision(path, key_for(path, STORE_PASSPHRASE)) == "0001"
    return path


def test_a_migration_step_that_fails_leaves_the_store_as_it_was_and_says_so_in_one_sentence(
    old_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dump(old_store)

    def fail_half_way(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().startswith("INSERT INTO search_text(rowid"):
            raise RuntimeError("the index could not be filled")

    event.listen(Engine, "before_cursor_execute", fail_half_way)
    try:
        with pytest.raises(MigrationFailed) as failure:
            open_db(old_store)
    finally:
        event.remove(Engine, "before_cursor_execute", fail_half_way)

    message = str(failure.value)
    backups = list_backups(old_store.parent)
    assert [b.kind for b in backups] == ["before-upgrade"]
    assert message == (
        "The store could not be upgraded for this version of Practice Observer, so it was "
        f"left as it was; the copy made before the upgrade is {backups[0].path}."
    )
    sentence = message.replace(str(backups[0].path), "")
    for leak in ("SQL", "INSERT", "sqlite", "http", "Error", "("):
        assert leak not in sentence
    assert dump(old_store) == before
    assert dump(backups[0].path) == before


@pytest.mark.parametrize("from_scratch", [True, False])
def test_every_migration_step_runs_in_the_one_transaction_that_holds_the_write_lock(
    old_store: Path, tmp_path: Path, from_scratch: bool
) -> None:
    """What makes an upgrade all or nothing: a step that committed, or ran outside the
    transaction (VACUUM, a journal-mode PRAGMA), would survive a crash half-way."""
    path = tmp_path / "new" / "observer.sqlite" if from_scratch else old_store
    traced: list[tuple[bool, str]] = []

    def trace(connection: Any, _record: Any) -> None:
        connection.set_trace_callback(
            lambda sql: traced.append((connection.in_transaction, sql.strip()))
        )

    event.listen(Pool, "connect", trace)
    try:
        open_db(path).close()
    finally:
        event.remove(Pool, "connect", trace)

    statements = [sql for _, sql in traced if not sql.startswith("--")]
    start = statements.index("BEGIN IMMEDIATE")
    end = statements.index("COMMIT", start)
    assert "alembic_version" in statements[start + 1]  # the revision is read under the lock
    migration = traced[start + 1 : end]
    assert any("CREATE TABLE search_rows" in sql for _, sql in migration)
    outside = [sql for inside, sql in migration if not inside and not sql.startswith("--")]
    assert outside == []
    ends = ("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "VACUUM")
    assert [sql for _, sql in migration if sql.upper().startswith(ends)] == []


def test_a_store_upgraded_by_another_process_after_it_was_read_is_left_alone(
    old_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process read the old revision before taking the lock; by the time it has the
    lock another one has upgraded the store: it neither backs up nor migrates again."""
    open_db(old_store).close()  # the other process's upgrade
    [backup] = list_backups(old_store.parent)
    before = dump(old_store)
    monkeypatch.setattr(Database, "schema_revision", lambda _db: "0001")  # read before

    db = Database.open(old_store, key_for(old_store, STORE_PASSPHRASE))
    db.close()

    assert list_backups(old_store.parent) == [backup]
    assert dump(old_store) == before


def test_an_upgrade_run_again_replaces_only_its_own_earlier_copy_of_the_same_store(
    tmp_path: Path,
) -> None:
    """One before-upgrade backup per upgrade of a store: a copy of another file (another
    name) or of another store (another salt) at the same upgrade is never taken for it."""
    from observer.store.backup_files import write_backup

    reason = "before-upgrade-0006-to-0008"
    store = tmp_path / "observer.sqlite"
    first_store = tmp_path / "kept" / "first.sqlite"
    first_store.parent.mkdir()
    store_at_0006(first_store, encryption.new_key(STORE_PASSPHRASE), 1)
    another_store = tmp_path / "kept" / "another.sqlite"
    store_at_0006(another_store, encryption.new_key(STORE_PASSPHRASE), 1)

    def back_up(source: Path, name: str = store.name) -> Path:
        target = tmp_path / name
        shutil.copyfile(source, target)
        db = Database(target, key_for(target, STORE_PASSPHRASE))
        try:
            return write_backup(db, reason)
        finally:
            db.close()

    first = back_up(first_store)
    of_a_copy = back_up(first_store, "observer.sqlite.restoring-1")
    of_another_store = back_up(another_store)
    assert {b.path for b in list_backups(tmp_path)} == {first, of_a_copy, of_another_store}

    again = back_up(first_store)

    assert {b.path for b in list_backups(tmp_path)} == {of_a_copy, of_another_store, again}
