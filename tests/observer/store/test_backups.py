"""Backups: encrypted, checked and rotated; restoring one keeps the store it replaces; a
damaged store is told apart from a wrong passphrase, on the command line too."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from observer.errors import DatabaseUnreadable
from observer.paths import backups_dir, database_path
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.security.attempts import UnlockAttempts
from observer.security.unlock import StoreDamaged
from observer.services import Services, open_services
from observer.store import backup_files, backups, encryption
from observer.store.backups import (
    BackupFailed,
    StoreInUse,
    backup_if_due,
    latest_good_backup,
    list_backups,
    make_backup,
    restore,
)
from observer.store.encryption import WrongStorePassphrase
from observer.vocabulary import Kind, Role
from tests.support.core import WHEN, RunCli
from tests.support.passphrase import STORE_PASSPHRASE

WORKER = "Rhiannon Featherstonehaugh"
NARRATIVE = "Jamie showed me the dragon drawing kept under the stairs"
PAGE = 4096


@pytest.fixture
def recorded(services: Services) -> Services:
    """A store holding a worker's name and an observation's narrative."""
    worker = services.people.add_person(PersonDetails(WORKER, Role.SOCIAL_WORKER))
    lead = services.people.add_person(PersonDetails("Aled Hughes", Role.PRACTICE_LEAD))
    draft = services.recording.create_draft(
        DraftDetails(
            observed_person_id=worker, observer_id=lead, kind=Kind.HOME_VISIT, observed_at=WHEN
        )
    )
    services.recording.update(draft, {"strengths": NARRATIVE})
    return services


def names_in(data_dir: Path, passphrase: str = STORE_PASSPHRASE) -> set[str]:
    opened = open_services(data_dir, passphrase)
    try:
        return {person.name for person in opened.people.list_people()}
    finally:
        opened.close()


def damage(path: Path, first: int, last: int) -> bytes:
    """Overwrites pages `first` to `last` (counting from 0) with junk; returns the result."""
    data = bytearray(path.read_bytes())
    for page in range(first, min(last, len(data) // PAGE - 1) + 1):
        data[page * PAGE : (page + 1) * PAGE] = b"junk" * (PAGE // 4)
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_backup_is_encrypted_and_opens_with_the_same_passphrase(recorded: Services) -> None:
    path = make_backup(recorded, backups.MANUAL)

    assert path.parent == backups_dir(recorded.data_dir)
    content = path.read_bytes()
    assert WORKER.encode() not in content
    assert NARRATIVE.encode() not in content
    assert not encryption.is_plain_sqlite(path)
    key = encryption.key_for(path, STORE_PASSPHRASE)
    connection = encryption.connect(path, key)
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM people")}
        narratives = {row[0] for row in connection.execute("SELECT strengths FROM observations")}
    finally:
        connection.close()
    assert WORKER in names
    assert NARRATIVE in narratives
    [listed] = list_backups(recorded.data_dir)
    assert (listed.path, listed.reason, listed.size) == (path, "manual", len(content))
    assert abs(listed.made_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_rotation_keeps_the_newest_of_each_kind_and_nothing_else(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(backups.KEEP, backups.ON_CLOSE, 3)
    monkeypatch.setattr(backup_files, "SIZE_BOUND", 100)  # rotation alone thins here
    manual = make_backup(services, backups.MANUAL)
    foreign = backups_dir(services.data_dir) / "copied-by-it.sqlite"
    foreign.write_bytes(manual.read_bytes())

    made = [make_backup(services, backups.ON_CLOSE) for _ in range(5)]

    listed = list_backups(services.data_dir)
    assert [b.path for b in listed if b.kind == backups.ON_CLOSE] == made[:1:-1]
    assert manual.exists()
    assert foreign.exists()
    assert not (backups_dir(services.data_dir) / backups.STAGING).exists()


def test_a_backup_that_does_not_check_out_is_dropped_and_the_earlier_ones_kept(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(backups.KEEP, backups.ON_CLOSE, 1)
    earlier = make_backup(services, backups.ON_CLOSE)
    monkeypatch.setattr(backup_files, "check_file", lambda path, key: "its pages are damaged")

    with pytest.raises(BackupFailed, match=r"did not check out .* earlier backups are all kept"):
        make_backup(services, backups.ON_CLOSE)

    assert [b.path for b in list_backups(services.data_dir)] == [earlier]
    assert not any((backups_dir(services.data_dir) / backups.STAGING).glob("*"))


def test_a_daily_backup_is_made_when_the_last_is_a_day_old(services: Services) -> None:
    first = backup_if_due(services)
    assert first is not None

    assert backup_if_due(services, datetime.now(UTC) + timedelta(hours=23)) is None
    later = backup_if_due(services, datetime.now(UTC) + timedelta(hours=25))

    assert later is not None
    assert [b.path for b in list_backups(services.data_dir)] == [later, first]


def test_a_restore_brings_the_records_back_and_keeps_the_store_it_replaced(
    recorded: Services,
) -> None:
    backup = make_backup(recorded, backups.MANUAL)
    recorded.people.add_person(PersonDetails("Added After The Backup", Role.SOCIAL_WORKER))
    recorded.close()

    restored = restore(recorded.data_dir, backup, STORE_PASSPHRASE)

    assert restored.backup.path == backup
    assert not restored.unreadable
    assert restored.kept_as is not None
    assert restored.kept_as.parent == backups_dir(recorded.data_dir)
    assert "before-restore" in restored.kept_as.name
    names = names_in(recorded.data_dir)
    assert WORKER in names
    assert "Added After The Backup" not in names
    # The store it replaced can be restored in turn.
    restore(recorded.data_dir, restored.kept_as, STORE_PASSPHRASE)
    assert "Added After The Backup" in names_in(recorded.data_dir)


def test_a_store_that_is_open_is_not_replaced(recorded: Services) -> None:
    backup = make_backup(recorded, backups.MANUAL)
    recorded.people.add_person(PersonDetails("Added After The Backup", Role.SOCIAL_WORKER))

    with pytest.raises(StoreInUse, match="close it first; nothing was changed"):
        restore(recorded.data_dir, backup, STORE_PASSPHRASE)

    assert any(p.name == "Added After The Backup" for p in recorded.people.list_people())
    recorded.close()
    assert "Added After The Backup" in names_in(recorded.data_dir)
    assert len(list_backups(recorded.data_dir)) == 1


def test_a_backup_under_another_passphrase_says_so(services: Services) -> None:
    backup = make_backup(services, backups.MANUAL)
    services.close()

    with pytest.raises(WrongStorePassphrase, match="before the passphrase was changed"):
        restore(services.data_dir, backup, "another passphrase altogether")

    assert [b.path for b in list_backups(services.data_dir)] == [backup]


def test_restoring_something_that_is_not_a_backup_changes_nothing(
    services: Services, tmp_path: Path
) -> None:
    services.close()
    store = database_path(services.data_dir)
    before = store.read_bytes()
    junk = tmp_path / "shopping.sqlite"
    junk.write_bytes(b"eggs, flour, milk" * 500)

    with pytest.raises(
        BackupFailed, match=r"^shopping.sqlite is not a Practice Observer backup\.$"
    ):
        restore(services.data_dir, junk, STORE_PASSPHRASE)
    with pytest.raises(BackupFailed, match="is not a file"):
        restore(services.data_dir, tmp_path / "missing.sqlite", STORE_PASSPHRASE)
    with pytest.raises(BackupFailed, match="the store itself"):
        restore(services.data_dir, store, STORE_PASSPHRASE)

    assert store.read_bytes() == before
    assert list_backups(services.data_dir) == []


@pytest.mark.parametrize(
    ("first", "last"),
    [pytest.param(0, 0, id="first-page"), pytest.param(1, 40, id="pages-in-the-middle")],
)
def test_a_damaged_store_is_told_apart_kept_and_restored(
    recorded: Services, first: int, last: int
) -> None:
    backup = make_backup(recorded, backups.DAILY)
    recorded.close()
    store = database_path(recorded.data_dir)
    damaged = damage(store, first, last)

    with pytest.raises(DatabaseUnreadable) as refused:
        open_services(recorded.data_dir, STORE_PASSPHRASE)

    if first == 0:
        assert isinstance(refused.value, StoreDamaged)
        assert str(refused.value) == (
            "The store cannot be read, although your passphrase is right for it: it looks damaged."
        )
    assert UnlockAttempts(recorded.data_dir).failures() == 0
    assert store.read_bytes() == damaged
    good = latest_good_backup(recorded.data_dir, STORE_PASSPHRASE)
    assert good is not None
    assert good.path == backup

    restored = restore(recorded.data_dir, backup, STORE_PASSPHRASE)

    assert restored.unreadable
    assert restored.kept_as is not None
    assert restored.kept_as.parent == recorded.data_dir
    assert restored.kept_as.name.startswith("observer-damaged-")
    assert restored.kept_as.read_bytes() == damaged
    assert WORKER in names_in(recorded.data_dir)


def test_a_wrong_passphrase_is_still_a_wrong_passphrase_when_backups_exist(
    services: Services,
) -> None:
    make_backup(services, backups.DAILY)
    services.close()

    with pytest.raises(WrongStorePassphrase):
        open_services(services.data_dir, "not the passphrase at all")

    assert UnlockAttempts(services.data_dir).failures() == 1


def test_a_wrong_passphrase_on_a_store_over_a_gibibyte_is_not_called_damaged(
    services: Services,
) -> None:
    """SQLite never uses the page at 1 GiB, and SQLCipher's check never reports it: a wrong
    passphrase on a large store must still be a wrong passphrase, and be told at once."""
    services.close()
    store = database_path(services.data_dir)
    os.truncate(store, (1 << 30) + 64 * 4096)  # sparse: costs no disk

    started = time.monotonic()
    with pytest.raises(WrongStorePassphrase) as refused:
        open_services(services.data_dir, "not the passphrase at all")

    assert not isinstance(refused.value, StoreDamaged)
    assert time.monotonic() - started < 5
    assert UnlockAttempts(services.data_dir).failures() == 1


def test_the_latest_good_backup_passes_over_a_damaged_one(services: Services) -> None:
    good = make_backup(services, backups.DAILY)
    newer = make_backup(services, backups.ON_CLOSE)
    damage(newer, 1, 2)

    found = latest_good_backup(services.data_dir, STORE_PASSPHRASE)

    assert found is not None
    assert found.path == good
    assert latest_good_backup(services.data_dir, "not the passphrase at all") is None


def test_backup_and_backups_on_the_command_line(
    services: Services, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(services.data_dir)
    assert run_cli(["--data-dir", data, "backup"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.exists()
    assert path.parent == backups_dir(services.data_dir)

    assert run_cli(["--data-dir", data, "backups"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert "manual" in lines[0]
    assert str(path) in lines[0]
    assert run_cli(["--data-dir", data, "backups", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["path"] == str(path)
    assert listed["reason"] == "manual"


def test_restore_on_the_command_line(
    recorded: Services, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = make_backup(recorded, backups.MANUAL)
    recorded.people.add_person(PersonDetails("Added Later", Role.SOCIAL_WORKER))
    recorded.close()
    data = str(recorded.data_dir)

    assert run_cli(["--data-dir", data, "restore", str(backup)]) == 2
    assert "run again with --yes" in capsys.readouterr().out
    assert "Added Later" in names_in(recorded.data_dir)

    assert run_cli(["--data-dir", data, "restore", backup.name, "--yes"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Restored the backup of ")
    assert "before-restore" in out
    assert "Added Later" not in names_in(recorded.data_dir)


def test_the_command_line_on_a_damaged_store_names_the_backup_and_exits_2(
    recorded: Services, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = make_backup(recorded, backups.DAILY)
    recorded.close()
    damaged = damage(database_path(recorded.data_dir), 0, 0)

    assert run_cli(["--data-dir", str(recorded.data_dir), "list"]) == 2

    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "it looks damaged" in err
    assert f"observer --data-dir {recorded.data_dir} restore {backup} --yes" in err
    assert database_path(recorded.data_dir).read_bytes() == damaged
    assert run_cli(["--data-dir", str(recorded.data_dir), "backups"]) == 0
    assert str(backup) in capsys.readouterr().out

    assert run_cli(["--data-dir", str(recorded.data_dir), "restore", str(backup), "--yes"]) == 0
    assert "could not be read is kept, unchanged" in capsys.readouterr().out
    assert WORKER in names_in(recorded.data_dir)


def not_ours(folder: Path) -> list[Path]:
    """Files that are no encrypted store at all: text, too short, a plain SQLite file."""
    import sqlite3

    text = folder / "passwd"
    text.write_text("root:x:0:0:root:/root:/bin/bash\n" * 200)
    short = folder / "short.sqlite"
    short.write_bytes(bytes(range(256)) * 4)
    plain = folder / "recipes.sqlite"
    connection = sqlite3.connect(plain)
    connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.commit()
    connection.close()
    return [text, short, plain]


def test_restoring_a_file_that_is_not_a_backup_says_so_in_one_sentence_and_exits_2(
    services: Services, run_cli: RunCli, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    services.close()
    store = database_path(services.data_dir)
    before = store.read_bytes()
    data = str(services.data_dir)

    for path in not_ours(tmp_path):
        for extra in ([], ["--yes"]):
            assert run_cli(["--data-dir", data, "restore", str(path), *extra]) == 2
            captured = capsys.readouterr()
            said = (captured.err + captured.out).strip()
            assert said == f"observer: {path.name} is not a Practice Observer backup.", said

    assert store.read_bytes() == before
    assert UnlockAttempts(services.data_dir).failures() == 0
