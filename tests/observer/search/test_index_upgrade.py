"""Upgrading to an index that keeps no copy of the text (0009) finds the same records, ranks
them the same and gives the same snippets, on the stores each released schema made; and
the store is smaller for it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from observer.search.service import search
from observer.security.unlock import unlock
from observer.services import open_services
from observer.store import encryption
from observer.store.db import MIGRATIONS_DIR, make_engine
from observer.store.encryption import StoreKey, key_for
from tests.support.old_store import observation_id, store_at_0006
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.paths import FIXTURES

# Every word the index holds, each searched as FTS5 is asked by the app: the records found,
# their bm25 rank and the snippet FTS5 makes of them.
FOUND = (
    "SELECT rowid, round(bm25(search_text), 9), "
    "snippet(search_text, -1, '[', ']', '...', 18) FROM search_text "
    "WHERE search_text MATCH :words ORDER BY rowid"
)


def upgrade_to(path: Path, key: StoreKey, revision: str) -> None:
    engine = make_engine(path, key)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()


def everything_found(path: Path, key: StoreKey) -> dict[str, list[tuple[object, ...]]]:
    connection = encryption.connect(path, key)
    try:
        connection.execute(
            "CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, search_text, row)"
        )
        words = [row[0] for row in connection.execute("SELECT term FROM temp.words")]
        return {
            word: [tuple(row) for row in connection.execute(FOUND, {"words": f'"{word}"'})]
            for word in words
        }
    finally:
        connection.close()


def at_0008(fixture: Path, folder: Path) -> tuple[Path, StoreKey]:
    folder.mkdir()
    path = folder / "observer.sqlite"
    shutil.copyfile(fixture, path)
    unlock(folder, STORE_PASSPHRASE)
    key = key_for(path, STORE_PASSPHRASE)
    upgrade_to(path, key, "0008")
    return path, key


@pytest.mark.parametrize("schema", ["0001", "0002"])
def test_every_word_finds_the_same_records_ranks_and_snippets_after_the_upgrade(
    tmp_path: Path, schema: str
) -> None:
    path, key = at_0008(FIXTURES / f"schema-{schema}.sqlite", tmp_path / "store")
    before = everything_found(path, key)
    assert len(before) > 10
    assert all(before.values())

    services = open_services(path.parent, STORE_PASSPHRASE)
    try:
        hits = search(services.db, "patient")
    finally:
        services.close()

    assert everything_found(path, key) == before
    if schema == "0001":
        assert [hit.snippet for hit in hits] == ["Warm & patient <with> the child"]


def test_records_changed_but_not_yet_indexed_at_the_upgrade_are_found_as_they_are_now(
    tmp_path: Path,
) -> None:
    path = tmp_path / "observer.sqlite"
    key = encryption.new_key(STORE_PASSPHRASE)
    store_at_0006(path, key, observations=300)
    upgrade_to(path, key, "0008")
    connection = encryption.connect(path, key)
    try:
        with connection:
            connection.execute(
                "UPDATE observations SET strengths = 'Quietly reassuring throughout' "
                "WHERE id = :id",
                {"id": observation_id(7)},
            )
            connection.execute(
                "UPDATE ratings SET evidence = 'Drew a lighthouse together' "
                "WHERE observation_id = :id",
                {"id": observation_id(9)},
            )
        queued = connection.execute("SELECT count(*) FROM search_pending").fetchone()[0]
    finally:
        connection.close()
    assert queued == 2

    services = open_services(tmp_path, STORE_PASSPHRASE)
    try:
        reassuring = search(services.db, "reassuring")
        lighthouse = search(services.db, "lighthouse")
        houses = search(services.db, "houses", limit=500)
    finally:
        services.close()

    assert [hit.observation_id.hex for hit in reassuring] == [observation_id(7)]
    assert [hit.snippet for hit in lighthouse] == ["Drew a lighthouse together"]
    # Record 9's evidence no longer has "houses"; its strengths still do.
    assert len(houses) == 300
    assert {hit.field for hit in houses if hit.observation_id.hex == observation_id(9)} == {
        "strengths"
    }


def test_the_upgrade_gives_the_index_copy_of_the_text_back_to_the_disk(tmp_path: Path) -> None:
    path = tmp_path / "observer.sqlite"
    key = encryption.new_key(STORE_PASSPHRASE)
    store_at_0006(path, key, observations=2000)
    upgrade_to(path, key, "0008")
    before = path.stat().st_size

    open_services(tmp_path, STORE_PASSPHRASE).close()

    assert path.stat().st_size < 0.8 * before
    connection = encryption.connect(path, key)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
    finally:
        connection.close()
    assert "search_text_content" not in tables
    assert free == 0
