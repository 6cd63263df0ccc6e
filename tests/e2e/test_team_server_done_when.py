"""Issue 16's "Done when", end to end: a real `observer-server serve` (uvicorn) on a real
PostgreSQL, three practice leads' laptops and a manager's, each the real `observer`
command as a process. One lead's `observer demo` data seeds the server: its teams, people
and frameworks copied as the owner (`observer-server import` is on another branch: when it
is merged, seed with it instead), its records through that laptop's first sync. The leads
record (a small script stands in for the editor, which has no command), sign in the room,
the manager countersigns, everyone syncs; then every invariant of the state-machine test
holds (tests/support/team_world.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from observer.server import schema
from observer.services import Services, open_services
from observer.sync import state
from tests.observer.server.conftest import postgres, server_db  # noqa: F401  (fixtures)
from tests.observer.server.test_serve_e2e import Running, observer_server
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.server import ServerDatabase
from tests.support.team_server import put_on_server
from tests.support.team_world import (
    World,
    WorldIds,
    check_audit,
    check_same_as_server,
    check_signatures,
    laptop_records,
    server_records,
)

pytestmark = pytest.mark.e2e
OBSERVER = str(Path(sys.executable).parent / "observer")
ORGANISATION = "Northshire County Council"
LEADS = ("Aled Hughes", "Bethan Price", "Carys Jones")
MANAGER = "Morag Campbell"
QUIET_ROUNDS = 6

RECORD = """
import sys, uuid
from pathlib import Path
from datetime import UTC, datetime
from observer.records.recording import DraftDetails
from observer.services import open_services
from observer.vocabulary import Kind
folder, passphrase, worker, words = sys.argv[1], sys.argv[2], uuid.UUID(sys.argv[3]), sys.argv[4]
s = open_services(Path(folder), passphrase)
me = s.profiles.current().person_id
when = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
draft = s.recording.create_draft(DraftDetails(worker, me, Kind.HOME_VISIT, when,
    consent_given_by="The child's carer", consent_how="Verbally, at the door"))
s.recording.update(draft, {"strengths": words, "overall_level": "good",
    "overall_rationale": "Warm and clear " + words})
for rating in s.recording.get(draft).ratings:
    s.recording.set_rating(draft, rating.standard_code, level_code="good",
        evidence="Seen: " + words)
