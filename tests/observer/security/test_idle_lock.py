"""How long the app may sit untouched before it locks itself: 1 to 60 minutes, never off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from observer.errors import InvalidInput, StoreUnavailable
from observer.governance.audit import describe_action, verify_chain
from observer.security.idle_lock import (
    DEFAULT_IDLE_MINUTES,
    IDLE_LOCK_ACTION,
    IDLE_LOCK_SETTING,
    idle_lock_minutes,
    set_idle_lock_minutes,
)
from observer.services import Services, open_services
from observer.store.models import AuditEvent, Setting
from tests.support.core import RunCli
from tests.support.passphrase import STORE_PASSPHRASE


def lock_events(services: Services) -> list[tuple[str, str]]:
    with services.db.session() as s:
        query = select(AuditEvent).where(AuditEvent.action == IDLE_LOCK_ACTION)
        return [(e.actor, e.detail) for e in s.scalars(query.order_by(AuditEvent.sequence))]


def test_a_new_store_locks_after_ten_minutes(services: Services):
    assert idle_lock_minutes(services.db) == DEFAULT_IDLE_MINUTES == 10


def test_a_change_is_kept_and_audited_once(services: Services):
    assert set_idle_lock_minutes(services.db, 5, "Aled Hughes") == 5
    set_idle_lock_minutes(services.db, 5, "Aled Hughes")  # the same again: no new event

    assert idle_lock_minutes(services.db) == 5
    assert lock_events(services) == [("Aled Hughes", "locks after 5 minutes without use")]
    assert describe_action(IDLE_LOCK_ACTION, "settings") == "Changed when the app locks itself"
    assert verify_chain(services.db).ok


@pytest.mark.parametrize("minutes", [0, -5, 61, 24 * 60, True, 2.5, "10", None])
def test_the_lock_cannot_be_turned_off_or_stretched_past_an_hour(
    services: Services, minutes: object
):
    with pytest.raises(InvalidInput, match="cannot be turned off"):
        set_idle_lock_minutes(services.db, minutes, "Aled Hughes")  # type: ignore[arg-type]

    assert idle_lock_minutes(services.db) == DEFAULT_IDLE_MINUTES
    assert lock_events(services) == []


@pytest.mark.parametrize("stored", [0, 999, "never", False, {"minutes": 5}, [5]])
def test_a_damaged_setting_locks_after_the_default(services: Services, stored: object):
    with services.db.session() as s, s.begin():
        s.add(Setting(key=IDLE_LOCK_SETTING, value=stored))

    assert idle_lock_minutes(services.db) == DEFAULT_IDLE_MINUTES


def test_it_sets_the_idle_lock_from_the_command_line(
    services: Services,
    data_dir: Path,
    run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
):
    argv = ["--data-dir", str(data_dir), "lock-after"]

    assert run_cli([*argv, "1"]) == 0
    assert capsys.readouterr().out == "The app locks itself after 1 minute without use.\n"
    assert run_cli(argv) == 0
    assert capsys.readouterr().out == "The app locks itself after 1 minute without use.\n"
    assert run_cli([*argv, "0"]) == 2
    assert "cannot be turned off" in capsys.readouterr().err
    assert idle_lock_minutes(services.db) == 1


def test_a_store_rekeyed_elsewhere_makes_the_lock_settings_unavailable_not_a_crash(
    services: Services, data_dir: Path
) -> None:
    """Another process changed the passphrase: this one's reads fail as the file no longer
    opens with its key. The lock carries on with what it has, so it must be told in one
    sentence (an ObserverError), never a database library's exception."""
    services.db.engine.dispose()
    other = open_services(data_dir, STORE_PASSPHRASE)
    other.db.rekey("an entirely different passphrase")
    other.close()

    with pytest.raises(StoreUnavailable, match="cannot be read just now"):
        services.idle_lock.minutes()
    with pytest.raises(StoreUnavailable, match="cannot be written just now"):
        services.audit.record_failed_unlocks("someone", [datetime.now(UTC)])
