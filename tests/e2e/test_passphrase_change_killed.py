"""A passphrase change killed at any step (a power cut, SIGKILL) is finished by the next
unlock with the new passphrase, or, killed before the store took the new passphrase, left
undone: never backups or a signing identity stranded under the old passphrase, never a
sound store called damaged, never an old backup restored over it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from observer.governance.audit import AuditTrail
from observer.paths import backups_dir, database_path
from observer.people.directory import PersonDetails
from observer.security.passphrase_change import MARKER
from observer.services import open_services
from observer.signing.errors import WrongPassphrase
from observer.signing.identity import ensure_identity, identity_info
from observer.store import backups, encryption
from observer.store.encryption import WrongStorePassphrase
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE

pytestmark = pytest.mark.e2e

DRIVER = Path(__file__).with_name("passphrase_driver.py")
NEW = "a quite different passphrase"
WORKER = "Ffion Blackwood-Ames"
BACKUPS = 3


def a_store_with_backups_and_an_identity(data_dir: Path) -> list[Path]:
    services = open_services(data_dir, STORE_PASSPHRASE)
    try:
        services.people.add_person(PersonDetails(WORKER, Role.SOCIAL_WORKER))
        made = [services.backups.make() for _ in range(BACKUPS)]
    finally:
        services.close()
    ensure_identity(data_dir, STORE_PASSPHRASE, "Aled Hughes", "Northshire")
    return made


def run_change(data_dir: Path, step: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OBSERVER_PASSPHRASE": STORE_PASSPHRASE,
        "OBSERVER_NEW_PASSPHRASE": NEW,
    }
    return subprocess.run(
        [sys.executable, str(DRIVER), step, str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cli(data_dir: Path, passphrase: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OBSERVER_PASSPHRASE": passphrase}
    return subprocess.run(
        [sys.executable, "-m", "observer", "--data-dir", str(data_dir), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def opens(path: Path, passphrase: str) -> bool:
    try:
        encryption.key_for(path, passphrase)
    except WrongStorePassphrase:
        return False
    return True


def identity_opens(data_dir: Path, passphrase: str) -> bool:
    try:
        identity_info(data_dir, passphrase)
    except WrongPassphrase:
        return False
    return True


def passphrase_changes(data_dir: Path, passphrase: str) -> int:
    services = open_services(data_dir, passphrase)
    try:
        events = AuditTrail(services.db).events(limit=1000)
        return sum(1 for e in events if e.action_code == "passphrase_change")
    finally:
        services.close()


def leftovers(data_dir: Path) -> list[str]:
    staged = [p.name for p in backups_dir(data_dir).glob("*.rekeying*")]
    staged += [p.name for p in (data_dir / "signing").glob("*.rekeyed")]
    return staged + ([MARKER] if (data_dir / MARKER).exists() else [])


@pytest.mark.parametrize(
    "step",
    [
        pytest.param("store re-keyed", id="after-the-store-is-re-keyed"),
        pytest.param("backup staged#2", id="midway-through-the-backups"),
        pytest.param("backups re-keyed", id="before-the-identity"),
        pytest.param("identities in place", id="before-the-audit-event"),
    ],
)
def test_a_change_killed_after_the_store_took_the_new_passphrase_is_finished_by_the_next_unlock(
    data_dir: Path, step: str
) -> None:
    made = a_store_with_backups_and_an_identity(data_dir)
    store = database_path(data_dir)

    killed = run_change(data_dir, step)

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert opens(store, NEW)
    assert not opens(store, STORE_PASSPHRASE)
    # Before the next unlock, the old passphrase is told the change is under way, never
    # that the store is damaged, and restores nothing over it.
    told = cli(data_dir, STORE_PASSPHRASE, "list")
    assert told.returncode == 2
    assert "damaged" not in told.stderr
    assert "was interrupted after the store took the new one" in told.stderr
    assert "Open it with the new passphrase" in told.stderr
    before = store.read_bytes()
    # A restore, with either passphrase, says the change is to be finished first, whichever
    # backup it names (one not yet re-keyed opens with neither passphrase alone).
    for passphrase in (STORE_PASSPHRASE, NEW):
        for backup in made:
            refused = cli(data_dir, passphrase, "restore", str(backup), "--yes")
            assert refused.returncode == 2
            assert "A passphrase change of this store is unfinished" in refused.stderr
            assert "with the new passphrase first, which finishes it" in refused.stderr
            assert "damaged" not in refused.stderr
    assert store.read_bytes() == before
    assert not list(data_dir.glob("*damaged*"))

    finished = cli(data_dir, NEW, "team")  # this unlock finishes the change, saying so
    assert finished.returncode == 0, finished.stderr
    assert "Finishing the passphrase change that was interrupted" in finished.stderr
    assert passphrase_changes(data_dir, NEW) == 1

    assert all(opens(b, NEW) and not opens(b, STORE_PASSPHRASE) for b in made)
    assert identity_opens(data_dir, NEW)
    assert not identity_opens(data_dir, STORE_PASSPHRASE)
    assert leftovers(data_dir) == []
    assert passphrase_changes(data_dir, NEW) == 1  # and only once
    for backup in made:
        old = cli(data_dir, STORE_PASSPHRASE, "restore", str(backup), "--yes")
        assert old.returncode == 2
        assert "does not open" in old.stderr
    assert opens(store, NEW)
    assert cli(data_dir, STORE_PASSPHRASE, "list").returncode == 2
    listed = cli(data_dir, NEW, "team")
    assert listed.returncode == 0, listed.stderr
    assert WORKER in listed.stdout
    assert backups.list_backups(data_dir)  # nothing was set aside or lost


def test_a_change_killed_before_the_store_is_re_keyed_leaves_the_old_passphrase_working(
    data_dir: Path,
) -> None:
    made = a_store_with_backups_and_an_identity(data_dir)
    store = database_path(data_dir)

    killed = run_change(data_dir, "store")

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not opens(store, NEW)
    # The new passphrase, tried first, is told the truth: the change did not happen, and
    # the passphrase from before it opens the store (and it alone undoes the change).
    for _ in range(2):
        told = cli(data_dir, NEW, "list")
        assert told.returncode == 2
        assert "did not happen" in told.stderr
        assert "passphrase from before the change" in told.stderr
        assert "Open it with the new passphrase" not in told.stderr
        assert (data_dir / MARKER).exists()
    refused = cli(data_dir, NEW, "restore", str(made[-1]), "--yes")
    assert refused.returncode == 2
    assert "A passphrase change of this store is unfinished" in refused.stderr
    assert "passphrase from before the change first, which undoes it" in refused.stderr
    assert passphrase_changes(data_dir, STORE_PASSPHRASE) == 0  # this unlock undoes it
    assert opens(store, STORE_PASSPHRASE)
    assert all(opens(b, STORE_PASSPHRASE) for b in made)
    assert identity_opens(data_dir, STORE_PASSPHRASE)
    assert leftovers(data_dir) == []
    assert cli(data_dir, NEW, "team").returncode == 2
    # and the change can be made afterwards
    done = run_change(data_dir, "never")
    assert done.returncode == 0, done.stderr
    assert "3 backups" in done.stdout
    # before the long part, a line on stderr says what is happening
    assert "Re-encrypting the store and 3 backups; this can take a minute" in done.stderr
    assert passphrase_changes(data_dir, NEW) == 1


def test_processes_opening_the_store_at_once_after_a_kill_finish_the_change_once(
    data_dir: Path,
) -> None:
    made = a_store_with_backups_and_an_identity(data_dir)
    killed = run_change(data_dir, "store re-keyed")
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    env = {**os.environ, "OBSERVER_PASSPHRASE": NEW}
    command = [sys.executable, "-m", "observer", "--data-dir", str(data_dir), "team"]
    started = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=180), *p.communicate()) for p in started]

    for returncode, out, err in results:
        assert returncode == 0, err
        assert WORKER in out
    assert passphrase_changes(data_dir, NEW) == 1
    for backup in made:
        assert backups.check_file(backup, encryption.key_for(backup, NEW)) is None
        assert not opens(backup, STORE_PASSPHRASE)
    assert identity_opens(data_dir, NEW)
    assert leftovers(data_dir) == []


@pytest.mark.parametrize("rekeyed", [True, False], ids=["after-the-re-key", "before-it"])
def test_a_change_still_running_is_called_running_not_interrupted(
    data_dir: Path, rekeyed: bool
) -> None:
    made = a_store_with_backups_and_an_identity(data_dir)
    env = {**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE, "OBSERVER_NEW_PASSPHRASE": NEW}
    step = "store re-keyed" if rekeyed else "store"
    running = subprocess.Popen(
        [sys.executable, str(DRIVER), f"{step}!pause", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if (data_dir / "paused").exists():
                break
            assert running.poll() is None
            time.sleep(0.1)
        wrong = NEW if not rekeyed else STORE_PASSPHRASE
        told = cli(data_dir, wrong, "list")
        assert told.returncode == 2
        assert "is being changed right now" in told.stderr
        assert "stopped" not in told.stderr
        assert "interrupted" not in told.stderr
        refused = cli(data_dir, NEW, "restore", str(made[-1]), "--yes")
        assert refused.returncode == 2
        assert "still running, or interrupted" in refused.stderr
    finally:
        running.kill()
        running.wait(timeout=30)
