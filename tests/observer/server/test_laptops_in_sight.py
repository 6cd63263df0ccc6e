"""Who sees which laptops, and when each last synced (server migration 0010): checked in SQL
as the service's role, and through the service, where protocol v2's pull carries them and
v1's pull is what it was.

Team A's practice lead (Priya) and team B's (Tom), Dana team B's manager, Sam a
service-wide principal social worker (tests/observer/server/test_row_security.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from observer.server import enrolment, schema
from observer.server.database import as_caller
from tests.observer.server.test_row_security import Team, team  # noqa: F401  (fixture)
from tests.support.server import ServerDatabase
from tests.support.sync_client import Service


def _laptops_seen(team: Team, laptop: uuid.UUID | None) -> set[uuid.UUID]:  # noqa: F811
    with team.db.as_laptop(laptop) as conn:
        return set(conn.execute(select(schema.laptops.c.id)).scalars())


def test_a_manager_sees_their_teams_laptops_and_not_another_teams(team: Team) -> None:  # noqa: F811
    assert _laptops_seen(team, team.dana_laptop) == {team.dana_laptop, team.tom_laptop}
    assert team.priya_laptop not in _laptops_seen(team, team.dana_laptop)


def test_a_practice_lead_sees_only_their_own_and_a_service_role_all(team: Team) -> None:  # noqa: F811
    assert _laptops_seen(team, team.priya_laptop) == {team.priya_laptop}
    assert _laptops_seen(team, team.tom_laptop) == {team.tom_laptop}
    everyone = {team.priya_laptop, team.tom_laptop, team.dana_laptop, team.sam_laptop}
    assert _laptops_seen(team, team.sam_laptop) == everyone
    assert _laptops_seen(team, None) == set()


def test_a_worker_in_the_managers_team_has_their_laptop_seen(team: Team) -> None:  # noqa: F811
    ben_laptop = team.db.laptop(team.ben, "practice_lead")  # Ben works in team B
    assert ben_laptop in _laptops_seen(team, team.dana_laptop)
    assert ben_laptop not in _laptops_seen(team, team.priya_laptop)


def test_a_revoked_laptop_is_seen_by_no_one(team: Team) -> None:  # noqa: F811
    with team.db.owner.begin() as conn:
        conn.execute(
            update(schema.laptops)
            .where(schema.laptops.c.id == team.tom_laptop)
            .values(revoked_at=func.now())
        )
    assert _laptops_seen(team, team.dana_laptop) == {team.dana_laptop}
    assert team.tom_laptop not in _laptops_seen(team, team.sam_laptop)


def test_the_service_cannot_mark_another_laptop_synced_nor_update_laptops(
    team: Team,  # noqa: F811
) -> None:
    with team.db.as_laptop(team.dana_laptop) as conn:
        when = conn.execute(select(func.observer_laptop_synced())).scalar_one()
    with pytest.raises(DBAPIError) as refused, team.db.as_laptop(team.dana_laptop) as conn:
        conn.execute(
            update(schema.laptops)
            .where(schema.laptops.c.id == team.tom_laptop)
            .values(last_synced_at=func.now())
        )
    assert "permission denied" in str(refused.value.orig)
    with team.db.owner.connect() as conn:
        rows = conn.execute(select(schema.laptops.c.id, schema.laptops.c.last_synced_at))
        synced = {row.id: row.last_synced_at for row in rows}
    assert synced[team.dana_laptop] == when
    assert synced[team.tom_laptop] is None


def _enrolled(
    db: ServerDatabase, service: Service, person: uuid.UUID, role: str, *teams: str
) -> dict[str, Any]:
    with db.owner.begin() as conn:
        code = enrolment.enrol(conn, str(person), role, list(teams)).code
    joined = service.enrol(code, f"Laptop {role}")
    assert joined.status_code == 201, joined.text
    return joined.json()


def test_a_v2_pull_ends_with_the_laptops_and_records_the_sync_a_v1_pull_is_unchanged(
    server_db: ServerDatabase,
) -> None:
    db, service = server_db, Service(server_db.service)
    team_b = db.team("Northshire Child Protection B")
    db.team("Northshire Child Protection A")
    tom = db.person("Tom Reed", role="practice_lead")
    dana = db.person("Dana Lewis", team_b, role="team_manager")
    priya = db.person("Priya Shah", role="practice_lead")
    toms = _enrolled(db, service, tom, "practice_lead", "Northshire Child Protection B")
    danas = _enrolled(db, service, dana, "team_manager", "Northshire Child Protection B")
    priyas = _enrolled(db, service, priya, "practice_lead", "Northshire Child Protection A")

    old = service.pull(toms["token"], protocol="v1").json()
    assert "laptops" not in old
    assert set(old) == {
        *("cursor", "more", "teams", "people", "frameworks", "observations"),
        *("tombstones", "withdrawn", "conflicts", "scope"),
    }
    with db.owner.connect() as conn:
        tom_synced = conn.execute(
            select(schema.laptops.c.last_synced_at).where(
                schema.laptops.c.id == uuid.UUID(toms["laptop_id"])
            )
        ).scalar_one()
    assert tom_synced is not None  # a v1 laptop's sync is noted all the same

    first = service.pull(danas["token"], limit=1, protocol="v2").json()
    assert first["more"] is True
    assert "laptops" not in first  # only the last page carries them
    page = first
    while page["more"]:
        page = service.pull(danas["token"], page["cursor"], limit=1, protocol="v2").json()
    seen = {laptop["id"]: laptop for laptop in page["laptops"]}
    assert set(seen) == {toms["laptop_id"], danas["laptop_id"]}
    assert priyas["laptop_id"] not in seen
    assert seen[toms["laptop_id"]] == {
        "id": toms["laptop_id"],
        "name": "Laptop practice_lead",
        "person_id": str(tom),
        "last_synced_at": tom_synced.isoformat(),
    }
    # The manager's own laptop: synced by this very pull.
    assert seen[danas["laptop_id"]]["last_synced_at"] is not None
    with db.service.begin() as conn:
        as_caller(conn, uuid.UUID(danas["laptop_id"]))
        mine = conn.execute(
            select(schema.laptops.c.last_synced_at).where(
                schema.laptops.c.id == uuid.UUID(danas["laptop_id"])
            )
        ).scalar_one()
    assert seen[danas["laptop_id"]]["last_synced_at"] == mine.isoformat()


def _seen(db: ServerDatabase, laptop: str) -> tuple[Any, Any]:
    with db.owner.connect() as conn:
        row = conn.execute(
            select(schema.laptops.c.last_seen_at, schema.laptops.c.last_synced_at).where(
                schema.laptops.c.id == uuid.UUID(laptop)
            )
        ).one()
    return row.last_seen_at, row.last_synced_at


def _age(db: ServerDatabase, laptop: str, **by: timedelta) -> None:
    """Moves the laptop's last sighting and sync back in time, as if made that long ago."""
    with db.owner.begin() as conn:
        conn.execute(
            update(schema.laptops)
            .where(schema.laptops.c.id == uuid.UUID(laptop))
            .values(**{column: func.now() - ago for column, ago in by.items()})
        )


