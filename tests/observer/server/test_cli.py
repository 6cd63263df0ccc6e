"""`observer-server`, run as IT would: its answers, its exit codes, and its errors as one
sentence (never a traceback) when the database cannot be used or the input is wrong."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import psycopg
import pytest
from sqlalchemy import func, select, text

from observer.server import schema
from observer.server.cli import main
from observer.server.database import DATABASE_VARIABLE
from observer.server.enrolment import Joined, authenticate, code_hash, redeem, token_hash
from tests.support.postgres import SERVICE_ROLE, Cluster, free_port
from tests.support.server import ServerDatabase


class Ran(NamedTuple):
    exit_code: int
    stdout: str
    stderr: str


def run(argv: Sequence[str], database: str | None = None) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.pop(DATABASE_VARIABLE, None)
    if database is not None:
        os.environ[DATABASE_VARIABLE] = database
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.environ.pop(DATABASE_VARIABLE, None)
        if saved is not None:
            os.environ[DATABASE_VARIABLE] = saved
    return Ran(code, out.getvalue(), err.getvalue())


def one_sentence(ran: Ran) -> str:
    assert ran.exit_code == 2, ran
    assert "Traceback" not in ran.stderr
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert lines[0].startswith("observer-server: ")
    return lines[0]


def test_migrate_twice_from_the_database_variable(empty_db: str) -> None:
    first = run(["migrate"], database=empty_db)
    assert first.exit_code == 0, first
    assert "upgraded from nothing to 0016" in first.stdout
    again = run(["migrate", "--database", empty_db])
    assert again.exit_code == 0, again
    assert "up to date (0016)" in again.stdout


def test_migrate_refuses_roles_that_row_security_would_not_hold(
    postgres: Cluster, empty_db: str
) -> None:
    database = empty_db.rsplit("/", 1)[1]
    as_superuser = one_sentence(run(["migrate"], postgres.url(postgres.superuser, database)))
    assert "not as the superuser" in as_superuser
    assert "no role nobody" in one_sentence(run(["migrate", "--service-role", "nobody"], empty_db))
    bypassing = f"bypassing_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {bypassing} LOGIN BYPASSRLS")
    refused = one_sentence(run(["migrate", "--service-role", bypassing], empty_db))
    assert "must be NOSUPERUSER NOBYPASSRLS" in refused
    owner = one_sentence(run(["migrate", "--service-role", "observer_owner"], empty_db))
    assert "must not be the owner" in owner
    assert run(["migrate"], empty_db).exit_code == 0  # nothing was left half-made


def test_a_schema_newer_than_the_command_is_refused_untouched(server_db: ServerDatabase) -> None:
    with server_db.owner.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    refused = one_sentence(run(["migrate"], server_db.url()))
    assert "schema (0099) is newer than this observer-server knows" in refused
    with server_db.owner.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0099"


def test_a_database_that_cannot_be_used_is_one_sentence(postgres: Cluster, empty_db: str) -> None:
    nowhere = f"postgresql://observer_owner@127.0.0.1:{free_port()}/observer"
    assert "Connection refused" in one_sentence(run(["laptops"], nowhere))
    missing = postgres.url("observer_owner", "no_such_database")
    assert 'database "no_such_database" does not exist' in one_sentence(run(["laptops"], missing))
    assert "needs PostgreSQL" in one_sentence(run(["migrate"], "sqlite:///observer.db"))
    assert "not a database URL" in one_sentence(run(["migrate"], "observer on the server"))
    assert DATABASE_VARIABLE in one_sentence(run(["migrate"]))
    assert "run observer-server migrate" in one_sentence(run(["laptops"], empty_db))


def test_the_installed_command_answers_in_one_sentence(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "observer-server"
    done = subprocess.run(
        [str(command), "laptops"],
        capture_output=True,
        text=True,
        env={**os.environ, DATABASE_VARIABLE: f"postgresql://x@127.0.0.1:{free_port()}/x"},
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("observer-server: Could not use the database")
    assert "Traceback" not in done.stderr


@pytest.fixture
def staff(server_db: ServerDatabase) -> ServerDatabase:
    team_a = server_db.team("Northshire Child Protection A")
    server_db.team("Northshire Child Protection B")
    server_db.person("Priya Shah", role="practice_lead")
    server_db.person("Ada Okafor", team_a)
    server_db.person("Sam Patel")
    server_db.person("Sam  patel")
    return server_db


def _redeem(db: ServerDatabase, code: str) -> Joined | None:
    with db.as_laptop(None) as conn:  # as the service, before any caller is known
        return redeem(conn, code, "Priya's laptop")


def _authenticate(db: ServerDatabase, token: str) -> uuid.UUID | None:
    with db.as_laptop(None) as conn:
        return authenticate(conn, token)


def test_enrol_gives_a_one_time_code_that_a_laptop_joins_with(staff: ServerDatabase) -> None:
    url = staff.url()
    ran = run(
        [
            "enrol",
            "--person",
            "priya shah",
            "--role",
            "practice_lead",
            "--team",
            "Northshire Child Protection A",
        ],
        url,
    )
    assert ran.exit_code == 0, ran
    assert "Priya Shah is now practice lead for Northshire Child Protection A." in ran.stdout
    code = ran.stdout.strip().rsplit(" ", 1)[1]
    assert len(code) == 23
    with staff.owner.connect() as conn:
        stored = conn.execute(select(schema.enrolment_codes.c.code_hash)).scalars().all()
    assert stored == [code_hash(code)]  # the hash, never the code

    joined = _redeem(staff, code.lower().replace("-", " "))  # as read out, say
    assert joined is not None
    laptop = joined.laptop_id
    assert _redeem(staff, code) is None  # once only
    assert _authenticate(staff, joined.token) == laptop
    assert _authenticate(staff, "a guessed token") is None
    with staff.owner.connect() as conn:
        kept = conn.execute(select(schema.laptops.c.token_hash, schema.laptops.c.name)).one()
    assert tuple(kept) == (token_hash(joined.token), "Priya's laptop")
    with staff.as_laptop(laptop) as conn:  # the new laptop sees its lead's team
        assert conn.execute(select(schema.team_assignments.c.person_id)).scalars().all()

    listed = run(["laptops", "--json"], url)
    assert listed.exit_code == 0, listed
    [entry] = json.loads(listed.stdout)
    assert (entry["id"], entry["person"], entry["role"]) == (
        str(laptop),
        "Priya Shah",
        "practice_lead",
    )
    assert entry["last_seen_at"] is not None
    assert entry["last_synced_at"] is None  # seen, but never pulled to the end of the feed
    assert "last synced never" in run(["laptops"], url).stdout
    with staff.as_laptop(laptop) as conn:  # as a pull that reaches the end of the feed
        conn.execute(select(func.observer_laptop_synced()))
    [entry] = json.loads(run(["laptops", "--json"], url).stdout)
    assert entry["last_synced_at"] is not None
    assert "last synced never" not in run(["laptops"], url).stdout
    assert entry["revoked_at"] is None

    revoked = run(["revoke", str(laptop)[:8]], url)
    assert revoked.exit_code == 0, revoked
    assert "can no longer sync" in revoked.stdout
    assert _authenticate(staff, joined.token) is None
    assert "already revoked" in run(["revoke", str(laptop)], url).stdout
    assert "revoked" in run(["laptops"], url).stdout

    # enrolled again, in another role: it replaces the first, teams and all
    again = run(["enrol", "--person", str(entry["person_id"]), "--role", "service"], url)
    assert again.exit_code == 0, again
    with staff.owner.connect() as conn:
        assert conn.execute(select(schema.person_roles.c.role)).scalars().all() == ["service"]
        assert conn.execute(select(schema.team_assignments.c.team_id)).all() == []


def _teams(db: ServerDatabase) -> dict[str, tuple[object, int]]:
    t = schema.teams
    with db.owner.connect() as conn:
        rows = conn.execute(select(t.c.name, t.c.manager_id, t.c.revision)).all()
    return {name: (manager, revision) for name, manager, revision in rows}


def test_an_enrolled_manager_manages_a_team_with_none_and_not_one_that_has_a_manager(
    staff: ServerDatabase,
) -> None:
    url = staff.url()
    team_a, team_b = "Northshire Child Protection A", "Northshire Child Protection B"
    dana = staff.person("Dana Lewis", role="team_manager")
    owen = staff.person("Owen Price", role="team_manager")

    ran = run(["enrol", "--person", "Dana Lewis", "--role", "team_manager", "--team", team_a], url)
    assert ran.exit_code == 0, ran
    assert f"Dana Lewis is now the manager of {team_a}, on every laptop at its next sync." in (
        ran.stdout
    )
    assert _teams(staff)[team_a] == (dana, 2)  # a new revision, which laptops take
    p = schema.people
    with staff.owner.connect() as conn:
        assert conn.execute(select(p.c.team_id, p.c.revision).where(p.c.id == dana)).one() == (
            conn.execute(select(schema.teams.c.id).where(schema.teams.c.name == team_a)).scalar(),
            2,
        )

    # Enrolled again (a new laptop, say): nothing more changes, nothing more is said.
    again = run(
        ["enrol", "--person", "Dana Lewis", "--role", "team_manager", "--team", team_a], url
    )
    assert again.exit_code == 0, again
    assert "manager" not in again.stdout.splitlines()[1]
    assert _teams(staff)[team_a] == (dana, 2)

    # Another manager enrolled for both teams: A keeps Dana, and says so; B was free.
    owen_enrolled = ["enrol", "--person", "Owen Price", "--role", "team_manager"]
    both = run([*owen_enrolled, "--team", team_a, "--team", team_b], url)
    assert both.exit_code == 0, both
    assert (
        f"{team_a} already has a manager, Dana Lewis, who stays its manager: Owen Price sees "
        "its workers' records but is not named its manager."
    ) in both.stdout
    assert f"Owen Price is now the manager of {team_b}" in both.stdout
    assert _teams(staff) == {team_a: (dana, 2), team_b: (owen, 2)}
    with staff.owner.connect() as conn:  # Owen belongs to the team he manages
        owen_team = conn.execute(select(p.c.team_id).where(p.c.id == owen)).scalar()
        assert (
            owen_team
            == conn.execute(select(schema.teams.c.id).where(schema.teams.c.name == team_b)).scalar()
        )


def test_enrol_refuses_in_one_sentence(staff: ServerDatabase) -> None:
    url = staff.url()

    def enrol(*args: str) -> str:
        return one_sentence(run(["enrol", *args], url))

    assert "no one called 'Nobody Known'" in enrol("--person", "Nobody Known", "--role", "service")
    assert "2 people are called 'Sam Patel'" in enrol("--person", "Sam Patel", "--role", "service")
    assert "no team called 'Team Z'" in enrol(
        "--person", "Priya Shah", "--role", "practice_lead", "--team", "Team Z"
    )
    assert "give no --team" in enrol(
        "--person", "Priya Shah", "--role", "service", "--team", "Northshire Child Protection A"
    )
    assert "Say which team" in enrol("--person", "Priya Shah", "--role", "team_manager")
    with staff.owner.connect() as conn:
        assert conn.execute(select(schema.enrolment_codes.c.id)).all() == []
        assert conn.execute(select(schema.person_roles.c.role)).all() == []
    assert "no laptop enrolled here" in one_sentence(run(["revoke", "0000"], url)).lower()


def test_the_service_role_cannot_run_the_administrators_commands(staff: ServerDatabase) -> None:
    refused = one_sentence(run(["laptops"], staff.url(SERVICE_ROLE)))
    assert "the role that owns the team's tables, not as observer_service" in refused
