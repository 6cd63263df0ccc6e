"""A backup restored, as docs/server.md tells IT to restore it: laptops that synced before
get every record again and see what is written after, whether the dump went into a new
PostgreSQL cluster (whose transaction ids start again) or back into the same one.

The nightly script makes the dump (tests/support/restore.py runs the documented commands).
A laptop is the sync service's client in process, holding the cursor it last had."""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from observer.server import feed, schema
from observer.server.epoch import RESTAMPED
from observer.server.serve import CannotServe, check_database
from tests.support import restore
from tests.support.postgres import OWNER_ROLE, SERVICE_ROLE, Cluster
from tests.support.server import Framework, ServerDatabase
from tests.support.sync_client import Service, sentence

TOKEN = "restore-test-laptop-token"


@pytest.fixture(scope="module")
def new_cluster() -> Iterator[Cluster]:
    """Another PostgreSQL, as a new machine would have it: the two roles, nothing else."""
    cluster = Cluster.start()
    try:
        with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN")
            conn.execute(f"CREATE ROLE {SERVICE_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
        yield cluster
    finally:
        cluster.stop()


@dataclass
class Team:
    db: ServerDatabase
    framework: Framework
    lead: uuid.UUID
    worker: uuid.UUID
    draft: uuid.UUID

    def observe(self) -> uuid.UUID:
        return self.db.observation(self.framework, self.worker, self.lead)


def _team(db: ServerDatabase) -> Team:
    """A practice lead's team with three observations, and the lead's enrolled laptop."""
    team = db.team("Northshire Child Protection A")
    lead = db.person("Asha Fernbrook", team, role="practice_lead")
    worker = db.person("Dev Ollerton", team)
    framework = db.framework()
    with db.owner.begin() as conn:
        conn.execute(schema.person_roles.insert().values(person_id=lead, role="practice_lead"))
    db.assign(lead, team)
    db.add(schema.laptops, person_id=lead, token_hash=hashlib.sha256(TOKEN.encode()).digest())
    scene = Team(db, framework, lead, worker, uuid.uuid4())
    scene.observe()
    scene.observe()
    scene.draft = scene.observe()
    return scene


def _ids(records: list[dict[str, object]]) -> set[str]:
    return {str(record["id"]) for record in records}


def _burn_transactions(cluster: Cluster, count: int) -> None:
    """Runs `count` transactions, as a server in use for months has."""
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(
            f"DO $$ BEGIN FOR i IN 1..{count} LOOP PERFORM pg_current_xact_id(); COMMIT; "
            "END LOOP; END $$"
        )


def _dump(db: ServerDatabase, tmp_path: Path, user: str | None = None) -> Path:
    done = restore.backup(db.cluster, db.name, tmp_path / "backups", user=user)
    assert done.returncode == 0, done.stderr
    (dump,) = (tmp_path / "backups").glob("observer-*.dump")
    return dump


def _current_xid(db: ServerDatabase) -> int:
    with db.owner.connect() as conn:
        xid: int = conn.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one()
    return xid


def _migrated(cluster: Cluster, database: str, *options: str) -> str:
    done = restore.migrate(cluster, database, *options)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "role",
    [None, OWNER_ROLE],
    ids=["by the superuser (Debian)", "by the tables' owner (a managed PostgreSQL)"],
)
def test_a_dump_restored_into_a_new_cluster_gives_laptops_everything_and_what_comes_after(
    server_db: ServerDatabase, new_cluster: Cluster, tmp_path: Path, role: str | None
) -> None:
    _burn_transactions(server_db.cluster, 3000)
    team = _team(server_db)
    before = Service(server_db.service).pull_all(TOKEN)
    assert len(before["observations"]) == 3
    dump = _dump(server_db, tmp_path, user=role)

    restore.restore(new_cluster, dump, "observer_new", user=role)
    restored = ServerDatabase.connect(new_cluster, "observer_new")
    try:
        # The rows came with the first cluster's transaction ids, beyond the new one's own.
        with restored.owner.connect() as conn:
            highest = conn.execute(text("SELECT max(written_xid) FROM observations")).scalar_one()
        assert highest > _current_xid(restored)

        # Until migrate has restamped the feed, the service neither starts nor answers.
        with pytest.raises(CannotServe, match="restored"):
            check_database(restored.service)
        laptop = Service(restored.service)
        assert "not ready" in sentence(laptop.pull(TOKEN, before["cursor"]), 503)

        said = _migrated(new_cluster, "observer_new")
        assert "restored or moved" in said
        check_database(restored.service)

        stale = laptop.pull(TOKEN, before["cursor"])
        assert stale.json()["error"] == "cursor_epoch"
        assert "pull again from the beginning" in sentence(stale, 409)
        again = laptop.pull_all(TOKEN)
        for kind in ("observations", "people", "teams", "frameworks"):
            assert _ids(again[kind]) == _ids(before[kind]), kind

        written = Team(restored, team.framework, team.lead, team.worker, team.draft).observe()
        after = laptop.pull_all(TOKEN, again["cursor"])
        assert _ids(after["observations"]) == {str(written)}
        assert laptop.pull_all(TOKEN, after["cursor"])["observations"] == []
    finally:
        restored.owner.dispose()
        restored.service.dispose()
        restore.drop(new_cluster, "observer_new")