def test_a_pull_notes_the_sighting_to_the_minute_and_its_last_page_the_sync(
    server_db: ServerDatabase,
) -> None:
    """A pull reads in one read-only transaction: it notes when the laptop was seen only
    when the last note is a minute old (monitoring reads it in days), and its last page
    notes the sync and the sighting together."""
    db, service = server_db, Service(server_db.service)
    team_b = db.team("Northshire Child Protection B")
    dana = db.person("Dana Lewis", team_b, role="team_manager")
    db.person("Ben Hughes", team_b)
    danas = _enrolled(db, service, dana, "team_manager", "Northshire Child Protection B")
    laptop, token = danas["laptop_id"], danas["token"]
    an_hour = timedelta(hours=1)

    _age(db, laptop, last_seen_at=an_hour, last_synced_at=an_hour)
    before_seen, before_synced = _seen(db, laptop)
    first = service.pull(token, limit=1, protocol="v2").json()
    assert first["more"] is True
    seen, synced = _seen(db, laptop)
    assert seen > before_seen  # an hour old: noted by a page that is not the last
    assert synced == before_synced

    _age(db, laptop, last_seen_at=timedelta(seconds=20))
    quiet_seen, _ = _seen(db, laptop)
    second = service.pull(token, first["cursor"], limit=1, protocol="v2").json()
    assert second["more"] is True
    assert _seen(db, laptop) == (quiet_seen, before_synced)  # seen 20 s ago: nothing written

    page = second
    while page["more"]:
        page = service.pull(token, page["cursor"], limit=1, protocol="v2").json()
    seen, synced = _seen(db, laptop)
    assert synced > before_synced
    assert seen == synced  # the last page notes both at once

    _age(db, laptop, last_seen_at=an_hour)
    aged, _ = _seen(db, laptop)
    stale = service.pull(token, "0.1.1", protocol="v2")
    assert stale.status_code == 409
    assert _seen(db, laptop)[0] - aged > timedelta(minutes=59)  # a refused pull was seen too
    forged = service.pull("a-token-no-laptop-holds", protocol="v2")
    assert forged.status_code == 401
    assert forged.json()["error"] == "token"
