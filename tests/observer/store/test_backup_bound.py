"""The backups together stay within a bound of the store's size, and the recovery points
users rely on stay whatever the bound."""

from __future__ import annotations

import pytest

from observer.paths import backups_dir, database_path
from observer.services import Services
from observer.store import backup_files, backups
from observer.store.backups import list_backups, make_backup


@pytest.fixture
def unrotated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rotation keeps far more of each kind than the bound lets stay: only the bound thins."""
    for kind in backups.KEEP:
        monkeypatch.setitem(backups.KEEP, kind, 100)


def total_and_limit(services: Services) -> tuple[int, int]:
    total = sum(b.size for b in list_backups(services.data_dir))
    store = backup_files.store_size(database_path(services.data_dir))
    return total, backup_files.SIZE_BOUND * store


@pytest.mark.usefixtures("unrotated")
def test_the_backups_stay_within_three_times_the_store_and_keep_the_ways_back(
    services: Services,
) -> None:
    upgrade = make_backup(services, f"{backups.BEFORE_UPGRADE}-0008-to-0009")
    restore = make_backup(services, backups.BEFORE_RESTORE)
    made = [make_backup(services, backups.ON_CLOSE) for _ in range(5)]

    total, limit = total_and_limit(services)
    assert backup_files.SIZE_BOUND == 3
    assert total <= limit
    kept = {b.path for b in list_backups(services.data_dir)}
    assert {upgrade, restore, made[-1]} <= kept
    assert not set(made[:-1]) & kept


@pytest.mark.usefixtures("unrotated")
def test_the_newest_daily_backup_goes_last_and_files_not_ours_stay(services: Services) -> None:
    daily = make_backup(services, backups.DAILY)
    foreign = backups_dir(services.data_dir) / "copied-by-it.sqlite"
    foreign.write_bytes(daily.read_bytes())
    made = [make_backup(services, backups.ON_CLOSE) for _ in range(5)]

    kept = {b.path for b in list_backups(services.data_dir)}
    assert kept == {made[-1], daily, foreign}
    total, limit = total_and_limit(services)
    assert total <= limit


@pytest.mark.usefixtures("unrotated")
def test_within_the_bound_nothing_is_removed(services: Services) -> None:
    made = [make_backup(services, backups.MANUAL) for _ in range(3)]

    assert {b.path for b in list_backups(services.data_dir)} == set(made)