s.recording.mark_ready(draft)
print(draft)
s.close()
"""


def observer(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [OBSERVER, "--data-dir", str(folder), *argv],
        env={**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"observer {' '.join(argv)}: {done.stderr}"
    return done


def enrol(db: ServerDatabase, name: str, role: str, *teams: str) -> str:
    argv = ["enrol", "--person", name, "--role", role]
    for team in teams:
        argv += ["--team", team]
    done = observer_server(*argv, database=db.url())
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]  # "Enrolment code (once, until …): CODE"


@pytest.fixture
def serving(server_db: ServerDatabase) -> Iterator[Running]:  # noqa: F811
    running = Running(server_db)
    yield running
    running.stop()


def test_three_leads_and_a_manager_record_sign_and_sync_through_a_real_server(
    server_db: ServerDatabase,  # noqa: F811
    serving: Running,
    tmp_path: Path,
) -> None:
    db = server_db
    folders = {name: tmp_path / name.split()[0].lower() for name in (*LEADS, MANAGER)}

    # The first lead's laptop: demo data; its teams, people and frameworks put on the
    # server as `observer-server import` would (pushing them is refused while a team names
    # a manager the server lacks: see test_a_laptops_teams_with_managers_can_be_pushed).
    first = folders[LEADS[0]]
    observer(
        first,
        "setup",
        "--name",
        LEADS[0],
        "--role",
        "practice_lead",
        "--organisation",
        ORGANISATION,
    )
    observer(first, "demo", "--seed", "16", "--workers", "6", "--observations", "12")
    seeding = open_services(first, STORE_PASSPHRASE)
    try:
        put_on_server(db, seeding, observations=())
    finally:
        seeding.close()
    with db.owner.begin() as conn:
        for name, role in [
            *((lead, "practice_lead") for lead in LEADS[1:]),
            (MANAGER, "team_manager"),
        ]:
            conn.execute(insert(schema.people).values(id=uuid.uuid4(), name=name, role=role))
    observer(first, "sync", "enrol", serving.url, enrol(db, LEADS[0], "practice_lead"))
    pushed = observer(first, "sync").stdout
    pushed += observer(first, "sync", "status").stdout
    with db.owner.begin() as conn:
        teams = {row.id: row.name for row in conn.execute(select(schema.teams))}
        workers = list(
            conn.execute(
                select(schema.people).where(
                    schema.people.c.team_id.is_not(None),
                    schema.people.c.role.in_(["social_worker", "senior_practitioner", "asye"]),
                )
            )
        )
    assert teams, f"the demo's teams and workers reached the server: {pushed}"
    assert workers
    team = teams[workers[0].team_id]
    in_team = [w for w in workers if w.team_id == workers[0].team_id]
    enrol(db, LEADS[0], "practice_lead", team)  # the first lead now sees that team too

    for name in LEADS[1:]:
        folder = folders[name]
        observer(
            folder,
            "setup",
            "--name",
            name,
            "--role",
            "practice_lead",
            "--organisation",
            ORGANISATION,
        )
    manager = folders[MANAGER]
    observer(
        manager,
        "setup",
        "--name",
        MANAGER,
        "--role",
        "team_manager",
        "--organisation",
        ORGANISATION,
    )
    # Each laptop trusts the others' signing certificates, as the pull asks (a signed
    # record from a laptop whose certificate is not trusted stops the pull).
    trust_everyone(folders.values())
    for name in LEADS[1:]:
        code = enrol(db, name, "practice_lead", team)
        observer(folders[name], "sync", "enrol", serving.url, code)
        observer(folders[name], "sync")
    observer(manager, "sync", "enrol", serving.url, enrol(db, MANAGER, "team_manager", team))
    observer(manager, "sync")

    # Each lead records a home visit of a worker of the team and signs it with them.
    typed: dict[uuid.UUID, str] = {}
    for number, name in enumerate(LEADS):
        worker = in_team[number % len(in_team)]
        words = f"typed{number}words"
        made = subprocess.run(
            [
                sys.executable,
                "-c",
                RECORD,
                str(folders[name]),
                STORE_PASSPHRASE,
                str(worker.id),
                words,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        record = uuid.UUID(made.stdout.split()[-1])
        typed[record] = words
        observer(folders[name], "sign", str(record), "--role", "observer", "--name", name)
        observer(
            folders[name], "sign", str(record), "--role", "practitioner", "--name", worker.name
        )
    trust_everyone(folders.values())
    for name in LEADS:
        observer(folders[name], "sync")
    observer(manager, "sync")
    for record in typed:
        observer(manager, "sign", str(record), "--role", "manager", "--name", MANAGER)
    trust_everyone(folders.values())
    sync_until_quiet(folders.values())

    for folder in folders.values():
        observer(folder, "audit", "verify")
        status = json.loads(observer(folder, "sync", "status", "--json").stdout)
        assert status["waiting"] == 0, status
        assert not status.get("refused"), status

    laptops = {name: open_services(folder, STORE_PASSPHRASE) for name, folder in folders.items()}
    try:
        world = World(db, serving.url, WorldIds({}, {}, _laptop_ids(laptops)), laptops)
        check_same_as_server(world, _scope(db, laptops, team))
        check_signatures(world)
        check_audit(world)
        everything = server_records(db)
        for record, words in typed.items():
            assert words in everything[record]["strengths"]
            assert len(everything[record]["signatures"]) == 3, "observer, practitioner, manager"
            for laptop in laptops.values():
                assert record in laptop_records(laptop)
    finally:
        for laptop in laptops.values():
            laptop.close()


def trust_everyone(folders: Any) -> None:
    """Each laptop that has a signing identity exports its certificate; every other laptop
    trusts it (`observer certificates trust`, again harmless)."""
    folders = list(folders)
    for folder in folders:
        pem = folder.parent / f"{folder.name}.pem"
        exported = subprocess.run(
            [OBSERVER, "--data-dir", str(folder), "identity", "export-cert", "-o", str(pem)],
            env={**os.environ, "OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if exported.returncode != 0:
            assert "no signing identity" in exported.stderr, exported.stderr
            continue
        for other in folders:
            if other != folder:
                observer(other, "certificates", "trust", str(pem))


def sync_until_quiet(folders: Any) -> None:
    """`observer sync` on each laptop in turn until a round in which none sent, received
    or removed anything ("Synced: 0 sent, 0 refused, 0 received, 0 removed, …")."""
    quiet = "0 sent, 0 refused, 0 received, 0 removed"
    said: list[str] = []
    for _round in range(QUIET_ROUNDS):
        said = [observer(folder, "sync").stdout.strip() for folder in list(folders)]
        if all(quiet in out for out in said):
            return
    raise AssertionError(f"still syncing after {QUIET_ROUNDS} rounds: {said}")


def _laptop_ids(laptops: dict[str, Services]) -> dict[str, uuid.UUID]:
    ids = {}
    for name, laptop in laptops.items():
        with laptop.db.session() as s:
            joined = state.enrolment(s)
        assert joined is not None
        ids[name] = joined.laptop_id
    return ids


def _scope(
    db: ServerDatabase, laptops: dict[str, Services], team: str
) -> dict[str, set[uuid.UUID]]:
    """Who should see what, by the rule (not by row-level security): every lead and the
    manager see the team's workers' records; each lead also sees their own."""
    with db.owner.begin() as conn:
        team_id = conn.execute(
            select(schema.teams.c.id).where(schema.teams.c.name == team)
        ).scalar_one()
        in_team = {
            row.id
            for row in conn.execute(
                select(schema.people.c.id).where(schema.people.c.team_id == team_id)
            )
        }
        records = list(
            conn.execute(
                select(
                    schema.observations.c.id,
                    schema.observations.c.observer_id,
                    schema.observations.c.observed_person_id,
                )
            )
        )
    scope = {}
    for name, laptop in laptops.items():
        me = laptop.profiles.current().person_id  # type: ignore[union-attr]
        scope[name] = {
            r.id for r in records if r.observer_id == me or r.observed_person_id in in_team
        }
    return scope
