"""`observer-server retention`: the policy set on the server, a preview in ids and counts
(never names), and removal in one transaction that takes signed records too, through the
one path migration 0006 made for the owner: id-only tombstones with reason `removed`, the
audit chains untouched and still verifying. The service's role cannot remove."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from observer.server import schema
from tests.support.postgres import SERVICE_ROLE
from tests.support.server import ServerDatabase
from tests.support.server_admin import (
    add_chain,
    demo_bundle,
    one_sentence,
    pull_all,
    run,
    write_demo_bundle,
)


def _leaver(db: ServerDatabase, tmp_path: Path) -> tuple[uuid.UUID, list[dict[str, Any]]]:
    """The demo bundle imported, and a worker with a signed record who left in 2015."""
    assert run(["import", str(write_demo_bundle(tmp_path))], db.url()).exit_code == 0
    signed = next(o for o in demo_bundle()["observations"] if o["status"] == "signed")
    person = uuid.UUID(signed["observed_person_id"])
    with db.owner.begin() as conn:
        p = schema.people
        conn.execute(update(p).where(p.c.id == person).values(active=False, left_on="2015-03-31"))
    theirs = [o for o in demo_bundle()["observations"] if o["observed_person_id"] == str(person)]
    return person, theirs


def _refused(transaction: Any, *statements: Any) -> str | None:
    """The SQLSTATE with which the database refuses the last of these statements (each
    given the id), in one transaction."""
    *sql, record_id = statements
    with pytest.raises(DBAPIError) as refused, transaction as conn:  # noqa: PT012
        for statement in sql:
            conn.execute(text(statement), {"id": record_id})
    return getattr(refused.value.orig, "sqlstate", None)


def _observations_of(db: ServerDatabase, person: uuid.UUID) -> int:
    with db.owner.connect() as conn:
        o = schema.observations
        return conn.execute(
            select(func.count()).where(o.c.observed_person_id == person)
        ).scalar_one()


def test_the_policy_is_set_shown_and_audited(server_db: ServerDatabase) -> None:
    url = server_db.url()
    shown = run(["retention", "show"], url)
    assert shown.stdout.strip() == (
        "Everything is kept: no observations are removed when people leave."
    )
    done = run(["retention", "set", "--years-after-leaving", "6"], url)
    assert done.exit_code == 0, done
    assert run(["retention", "show"], url).stdout.strip() == (
        "A person's observations are removed 6 whole years after the date they left."
    )
    assert "from 1 to 100" in one_sentence(
        run(["retention", "set", "--years-after-leaving", "0"], url)
    )
    with server_db.owner.connect() as conn:
        e = schema.audit_events
        details = (
            conn.execute(select(e.c.detail).where(e.c.action == "retention_policy")).scalars().all()
        )
    assert details == ["policy set to 6 years after leaving"]


def test_preview_then_apply_removes_a_signed_record_and_every_chain_still_verifies(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    db = server_db
    url = db.url()
    person, theirs = _leaver(db, tmp_path)
    signed = sum(1 for o in theirs if o["status"] == "signed")
    nothing = run(["retention", "preview"], url)
    assert "Everything is kept" in nothing.stdout
    assert run(["retention", "set", "--years-after-leaving", "6"], url).exit_code == 0
    # A laptop's chain about one of the records due, as it would have pushed it.
    lead = db.person("Quality Lead")
    laptop = db.laptop(lead, "service")
    add_chain(db, laptop, 3, record_id=uuid.UUID(theirs[0]["id"]))

    preview = run(["retention", "preview"], url)
    assert preview.exit_code == 0, preview
    assert str(person) in preview.stdout
    assert f"{len(theirs)} observations" in preview.stdout
    names = {p["name"] for p in demo_bundle()["people"]}
    assert not any(name in preview.stdout for name in names)
    as_json = json.loads(run(["retention", "preview", "--json"], url).stdout)
    assert as_json["due"] == [
        {
            "person_id": str(person),
            "left_on": "2015-03-31",
            "due_since": "2021-03-31",
            "observations": len(theirs),
            "signed": signed,
        }
    ]
    assert _observations_of(db, person) == len(theirs)  # a preview removes nothing
    with db.owner.connect() as conn:
        events_before = conn.execute(
            select(func.count()).select_from(schema.audit_events)
        ).scalar_one()

    asked = one_sentence(run(["retention", "apply"], url))
    assert "Nothing was removed" in asked
    assert "retention apply --yes" in asked
    assert _observations_of(db, person) == len(theirs)
    applied = run(["retention", "apply", "--yes"], url)
    assert applied.exit_code == 0, applied
    assert f"Removed {len(theirs)} observations ({signed} signed) of 1 person" in applied.stdout
    assert _observations_of(db, person) == 0
    with db.owner.connect() as conn:
        t = schema.tombstones
        tombstones = conn.execute(
            select(t.c.record_id, t.c.reason).where(t.c.record_type == "observations")
        ).all()
        for table in (schema.ratings, schema.actions, schema.signatures, schema.addenda):
            left = conn.execute(
                select(func.count()).where(
                    table.c.observation_id.in_([uuid.UUID(o["id"]) for o in theirs])
                )
            ).scalar_one()
            assert left == 0, table.name
        events_after = conn.execute(
            select(func.count()).select_from(schema.audit_events)
        ).scalar_one()
        person_row = conn.execute(
            select(schema.people.c.id).where(schema.people.c.id == person)
        ).one_or_none()
    assert sorted((str(r), reason) for r, reason in tombstones) == sorted(
        (o["id"], "removed") for o in theirs
    )
    assert events_after == events_before + 1  # nothing removed from any chain; one event added
    assert person_row is not None  # the person is kept, as on a laptop
    verified = run(["audit", "verify"], url)
    assert verified.exit_code == 0, verified
    assert "in 1 laptop's chain and" in verified.stdout

    pulled = pull_all(db, laptop)
    gone = {t["record_id"]: t["reason"] for t in pulled["tombstones"]}
    assert {o["id"]: gone.get(o["id"]) for o in theirs} == {o["id"]: "removed" for o in theirs}
    assert not {o["id"] for o in theirs} & {o["id"] for o in pulled["observations"]}

    again = run(["retention", "apply", "--yes"], url)
    assert again.exit_code == 0
    assert "Nothing is due for removal." in again.stdout
    reimport = run(["import", str(tmp_path / "demo.json"), "--json"], url)
    assert json.loads(reimport.stdout)["left_removed"] == len(theirs)
    assert _observations_of(db, person) == 0


def test_the_service_role_cannot_remove_a_signed_record(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    db = server_db
    person, theirs = _leaver(db, tmp_path)
    signed = uuid.UUID(next(o["id"] for o in theirs if o["status"] == "signed"))
    laptop = db.laptop(db.person("Quality Lead"), "service")
    removing = "SELECT set_config('observer.removing', 'retention', true)"
    as_service = db.as_laptop
    assert (
        _refused(
            as_service(laptop),
            removing,
            "DELETE FROM signatures WHERE observation_id = :id",
            signed,
        )
        == "OB001"
    )
    assert (
        _refused(as_service(laptop), removing, "DELETE FROM observations WHERE id = :id", signed)
        == "OB001"
    )
    remove = "SELECT observer_remove_observations(ARRAY[:id]::uuid[])"
    assert _refused(as_service(laptop), remove, signed) == "42501"
    # Nor the owner without retention's setting: the removal is deliberate.
    assert (
        _refused(db.owner.begin(), "DELETE FROM signatures WHERE observation_id = :id", signed)
        == "OB001"
    )
    assert one_sentence(run(["retention", "apply", "--yes"], db.url(SERVICE_ROLE)))
    assert _observations_of(db, person) == len(theirs)
    with db.owner.connect() as conn:
        kept = conn.execute(
            select(func.count()).where(schema.signatures.c.observation_id == signed)
        ).scalar_one()
    assert kept >= 2
