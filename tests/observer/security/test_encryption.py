"""Encryption at rest: nothing readable under the data dir, the passphrase and its
mistakes, an earlier plain store encrypted in place, and changing the passphrase."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from observer.errors import InvalidInput
from observer.governance.audit import events
from observer.logfile import configure_logging
from observer.paths import backups_dir, database_path
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.security.attempts import FREE_ATTEMPTS, UnlockAttempts
from observer.security.unlock import StoreState, TooManyAttempts, store_state
from observer.services import Services, open_services
from observer.store import encryption
from observer.store.encryption import StoreNotEncrypted, WrongStorePassphrase
from observer.vocabulary import Kind, Role
from tests.support.core import RunCli, Staff
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.paths import FIXTURES

WORKER = "Philippa Quennell-Ashdown"
NARRATIVE = "Talked about the kestrel-blue lunchbox her nan bought"
EVIDENCE = "Sat at the child's level and waited for the marmalade story"
NEW_PASSPHRASE = "a longer, newer passphrase"


def readable_anywhere(folder: Path, *secrets: str) -> list[str]:
    """Every file under `folder` holding any secret in UTF-8 or UTF-16 (either order)."""
    needles = [
        text.encode(codec)
        for secret in secrets
        for text in (secret, secret.lower(), secret.upper())
        for codec in ("utf-8", "utf-16-le", "utf-16-be")
    ]
    return sorted(
        f"{path.relative_to(folder)} holds {needle!r}"
        for path in folder.rglob("*")
        if path.is_file()
        for needle in needles
        if needle in path.read_bytes()
    )


def record_with_secrets(services: Services) -> uuid.UUID:
    people = services.people
    worker = people.add_person(PersonDetails(WORKER, Role.SOCIAL_WORKER))
    lead = people.add_person(PersonDetails("Aled Hughes", Role.PRACTICE_LEAD))
    draft = services.recording.create_draft(
        DraftDetails(worker, lead, Kind.HOME_VISIT, datetime(2026, 3, 4, 10, 0, tzinfo=UTC))
    )
    services.recording.update(draft, {"child_voice": NARRATIVE, "strengths": NARRATIVE})
    services.recording.set_rating(draft, "1", level_code="good", evidence=EVIDENCE)
    return draft


def test_no_name_or_narrative_is_readable_under_the_data_dir(
    data_dir: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    handler = configure_logging(data_dir)
    try:
        services = open_services(data_dir, STORE_PASSPHRASE)
        try:
            record_with_secrets(services)
            services.db.backup_to(backups_dir(data_dir), "by-hand")
            # While open: the write-ahead log holds the latest pages.
            assert database_path(data_dir).with_name("observer.sqlite-wal").exists()
            assert readable_anywhere(data_dir, WORKER, NARRATIVE, EVIDENCE) == []
        finally:
            services.close()
        assert run_cli(["--data-dir", str(data_dir), "list"]) == 0
        sealed = data_dir / "handover.bundle"
        assert run_cli(["--data-dir", str(data_dir), "export-json", "-o", str(sealed)]) == 0
    finally:
        handler.close()

    found = readable_anywhere(data_dir, WORKER, NARRATIVE, EVIDENCE)

    assert found == []
    files = {p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*") if p.is_file()}
    assert {"observer.sqlite", "logs/observer.log", "handover.bundle"} <= files
    assert any(name.startswith("backups/") for name in files)


def test_the_store_opens_with_its_passphrase_in_any_sqlcipher_tool(services: Services) -> None:
    record_with_secrets(services)
    services.close()
    connection = encryption.dbapi().connect(str(services.db.path))
    try:
        connection.execute(f"PRAGMA key = '{STORE_PASSPHRASE}'")
        names = [row[0] for row in connection.execute("SELECT name FROM people")]
    finally:
        connection.close()
    assert WORKER in names


def test_a_wrong_passphrase_is_one_sentence_and_changes_nothing(services: Services) -> None:
    record_with_secrets(services)
    services.close()
    before = services.db.path.read_bytes()

    with pytest.raises(WrongStorePassphrase) as refused:
        open_services(services.data_dir, "not the passphrase")

    assert str(refused.value) == "That passphrase does not open the store."
    assert services.db.path.read_bytes() == before


def test_repeated_wrong_passphrases_wait_longer_each_time(services: Services) -> None:
    data_dir = services.data_dir
    services.close()
    attempts = UnlockAttempts(data_dir)
    for _ in range(FREE_ATTEMPTS - 1):
        with pytest.raises(WrongStorePassphrase):
            open_services(data_dir, "a wrong guess")
    assert attempts.wait() == timedelta(0)

    with pytest.raises(WrongStorePassphrase):
        open_services(data_dir, "a wrong guess")

    assert attempts.wait() > timedelta(0)
    with pytest.raises(TooManyAttempts, match=r"try again in \d+ seconds?\.$"):
        open_services(data_dir, STORE_PASSPHRASE)  # even the right one waits its turn
    pending = attempts.pending()
    assert pending is not None
    last = pending.last
    first_wait = attempts.wait(last)
    attempts.failed(last)
    assert attempts.wait(last) > first_wait
    assert attempts.wait(last + timedelta(minutes=2)) == timedelta(0)


def test_failed_unlocks_are_written_to_the_audit_trail_once_the_store_opens(
    services: Services,
) -> None:
    data_dir = services.data_dir
    services.close()
    for _ in range(2):
        with pytest.raises(WrongStorePassphrase):
            open_services(data_dir, "a wrong guess")

    reopened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        failed = [e for e in events(reopened.db) if e.action_code == "failed_unlock"]
    finally:
        reopened.close()

    [event] = failed  # one event for both, with how many and when
    assert event.detail.startswith("2 wrong passphrases before this unlock, the first at ")
    assert not (data_dir / "unlock-attempts.json").exists()


def test_a_new_store_needs_a_passphrase_long_enough(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="at least 8 characters"):
        open_services(tmp_path / "new", "short")
    assert store_state(tmp_path / "new") is StoreState.NEW


@pytest.fixture
def earlier_store(tmp_path: Path) -> Path:
    """A plain store from the schema-0002 version, with a plain backup beside it."""
    data_dir = tmp_path / "earlier"
    backups_dir(data_dir).mkdir(parents=True)
    shutil.copyfile(FIXTURES / "schema-0002.sqlite", database_path(data_dir))
    shutil.copyfile(
        FIXTURES / "schema-0002.sqlite", backups_dir(data_dir) / "observer-before-x.sqlite"
    )
    return data_dir


def test_an_earlier_plain_store_is_encrypted_in_place_with_its_backups(
    earlier_store: Path,
) -> None:
    person = "Zoë Łukasiewicz"  # a name in the fixture's records
    assert readable_anywhere(earlier_store, person) != []
    assert store_state(earlier_store) is StoreState.PLAIN

    services = open_services(earlier_store, STORE_PASSPHRASE)
    try:
        record = uuid.UUID("00000000000000000000000000001111")
        assert services.recording.get(record).observed_person_name == person
    finally:
        services.close()

    assert store_state(earlier_store) is StoreState.ENCRYPTED
    assert readable_anywhere(earlier_store, person) == []
    assert not list(earlier_store.glob("*.plain")) + list(earlier_store.glob("*.encrypting"))
    for backup in backups_dir(earlier_store).glob("*.sqlite"):
        assert not encryption.is_plain_sqlite(backup)
        assert encryption.opens(backup, encryption.key_for(backup, STORE_PASSPHRASE))


def test_a_failure_while_encrypting_leaves_the_earlier_store_as_it_was(
    earlier_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = database_path(earlier_store).read_bytes()

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(encryption, "copy_encrypted", full_disk)
    with pytest.raises(OSError, match="No space"):
        open_services(earlier_store, STORE_PASSPHRASE)

    assert database_path(earlier_store).read_bytes() == before
    assert store_state(earlier_store) is StoreState.PLAIN


def test_a_plain_file_that_is_not_a_store_is_not_encrypted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    recipes = encryption.connect(database_path(data_dir), None)
    recipes.execute("CREATE TABLE recipes (name TEXT)")
    recipes.commit()
    recipes.close()
    before = database_path(data_dir).read_bytes()

    with pytest.raises(Exception, match="not a Practice Observer database"):
        open_services(data_dir, STORE_PASSPHRASE)

    assert database_path(data_dir).read_bytes() == before


def test_changing_the_passphrase_rekeys_the_store_backups_and_signing_identity(
    services: Services, staff: Staff
) -> None:
    from observer.signing.identity import ensure_identity, identity_info

    record = record_with_secrets(services)
    ensure_identity(services.data_dir, STORE_PASSPHRASE, "Aled Hughes", "Northshire")
    backup = services.db.backup_to(backups_dir(services.data_dir), "by-hand")

    rekeyed = services.change_passphrase(STORE_PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)

    assert rekeyed == 1
    # This session carries on under the new key.
    services.recording.update(record, {"reflection": "Written after the change."})
    assert services.passphrase == NEW_PASSPHRASE
    assert "passphrase_change" in [e.action_code for e in events(services.db)]
    services.close()
    with pytest.raises(WrongStorePassphrase):
        encryption.key_for(services.db.path, STORE_PASSPHRASE)
    with pytest.raises(WrongStorePassphrase):
        encryption.key_for(backup, STORE_PASSPHRASE)
    encryption.key_for(backup, NEW_PASSPHRASE)
    assert identity_info(services.data_dir, NEW_PASSPHRASE).name == "Aled Hughes"
    reopened = open_services(services.data_dir, NEW_PASSPHRASE)
    try:
        assert reopened.recording.get(record).reflection == "Written after the change."
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("not the current one", NEW_PASSPHRASE, NEW_PASSPHRASE, "not the current passphrase"),
        (STORE_PASSPHRASE, "short", "short", "at least 8 characters"),
        (STORE_PASSPHRASE, NEW_PASSPHRASE, "something else", "not the same"),
        (STORE_PASSPHRASE, STORE_PASSPHRASE, STORE_PASSPHRASE, "same as the current"),
    ],
)
def test_a_passphrase_change_that_cannot_be_made_changes_nothing(
    services: Services, current: str, new: str, again: str, message: str
) -> None:
    with pytest.raises((InvalidInput, WrongStorePassphrase), match=message):
        services.change_passphrase(current, new, again)
    services.close()
    encryption.key_for(services.db.path, STORE_PASSPHRASE)


def test_the_command_line_changes_the_passphrase_from_the_environment(
    services: Services, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    data_dir = services.data_dir
    services.close()
    monkeypatch.setenv("OBSERVER_NEW_PASSPHRASE", NEW_PASSPHRASE)

    assert run_cli(["--data-dir", str(data_dir), "passphrase", "change"]) == 0

    assert "The passphrase is changed" in capsys.readouterr().out
    monkeypatch.setenv("OBSERVER_PASSPHRASE", NEW_PASSPHRASE)
    assert run_cli(["--data-dir", str(data_dir), "list"]) == 0
    monkeypatch.setenv("OBSERVER_PASSPHRASE", STORE_PASSPHRASE)
    assert run_cli(["--data-dir", str(data_dir), "list"]) == 2
    assert capsys.readouterr().err == "observer: That passphrase does not open the store.\n"


def test_a_store_key_never_shows_in_its_repr(services: Services) -> None:
    shown = repr(services.key) + repr(services) + repr(services.db.engine.url)
    assert services.key.key.hex() not in shown
    assert STORE_PASSPHRASE not in shown


def test_reading_a_plain_file_as_encrypted_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "observer.sqlite"
    shutil.copyfile(FIXTURES / "schema-0002.sqlite", path)
    with pytest.raises(StoreNotEncrypted):
        encryption.key_for(path, STORE_PASSPHRASE)


def test_a_damaged_plain_backup_or_an_interrupted_encryption_leaves_no_plaintext(
    earlier_store: Path,
) -> None:
    person = "Zoë Łukasiewicz"  # a name in the fixture's records
    damaged = backups_dir(earlier_store) / "observer-before-y.sqlite"
    whole = (FIXTURES / "schema-0002.sqlite").read_bytes()
    damaged.write_bytes(whole[: len(whole) // 2])  # cut short: cannot be copied whole
    open_services(earlier_store, STORE_PASSPHRASE).close()
    assert readable_anywhere(earlier_store, person) == []
    assert not damaged.exists()

    # As if the power went after the encrypted store was swapped in, before the shredding.
    set_aside = database_path(earlier_store).with_name("observer.sqlite.plain")
    shutil.copyfile(FIXTURES / "schema-0002.sqlite", set_aside)
    plain_backup = backups_dir(earlier_store) / "observer-before-z.sqlite"
    shutil.copyfile(FIXTURES / "schema-0002.sqlite", plain_backup)
    open_services(earlier_store, STORE_PASSPHRASE).close()

    assert readable_anywhere(earlier_store, person) == []
    assert not set_aside.exists()
    assert encryption.opens(plain_backup, encryption.key_for(plain_backup, STORE_PASSPHRASE))
