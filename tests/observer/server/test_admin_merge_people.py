"""`observer-server merge-people KEEP DUPLICATE`: everything naming the duplicate follows to
the person kept, a signed record keeps the ids it was signed with (so its signatures still
hold), the duplicate leaves a tombstone, laptops' feeds carry what changed, and the server's
audit chain records it by id."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from observer.bundle import write_bundle
from observer.server import schema
from observer.server.records import documents, in_utc, signatures_hold
from tests.support.postgres import SERVICE_ROLE
from tests.support.server import ServerDatabase
from tests.support.server_admin import (
    demo_bundle,
    one_sentence,
    pull_all,
    run,
    write_demo_bundle,
)


def _signed_record() -> dict[str, Any]:
    return next(o for o in demo_bundle()["observations"] if o["status"] == "signed")


def _document(db: ServerDatabase, record_id: uuid.UUID) -> dict[str, Any]:
    with db.owner.begin() as conn:
        in_utc(conn)
        return documents(conn, [record_id])[record_id]


def test_a_duplicate_merged_into_the_person_kept_with_a_signed_record(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    db = server_db
    assert run(["import", str(write_demo_bundle(tmp_path))], db.url()).exit_code == 0
    signed = _signed_record()
    record_id = uuid.UUID(signed["id"])
    duplicate = uuid.UUID(signed["observed_person_id"])
    theirs = [
        uuid.UUID(o["id"])
        for o in demo_bundle()["observations"]
        if o["observed_person_id"] == str(duplicate)
    ]
    with db.owner.connect() as conn:
        team = conn.execute(
            select(schema.people.c.team_id).where(schema.people.c.id == duplicate)
        ).scalar_one()
    keep = db.person("The same worker, as the server knew them")
    duplicates_laptop = db.laptop(duplicate, "practice_lead", (team,) if team else ())
    before = _document(db, record_id)
    watcher = db.laptop(db.person("Quality Lead"), "service")
    first_pull = pull_all(db, watcher)
    assert record_id in {uuid.UUID(o["id"]) for o in first_pull["observations"]}

    done = run(["merge-people", str(keep), str(duplicate), "--json"], db.url())
    assert done.exit_code == 0, done
    counts = json.loads(done.stdout)
    touched = [
        o
        for o in demo_bundle()["observations"]
        if str(duplicate) in (o["observed_person_id"], o["observer_id"])
        or any(a["owner_id"] == str(duplicate) for a in o["actions"])
    ]
    assert counts["observations"] == len(touched)
    assert counts["signed"] >= 1
    assert counts["laptops"] == 1

    with db.owner.connect() as conn:
        o = schema.observations
        row = conn.execute(select(o).where(o.c.id == record_id)).one()
        moved = set(conn.execute(select(o.c.id).where(o.c.observed_person_id == keep)).scalars())
        duplicate_row = conn.execute(
            select(schema.people.c.id).where(schema.people.c.id == duplicate)
        ).one_or_none()
        tombstone = conn.execute(
            select(schema.tombstones.c.reason).where(schema.tombstones.c.record_id == duplicate)
        ).scalar_one()
        laptop_person = conn.execute(
            select(schema.laptops.c.person_id).where(schema.laptops.c.id == duplicates_laptop)
        ).scalar_one()
        role = conn.execute(
            select(schema.person_roles.c.role).where(schema.person_roles.c.person_id == keep)
        ).scalar_one()
    assert row.observed_person_id == keep
    assert row.ids_at_signing["observed_person_id"] == str(duplicate)
    assert moved == set(theirs)
    assert duplicate_row is None
    assert tombstone == "deleted"
    assert (laptop_person, role) == (keep, "practice_lead")

    after = _document(db, record_id)
    assert after["observed_person_id"] == str(duplicate)  # the record as signed
    assert signatures_hold(after) is None
    assert {k: v for k, v in after.items() if k != "revision"} == {
        k: v for k, v in before.items() if k != "revision"
    }

    # The next pull carries the moved records and the duplicate's tombstone.
    cursor_pull = pull_all(db, watcher)
    pulled = {uuid.UUID(o["id"]): o for o in cursor_pull["observations"]}
    assert pulled[record_id]["observed_person_id"] == str(keep)
    assert pulled[record_id]["ids_at_signing"]["observed_person_id"] == str(duplicate)
    assert str(duplicate) in {t["record_id"] for t in cursor_pull["tombstones"]}

    again = run(["import", str(tmp_path / "demo.json")], db.url())
    assert again.stdout.startswith("Nothing changed"), again  # the duplicate stays merged

    verified = run(["audit", "verify"], db.url())
    assert verified.exit_code == 0, verified
    with db.owner.connect() as conn:
        e = schema.audit_events
        event = conn.execute(
            select(e.c.action, e.c.record_id, e.c.detail).where(e.c.action == "merge_people")
        ).one()
    assert (event.action, event.record_id) == ("merge_people", duplicate)
    assert event.detail.startswith(f"into {keep}; observations {len(touched)}")
    names = {p["name"] for p in demo_bundle()["people"]}
    assert not any(name in event.detail for name in names)


def test_merge_people_refuses_what_it_cannot_do_in_one_sentence(
    server_db: ServerDatabase,
) -> None:
    db = server_db
    ada, again = db.person("Ada Okafor"), db.person("Ada Okafor")
    url = db.url()
    assert "two different people" in one_sentence(run(["merge-people", str(ada), str(ada)], url))
    assert "is not a person's id" in one_sentence(run(["merge-people", "Ada", str(ada)], url))
    nobody = uuid.uuid4()
    assert f"no person with the id {nobody}" in one_sentence(
        run(["merge-people", str(ada), str(nobody)], url)
    )
    assert "the role that owns" in one_sentence(
        run(["merge-people", str(ada), str(again)], db.url(SERVICE_ROLE))
    )
    assert run(["merge-people", str(ada), str(again)], url).exit_code == 0
    already = one_sentence(run(["merge-people", str(again), str(ada)], url))
    assert "no person with the id" in already


def test_a_signed_record_arriving_after_the_merge_names_the_person_kept(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    db = server_db
    bundle = copy.deepcopy(demo_bundle())
    signed = _signed_record()
    record_id = uuid.UUID(signed["id"])
    duplicate = uuid.UUID(signed["observed_person_id"])
    without = {
        **bundle,
        "observations": [o for o in bundle["observations"] if o["id"] != signed["id"]],
    }
    write_bundle(without, tmp_path / "first.json")
    assert run(["import", str(tmp_path / "first.json")], db.url()).exit_code == 0
    keep = db.person("The same worker, as the server knew them")
    assert run(["merge-people", str(keep), str(duplicate)], db.url()).exit_code == 0

    done = run(["import", str(write_demo_bundle(tmp_path))], db.url())
    assert done.exit_code == 0, done
    assert "observations: 1 added" in done.stdout
    with db.owner.connect() as conn:
        o = schema.observations
        row = conn.execute(select(o).where(o.c.id == record_id)).one()
    assert row.observed_person_id == keep
    assert row.ids_at_signing["observed_person_id"] == str(duplicate)
    document = _document(db, record_id)
    assert signatures_hold(document) is None
    assert document["observed_person_id"] == str(duplicate)
