"""The store: pragmas, migrations on open, backups, refusal of newer schemas, restores."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from observer.errors import (
    DatabaseTooNew,
    DatabaseUnreadable,
    RecordLocked,
    StoreBusy,
)
from observer.paths import DATABASE_FILE, database_path
from observer.security.unlock import unlock
from observer.services import open_services
from observer.store import encryption
from observer.store.db import MIGRATIONS_DIR, SCHEMA_HEAD, SCHEMA_REVISIONS, Database
from observer.store.encryption import WrongStorePassphrase, key_for
from observer.store.index_tables import is_index_table
from observer.store.models import Action, Base, Observation, Person, Team
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.paths import FIXTURES

FIXTURE_0001 = FIXTURES / "schema-0001.sqlite"


def open_db(path: Path) -> Database:
    """Opens a store file directly, encrypting one from before encryption first."""
    assert path.name == DATABASE_FILE
    return Database.open(path, unlock(path.parent, STORE_PASSPHRASE))


def dump(path: Path) -> list[object]:
    """The schema and every row of the store at `path`, plain or encrypted, in a stable order."""
    plain = encryption.is_plain_sqlite(path)
    connection = encryption.connect(path, None if plain else key_for(path, STORE_PASSPHRASE))
    try:
        schema = connection.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        rows = [
            (name, sorted(map(repr, connection.execute(f'SELECT * FROM "{name}"'))))
            for kind, name, _sql in schema
            if kind == "table"
        ]
        return [*schema, *rows]
    finally:
        connection.close()


def _is_a_model_table(name: str | None, kind: str, _parents: object) -> bool:
    """The search index's FTS5 tables are the SQLite search adapter's, not models."""
    return kind != "table" or name is None or not is_index_table(name)


def assert_schema_is_the_models(db: Database) -> None:
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": _is_a_model_table}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        db.close()


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "observer.sqlite"
    shutil.copyfile(FIXTURE_0001, path)
    return path


def test_a_new_store_is_created_at_the_latest_schema_with_safe_pragmas(tmp_path: Path) -> None:
    db = open_db(tmp_path / "new" / "observer.sqlite")
    try:
        assert db.schema_revision() == SCHEMA_HEAD
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        db.close()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = open_db(tmp_path / "observer.sqlite")
    try:
        with pytest.raises(Exception, match="FOREIGN KEY"), db.session() as s, s.begin():
            s.add(Person(name="Someone", role="social_worker", team_id=uuid.uuid4()))
    finally:
        db.close()


def test_the_migrations_describe_exactly_the_models(tmp_path: Path) -> None:
    assert_schema_is_the_models(open_db(tmp_path / "observer.sqlite"))


def test_the_code_knows_every_revision_alembic_has() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    scripts = ScriptDirectory.from_config(config)
    oldest_first = [r.revision for r in reversed(list(scripts.walk_revisions()))]
    assert tuple(oldest_first) == SCHEMA_REVISIONS
    assert scripts.get_current_head() == SCHEMA_HEAD


def test_a_store_from_the_first_schema_is_upgraded_with_its_records_kept(old_store: Path) -> None:
    db = open_db(old_store)
    try:
        assert db.schema_revision() == SCHEMA_HEAD
        with db.session() as s:
            assert s.scalars(select(Team.name)).all() == ["Children in Care"]
            assert sorted(s.scalars(select(Person.name))) == ["Zoë Łukasiewicz", "Ελένη Παππά"]
            observation = s.scalars(select(Observation)).one()
            assert observation.strengths == "Warm & patient <with> the child"
            assert observation.child_voice == 'A. said "I like my room"'
            assert observation.revision == 3
            assert observation.ratings[0].evidence == "Sat on the floor with A."
            assert observation.overall_level is not None
            assert observation.overall_level.label == "Good"
            assert s.scalars(select(Action.description)).one() == "Update the chronology"
            # The tables the second revision added are there and usable.
            assert s.execute(text("SELECT count(*) FROM signatures")).scalar() == 0
    finally:
        db.close()


def test_an_upgrade_first_keeps_a_backup_of_the_store_as_it_was(old_store: Path) -> None:
    before = dump(old_store)
    open_db(old_store).close()
    backups = list((old_store.parent / "backups").glob("*.sqlite"))
    assert len(backups) == 1
    assert "before-upgrade-0001-to-" in backups[0].name
    assert dump(backups[0]) == before


def test_a_store_already_at_the_latest_schema_is_neither_migrated_nor_backed_up(
    tmp_path: Path,
) -> None:
    path = tmp_path / "observer.sqlite"
    open_db(path).close()
    open_db(path).close()
    assert not (tmp_path / "backups").exists()


def test_a_store_written_by_a_newer_version_is_refused_untouched(old_store: Path) -> None:
    with sqlite3.connect(old_store) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999'")
    connection.close()
    before = dump(old_store)
    with pytest.raises(DatabaseTooNew, match="newer version of Practice Observer"):
        open_db(old_store)
    assert dump(old_store) == before


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    # Encrypted pages look like noise, so noise reads as a store the passphrase does not open.
    path = tmp_path / "observer.sqlite"
    path.write_bytes(b"these are not the records you are looking for" * 100)
    with pytest.raises(WrongStorePassphrase, match="does not open the store"):
        open_db(path)
    assert path.read_bytes().startswith(b"these are not")


def test_another_applications_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "observer.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.close()
    with pytest.raises(DatabaseUnreadable, match="not a Practice Observer database"):
        open_db(path)
    assert dump(path)[0] == ("table", "recipes", "CREATE TABLE recipes (name TEXT)")


def test_the_fixture_store_once_upgraded_has_exactly_the_models_schema(old_store: Path) -> None:
    assert_schema_is_the_models(open_db(old_store))


def test_a_store_busy_elsewhere_is_one_sentence_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("observer.store.db.BUSY_TIMEOUT_MS", 50)
    services = open_services(tmp_path / "data", STORE_PASSPHRASE)
    other = encryption.connect(database_path(tmp_path / "data"), services.key)
    other.isolation_level = None
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreBusy, match="busy with another Practice Observer"):
            services.people.add_team("Children in Care")
        other.execute("ROLLBACK")
        services.people.add_team("Children in Care")
        assert [t.name for t in services.people.list_teams()] == ["Children in Care"]
    finally:
        other.close()
        services.close()


FIXTURE_0002 = FIXTURE_0001.with_name("schema-0002.sqlite")


def test_a_record_signed_under_the_second_schema_still_matches_its_signatures(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE_0002, database_path(data))
    services = open_services(data, STORE_PASSPHRASE)
    try:
        record = uuid.UUID("00000000000000000000000000001111")
        signatures = services.signoff.signatures(record)

        assert services.db.schema_revision() == SCHEMA_HEAD
        assert [g.role.value for g in signatures] == ["observer", "practitioner"]
        assert {g.content_hash for g in signatures} == {services.signoff.current_hash(record)}
        assert services.recording.get(record).observed_person_name == "Zoë Łukasiewicz"
        with pytest.raises(RecordLocked):
            services.recording.update(record, {"strengths": "Changed after signing."})
    finally:
        services.close()


def test_a_record_signed_before_its_wording_was_kept_keeps_it_from_the_upgrade_on(
    tmp_path: Path,
) -> None:
    """Schema 0008 fills in what a record signed earlier shows (names, standard titles,
    level labels) and its signatures' own hashes from the store as it is at upgrade; from
    then on, renaming a level changes nothing it shows, and changing its signature is seen."""
    from sqlalchemy import update

    from observer.store.models import RatingLevel, Signature

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE_0002, database_path(data))
    services = open_services(data, STORE_PASSPHRASE)
    try:
        record = uuid.UUID("00000000000000000000000000001111")
        before = services.signoff.signed_record(record)
        assert before.problem is None
        assert services.audit.verify().ok

        with services.db.session() as s, s.begin():
            s.execute(update(RatingLevel).values(label="Renamed afterwards"))
        after = services.signoff.signed_record(record)
        assert after.view.levels == before.view.levels
        assert after.problem is None

        with services.db.session() as s, s.begin():
            s.execute(update(Signature).values(comment="Written in afterwards."))
        assert services.signoff.signed_record(record).problem is not None
    finally:
        services.close()


def test_sign_offs_made_before_the_upgrade_pass_and_one_typed_in_afterwards_does_not(
    tmp_path: Path,
) -> None:
    """The upgrade to 0008 records each signature it kept in the audit trail, so those pass
    the checks with no digital signature; an addendum typed into the store afterwards, its
    own hash computed to fit, has no event and is refused, while one added here is not."""
    from sqlalchemy import select

    from observer.records.canonical import ONE_OBSERVATION_LOAD_OPTIONS
    from observer.records.seals import own_hash
    from observer.records.sign_off import record_hash
    from observer.store.models import Addendum, Observation, utc_now

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE_0002, database_path(data))
    services = open_services(data, STORE_PASSPHRASE)
    try:
        record = uuid.UUID("00000000000000000000000000001111")
        services.signoff.add_addendum(record, "The visit was on Tuesday.", "Aled Hughes")
        assert services.signoff.signed_record(record).problem is None
        assert services.audit.verify().ok

        with services.db.session() as s, s.begin():
            observation = s.scalars(
                select(Observation)
                .where(Observation.id == record)
                .options(*ONE_OBSERVATION_LOAD_OPTIONS)
            ).one()
            typed = Addendum(
                id=uuid.uuid4(),
                text="Typed in afterwards.",
                author_name="Aled Hughes",
                signed_at=utc_now(),
                content_hash=record_hash(observation),
            )
            observation.addenda.append(typed)
            typed.own_hash = own_hash(typed, observation.wording_at_signing)

        assert services.signoff.signed_record(record).problem is not None
        assert not services.audit.verify().ok
    finally:
        services.close()