@pytest.mark.parametrize("how", ["into a new database", "over the old one (--clean)"])
def test_a_dump_restored_into_the_same_cluster_takes_laptops_back_to_it(
    server_db: ServerDatabase, tmp_path: Path, how: str
) -> None:
    team = _team(server_db)
    laptop = Service(server_db.service)
    dump = _dump(server_db, tmp_path)
    # After the dump: one record written, one draft deleted; the laptop pulls both.
    lost = team.observe()
    with server_db.owner.begin() as conn:
        conn.execute(schema.observations.delete().where(schema.observations.c.id == team.draft))
    before = laptop.pull_all(TOKEN)
    assert str(lost) in _ids(before["observations"])
    assert str(team.draft) not in _ids(before["observations"])

    server_db.owner.dispose()
    server_db.service.dispose()
    clean = how.endswith("(--clean)")
    if not clean:
        restore.drop(server_db.cluster, server_db.name)
    restore.restore(server_db.cluster, dump, server_db.name, clean=clean)
    assert "restored or moved" in _migrated(server_db.cluster, server_db.name)

    assert sentence(laptop.pull(TOKEN, before["cursor"]), 409)
    again = laptop.pull_all(TOKEN)
    assert str(team.draft) in _ids(again["observations"])
    assert str(lost) not in _ids(again["observations"])
    written = team.observe()
    assert _ids(laptop.pull_all(TOKEN, again["cursor"])["observations"]) == {str(written)}


def test_migrate_again_after_a_restore_changes_nothing_more(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    _team(server_db)
    cursor = Service(server_db.service).pull_all(TOKEN)["cursor"]
    said = _migrated(server_db.cluster, server_db.name)
    assert "restored" not in said
    assert Service(server_db.service).pull(TOKEN, cursor).status_code == 200


def test_a_restore_the_database_cannot_show_is_declared_to_migrate(
    server_db: ServerDatabase,
) -> None:
    """A virtual machine's snapshot rolled back keeps every identity: IT says so."""
    _team(server_db)
    laptop = Service(server_db.service)
    before = laptop.pull_all(TOKEN)
    assert "A restore was declared" in _migrated(server_db.cluster, server_db.name, "--restored")
    assert laptop.pull(TOKEN, before["cursor"]).json()["error"] == "cursor_epoch"
    assert _ids(laptop.pull_all(TOKEN)["observations"]) == _ids(before["observations"])


def test_a_cursor_from_beyond_the_servers_transactions_starts_the_laptop_again(
    server_db: ServerDatabase,
) -> None:
    """What a laptop holds when the server went back in time and nobody said so."""
    _team(server_db)
    laptop = Service(server_db.service)
    epoch, _, _ = laptop.pull_all(TOKEN)["cursor"].split(".")
    ahead = f"{epoch}.{_current_xid(server_db) + 1000}.0"
    assert laptop.pull(TOKEN, ahead).json()["error"] == "cursor_epoch"
    assert laptop.pull(TOKEN, "5.1").json()["error"] == "cursor_epoch"  # before epochs


def test_the_nightly_backup_keeps_its_days_and_no_half_written_dump(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    old, recent, other = (
        backups / "observer-20250101T023000Z.dump",
        backups / "observer-20261130T023000Z.dump",
        backups / "notes.txt",
    )
    for path, days in ((old, 40), (recent, 5), (other, 400)):
        path.write_bytes(b"x")
        then = time.time() - days * 86400
        os.utime(path, (then, then))

    done = restore.backup(server_db.cluster, server_db.name, backups, keep_days=30)
    assert done.returncode == 0, done.stderr
    assert f"removed {old}" in done.stdout
    kept = sorted(path.name for path in backups.iterdir())
    assert len(kept) == 3
    assert kept[0] == "notes.txt"
    assert recent.name in kept
    assert not old.exists()
    (made,) = set(backups.glob("observer-*.dump")) - {recent}
    assert made.stat().st_mode & 0o777 == 0o600

    failed = restore.backup(server_db.cluster, "no_such_database", backups, keep_days=0)
    assert failed.returncode != 0
    assert "no_such_database" in failed.stderr
    assert sorted(path.name for path in backups.iterdir()) == kept


def test_every_table_the_feed_orders_is_restamped_by_a_new_epoch() -> None:
    """A table added to the feed but not restamped would keep a restored cluster's order."""
    query = " ".join(
        str(statement.compile())
        for statement in (feed._others(), feed._observations(narrowed=True))
    )
    read = set(re.findall(r"\bFROM (\w+)", query)) - {"anon_1"}
    assert read
    assert read <= set(RESTAMPED)
