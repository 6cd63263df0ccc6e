"""The team server's benchmark, run at a tiny size so that it cannot rot: a real cluster,
seeded, a real `observer-server serve`, every figure taken and written to the page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from benchmarks import server, server_seed
from tests.support.postgres import OWNER_ROLE, SERVICE_ROLE, Cluster

ROOT = Path(__file__).resolve().parents[2]
STAMPED_TABLES = server_seed.STAMPED


def test_the_benchmark_measures_every_figure_and_writes_its_section(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n\nThe laptop's figures.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/server.py", "--observations", "300", "--workers", "20",
         "--runs", "1", "--output", str(page)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip

    assert done.returncode in (0, 1), done.stderr  # 1: a target missed on a busy machine
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nThe laptop's figures.\n")
    section = server.kept_section(text)
    assert "--observations 300 --workers 20" in section
    rows = [line for line in section.splitlines() if line.startswith("| ") and "Figure" not in line]
    assert [row.split(" (")[0] for row in rows] == [
        "| First sync of a team manager's laptop, 300 observations in scope",  # one team
        "| One edited draft pushed and pulled end to end on loopback",
        "| 3 laptops syncing at once, each a whole sync",
        "| Peak memory of the sync service",
    ]
    assert ", 0 errors; 2 of them push an edited draft" in rows[2]  # both practice leads


def test_run_py_keeps_the_team_server_section_it_does_not_measure() -> None:
    page = "# Performance\n\nold table\n\n## Team server\n\nits table\n"
    section = server.kept_section(page)

    assert section == "## Team server\n\nits table\n"
    assert server.without_section(page) == "# Performance\n\nold table\n\n"


def test_a_seed_is_stamped_as_the_triggers_stamp_and_is_the_same_every_time(
    tmp_path: Path,
) -> None:
    cluster = Cluster.start()
    try:
        contents = []
        for name in ("first", "second"):
            with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
                if name == "first":
                    conn.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN")
                    conn.execute(f"CREATE ROLE {SERVICE_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
                conn.execute(f"CREATE DATABASE {name} OWNER {OWNER_ROLE}")
            _migrate(cluster, name)
            seeded = server_seed.seed(cluster.conninfo(OWNER_ROLE, name), 200, 20, seed=7)
            with psycopg.connect(cluster.conninfo(OWNER_ROLE, name)) as conn:
                for table in STAMPED_TABLES:
                    xids = conn.execute(f"SELECT DISTINCT written_xid FROM {table}").fetchall()
                    assert xids == [(seeded.xid,)], table
                # The next row written is stamped after every seeded one, by the trigger.
                last = conn.execute("SELECT max(server_revision) FROM observations").fetchone()
                conn.execute("UPDATE people SET active = false WHERE id = %s", (seeded.leads[0],))
                restamped = conn.execute(
                    "SELECT server_revision, written_xid FROM people WHERE id = %s",
                    (seeded.leads[0],),
                ).fetchone()
                assert last is not None
                assert restamped is not None
                assert restamped[0] > last[0]
                assert restamped[1] != seeded.xid
                # Each observation's revision is above its parts', as the touch trigger leaves it.
                assert conn.execute(
                    "SELECT count(*) FROM ratings r JOIN observations o ON o.id = r.observation_id"
                    " WHERE r.server_revision > o.server_revision"
                ).fetchone() == (0,)
                signed = conn.execute(
                    "SELECT count(*) FILTER (WHERE status = 'signed'), count(*) FROM observations"
                ).fetchone()
                contents.append(
                    conn.execute(
                        "SELECT id, observed_person_id, strengths FROM observations ORDER BY id"
                    ).fetchall()
                )
            assert signed is not None
            assert signed[0] > signed[1] / 2
    finally:
        cluster.stop()
    assert contents[0] == contents[1]
    assert len(contents[0]) == 200


def test_a_signed_record_of_the_seed_is_still_guarded_by_its_trigger() -> None:
    cluster = Cluster.start()
    try:
        with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN")
            conn.execute(f"CREATE ROLE {SERVICE_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
            conn.execute(f"CREATE DATABASE observer OWNER {OWNER_ROLE}")
        _migrate(cluster, "observer")
        server_seed.seed(cluster.conninfo(OWNER_ROLE, "observer"), 50, 10)
        with psycopg.connect(cluster.conninfo(OWNER_ROLE, "observer")) as conn:
            signed = conn.execute(
                "SELECT id FROM observations WHERE status = 'signed' LIMIT 1"
            ).fetchone()
            assert signed is not None
            with pytest.raises(psycopg.Error) as refused:
                conn.execute("UPDATE observations SET strengths = 'x' WHERE id = %s", signed)
            assert refused.value.sqlstate == "OB001"
    finally:
        cluster.stop()


def test_a_seed_leaves_every_index_and_constraint_the_migrations_made() -> None:
    """The seed drops the indexes and constraints of the tables it fills by the million
    and makes them again after the load: none may be missing or changed."""
    shape = (
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid::regclass::text NOT LIKE 'pg_%%' UNION ALL "
        "SELECT conname, pg_get_constraintdef(oid) || convalidated::text FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
    )
    cluster = Cluster.start()
    try:
        shapes = []
        for name in ("empty", "seeded"):
            with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
                if name == "empty":
                    conn.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN")
                    conn.execute(f"CREATE ROLE {SERVICE_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
                conn.execute(f"CREATE DATABASE {name} OWNER {OWNER_ROLE}")
            _migrate(cluster, name)
            if name == "seeded":
                server_seed.seed(cluster.conninfo(OWNER_ROLE, name), 30, 10)
            with psycopg.connect(cluster.conninfo(OWNER_ROLE, name)) as conn:
                shapes.append(conn.execute(shape).fetchall())
    finally:
        cluster.stop()
    assert shapes[0] == shapes[1]
    assert any(row[0] == "fk_ratings_observation_id_observations" for row in shapes[1])


def _migrate(cluster: Cluster, name: str) -> None:
    from observer.server.database import database_url, make_engine
    from observer.server.migrate import migrate

    engine = make_engine(database_url(cluster.url(OWNER_ROLE, name)))
    try:
        migrate(engine, SERVICE_ROLE)
    finally:
        engine.dispose()
