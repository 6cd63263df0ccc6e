"""A backup is written under a staging name and named only when whole: what an interrupted
one leaves is never listed, and is cleared once no other backup is being written."""

from __future__ import annotations

import fcntl
import os

import pytest

from observer.paths import backups_dir
from observer.services import Services, open_services
from observer.store import backups
from observer.store.backups import STAGING, list_backups
from tests.support.passphrase import STORE_PASSPHRASE


def test_a_copy_still_being_written_by_another_backup_is_left_alone(services: Services) -> None:
    folder = backups_dir(services.data_dir)
    (folder / STAGING).mkdir(parents=True)
    writing = folder / STAGING / "observer-manual-20260101T000000000000Z.sqlite"
    writing.write_bytes(b"\0" * 4096)
    # Another backup holds the folder as every writer does while it copies.
    other = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(other, fcntl.LOCK_SH)
        open_services(services.data_dir, STORE_PASSPHRASE).close()
        services.backups.make()
        assert writing.exists()
    finally:
        os.close(other)
    services.backups.make()
    assert not (folder / STAGING).exists()


def test_an_earlier_backup_made_before_the_same_upgrade_is_replaced_by_the_new_one(
    services: Services,
) -> None:
    reason = "before-upgrade-0006-to-0007"
    first = backups.make_backup(services.db, reason)
    kept = backups.make_backup(services.db, "before-upgrade-0005-to-0007")
    second = backups.make_backup(services.db, reason)
    assert sorted(b.path for b in list_backups(services.data_dir)) == sorted([kept, second])
    assert not first.exists()


@pytest.mark.parametrize("label", ["on-close", "manual"])
def test_a_backup_leaves_no_staging_folder_behind(services: Services, label: str) -> None:
    made = backups.make_backup(services.db, label)
    assert list(backups_dir(services.data_dir).iterdir()) == [made]
