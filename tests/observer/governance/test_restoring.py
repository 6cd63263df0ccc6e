"""Restoring a backup: what it takes out of the store is counted and must be confirmed;
the restore is in the restored store's audit trail; records removed under the retention
policy stay removed; a sound store under another passphrase is never set aside."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from observer.governance.restoring import RestoreNotConfirmed
from observer.governance.retention import RetentionPolicy
from observer.paths import database_path
from observer.people.directory import PersonDetails
from observer.services import DataFolder, Services, open_services
from observer.store import encryption
from observer.store.backups import StoreUnderAnotherPassphrase
from observer.store.encryption import WrongStorePassphrase
from tests.support.core import NewDraft, RunCli, Staff
from tests.support.passphrase import STORE_PASSPHRASE

NEW_PASSPHRASE = "a different passphrase now"


def leave(services: Services, person_id: uuid.UUID, left_on: date) -> None:
    person = services.people.get_person(person_id)
    services.people.update_person(
        person_id,
        PersonDetails(
            person.name, person.role, person.team_id, person.staff_reference, False, left_on
        ),
    )


def actions(data_dir: Path, passphrase: str = STORE_PASSPHRASE) -> list[tuple[str, str]]:
    opened = open_services(data_dir, passphrase)
    try:
        return [(e.action_code, e.detail) for e in opened.audit.events()]
    finally:
        opened.close()


def test_a_restore_that_takes_changes_out_of_the_store_needs_their_number(
    services: Services, staff: Staff, new_draft: NewDraft, run_cli: RunCli, capsys
) -> None:
    backup = services.backups.make()
    new_draft()
    new_draft()
    data = str(services.data_dir)
    services.close()
    store = database_path(services.data_dir)
    before = store.read_bytes()

    assert run_cli(["--data-dir", data, "restore", str(backup), "--yes"]) == 2

    refused = capsys.readouterr().err
    assert "holds 2 audit events made after" in refused
    assert "2 observations in it were created or last changed after that time" in refused
    assert "--discard-changes 2" in refused
    assert store.read_bytes() == before
    with pytest.raises(RestoreNotConfirmed, match="holds 2 audit events"):
        DataFolder(services.data_dir).restore(backup, STORE_PASSPHRASE)
    assert run_cli(["--data-dir", data, "restore", str(backup), "--yes", "--discard-changes", "1"])
    assert store.read_bytes() == before

    assert (
        run_cli(["--data-dir", data, "restore", str(backup), "--yes", "--discard-changes", "2"])
        == 0
    )
    assert "Restored the backup" in capsys.readouterr().out


def test_a_restore_is_in_the_restored_audit_trail_with_what_it_replaced(
    services: Services, staff: Staff, new_draft: NewDraft, tmp_path: Path
) -> None:
    backup = services.backups.make()
    services.bundles.export(tmp_path / "out.bundle", None)
    services.close()
    folder = DataFolder(services.data_dir)
    plan = folder.plan_restore(backup, STORE_PASSPHRASE)
    assert plan.to_confirm >= 1

    folder.restore(backup, STORE_PASSPHRASE, plan.to_confirm)

    reopened = open_services(services.data_dir, STORE_PASSPHRASE)
    try:
        newest = reopened.audit.events()[0]
        assert newest.action_code == "restore"
        assert backup.name in newest.detail
        assert f"held {plan.to_confirm} audit event" in newest.detail
        assert newest.actor  # who restored: this laptop's user, when one is recorded
        assert reopened.audit.verify().ok
        assert "export" not in [e.action_code for e in reopened.audit.events()]
    finally:
        reopened.close()


def test_records_removed_under_retention_stay_removed_after_a_restore(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    gone = new_draft()
    kept = new_draft(person=staff.senior)
    leave(services, staff.worker, date(2015, 3, 31))
    backup = services.backups.make()  # before the policy: the backup keeps everything
    services.retention.set_policy(RetentionPolicy(6))
    today = date.today()
    services.retention.apply(today, services.retention.preview(today))
    with pytest.raises(Exception):  # noqa: B017, PT011 (removed)
        services.recording.get(gone)
    services.close()
    folder = DataFolder(services.data_dir)

    folder.restore(
        backup, STORE_PASSPHRASE, folder.plan_restore(backup, STORE_PASSPHRASE).to_confirm
    )

    reopened = open_services(services.data_dir, STORE_PASSPHRASE)
    try:
        assert reopened.retention.policy() == RetentionPolicy(6)
        with pytest.raises(Exception):  # noqa: B017, PT011
            reopened.recording.get(gone)
        assert reopened.recording.get(kept).id == kept
        codes = [e.action_code for e in reopened.audit.events()]
        assert codes[0] == "restore"
        assert "retention" in codes
        assert "retention_policy" in codes
        assert reopened.audit.verify().ok
    finally:
        reopened.close()


def test_an_old_passphrase_cannot_restore_an_old_backup_over_a_sound_store(
    services: Services, staff: Staff, tmp_path: Path
) -> None:
    copy = tmp_path / "observer-manual-20240101T000000000000Z.sqlite"
    copy.write_bytes(services.backups.make().read_bytes())  # outside backups/: not re-keyed
    services.change_passphrase(STORE_PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)
    services.close()
    store = database_path(services.data_dir)
    before = store.read_bytes()

    with pytest.raises(StoreUnderAnotherPassphrase, match="under another passphrase"):
        DataFolder(services.data_dir).restore(copy, STORE_PASSPHRASE)

    assert store.read_bytes() == before
    assert not list(services.data_dir.glob("*damaged*"))
    encryption.key_for(store, NEW_PASSPHRASE)
    with pytest.raises(WrongStorePassphrase):
        open_services(services.data_dir, STORE_PASSPHRASE)


def test_a_restore_killed_mid_copy_leaves_no_copy_after_the_next_open(
    services: Services, staff: Staff, tmp_path: Path
) -> None:
    import signal
    import subprocess
    import sys

    backup = services.backups.make()
    services.close()
    script = tmp_path / "killed_restore.py"
    script.write_text(
        "import os, shutil, signal, sys\n"
        "from pathlib import Path\n"
        "from observer.store import backups\n"
        "def half(source, target):\n"
        "    data = Path(source).read_bytes()\n"
        "    Path(target).write_bytes(data[: len(data) // 2])\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "backups.shutil.copyfile = half\n"
        "from observer.services import DataFolder\n"
        "DataFolder(Path(sys.argv[1])).restore(Path(sys.argv[2]), sys.argv[3], 0)\n"
    )
    killed = subprocess.run(
        [sys.executable, str(script), str(services.data_dir), str(backup), STORE_PASSPHRASE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    leftover = [p for p in services.data_dir.iterdir() if ".restoring" in p.name]
    assert leftover  # a whole (here, half) copy of the backup

    open_services(services.data_dir, STORE_PASSPHRASE).close()

    assert [p for p in services.data_dir.iterdir() if ".restoring" in p.name] == []


def test_restoring_a_backup_of_an_older_schema_keeps_the_backup_made_before_the_upgrade(
    data_dir: Path,
) -> None:
    """The staged copy of an old backup is upgraded as it is restored: that makes no backup
    of it (the backup is that copy), and the live store's before-upgrade backup stays."""
    from observer.store import backup_files
    from observer.store.backups import list_backups
    from observer.store.db import Database
    from tests.support.old_store import store_at_0006

    data_dir.mkdir(parents=True)
    store = database_path(data_dir)
    store_at_0006(store, encryption.new_key(STORE_PASSPHRASE), 3)
    old = Database(store, encryption.key_for(store, STORE_PASSPHRASE))
    daily = backup_files.write_backup(old, backup_files.DAILY)
    old.close()
    open_services(data_dir, STORE_PASSPHRASE).close()  # upgrades, backing the store up first
    [before_upgrade] = [b.path for b in list_backups(data_dir) if b.kind == "before-upgrade"]
    kept = before_upgrade.read_bytes()

    # The upgrade's own audit event is the one change the restore takes out of the store.
    DataFolder(data_dir).restore(daily, STORE_PASSPHRASE, confirmed=1)

    names = sorted(b.path.name for b in list_backups(data_dir))
    assert before_upgrade.exists()
    assert before_upgrade.read_bytes() == kept
    assert [n for n in names if "before-upgrade" in n] == [before_upgrade.name]
    assert all(n.startswith("observer-") for n in names)
    assert "CR-1" in case_references(data_dir)


def case_references(data_dir: Path) -> set[str]:
    store = database_path(data_dir)
    connection = encryption.connect(store, encryption.key_for(store, STORE_PASSPHRASE))
    try:
        rows = connection.execute("SELECT case_reference FROM observations").fetchall()
    finally:
        connection.close()
    return {row[0] for row in rows}
