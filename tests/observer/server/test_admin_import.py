"""`observer-server import BUNDLE`: a laptop's real demo bundle seeds the server, comes back
through the feed as the laptop holds it, imports again as nothing new, merges a record the
server holds differently, and refuses a signed record that no longer matches its
signatures, all or nothing."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from observer.bundle import write_bundle
from observer.server import schema
from tests.support.postgres import SERVICE_ROLE
from tests.support.server import ServerDatabase
from tests.support.server_admin import (
    BUNDLE_PASSPHRASE,
    as_record,
    demo_bundle,
    one_sentence,
    pull_all,
    run,
    write_demo_bundle,
)


def _counts(db: ServerDatabase) -> dict[str, int]:
    with db.owner.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(getattr(schema, name))).scalar_one()
            for name in ("frameworks", "teams", "people", "observations", "signatures", "addenda")
        }


def _revisions(db: ServerDatabase) -> dict[str, list[int]]:
    with db.owner.connect() as conn:
        return {
            table: sorted(conn.execute(text(f"SELECT server_revision FROM {table}")).scalars())
            for table in ("teams", "people", "frameworks", "observations", "ratings", "actions")
        }


def _service_laptop(db: ServerDatabase) -> uuid.UUID:
    """A laptop whose person has the service-wide role: its feed is every record."""
    return db.laptop(db.person("Quality Lead"), "service")


def test_a_demo_bundle_seeds_the_server_and_comes_back_as_the_laptop_holds_it(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    bundle = demo_bundle()
    done = run(["import", str(write_demo_bundle(tmp_path))], server_db.url())
    assert done.exit_code == 0, done
    assert "observations: 40 added" in done.stdout
    assert f"people: {len(bundle['people'])} added" in done.stdout
    assert any(o["signatures"] for o in bundle["observations"])

    pulled = pull_all(server_db, _service_laptop(server_db))
    by_id = {o["id"]: o for o in pulled["observations"]}
    assert set(by_id) == {o["id"] for o in bundle["observations"]}
    for laptops in bundle["observations"]:
        assert as_record(by_id[laptops["id"]]) == as_record(laptops)
    people = {p["id"]: p for p in pulled["people"]}
    for person in bundle["people"]:
        assert {k: people[person["id"]][k] for k in ("name", "role", "team_id", "active")} == {
            k: person[k] for k in ("name", "role", "team_id", "active")
        }
    teams = {t["id"]: t for t in pulled["teams"]}
    assert {t["id"]: (t["name"], t["manager_id"]) for t in bundle["teams"]} == {
        i: (teams[i]["name"], teams[i]["manager_id"]) for i in teams
    }
    frameworks = {(f["key"], f["version"]): f for f in pulled["frameworks"]}
    for framework in bundle["frameworks"]:
        theirs = frameworks[(framework["key"], framework["version"])]
        assert (theirs["id"], theirs["content_hash"]) == (
            framework["id"],
            framework["content_hash"],
        )
        assert [s["code"] for s in theirs["standards"]] == [
            s["code"] for s in framework["definition"]["standards"]
        ]


def test_importing_the_same_bundle_again_changes_nothing_and_says_so(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    path = write_demo_bundle(tmp_path)
    assert run(["import", str(path)], server_db.url()).exit_code == 0
    before, revisions = _counts(server_db), _revisions(server_db)
    again = run(["import", str(path), "--json"], server_db.url())
    assert again.exit_code == 0, again
    counts = json.loads(again.stdout)
    assert counts["changed"] is False
    assert counts["observations"]["unchanged"] == 40
    assert _counts(server_db) == before
    assert _revisions(server_db) == revisions
    said = run(["import", str(path)], server_db.url())
    assert said.stdout.startswith("Nothing changed: the server already holds demo.json")


def test_a_sealed_bundle_opens_with_its_passphrase_file(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    path = write_demo_bundle(tmp_path, BUNDLE_PASSPHRASE)
    without = one_sentence(run(["import", str(path)], server_db.url()))
    assert "sealed; a passphrase is needed" in without
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n")
    refused = one_sentence(
        run(["import", str(path), "--passphrase-file", str(wrong)], server_db.url())
    )
    assert "That passphrase does not open demo.sealed" in refused
    right = tmp_path / "passphrase.txt"
    right.write_text(BUNDLE_PASSPHRASE + "\n")
    done = run(["import", str(path), "--passphrase-file", str(right)], server_db.url())
    assert done.exit_code == 0, done
    assert _counts(server_db)["observations"] == 40


def test_a_signed_record_changed_after_signing_is_refused_and_nothing_is_imported(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    bundle = copy.deepcopy(demo_bundle())
    index, signed = next(
        (i, o) for i, o in enumerate(bundle["observations"]) if o["status"] == "signed"
    )
    signed["strengths"] += " And a sentence added afterwards."
    path = tmp_path / "edited.json"
    write_bundle(bundle, path)
    refused = one_sentence(run(["import", str(path)], server_db.url()))
    assert f"observations[{index}].signatures[0].content_hash does not match" in refused
    assert "changed after it was signed; nothing was imported" in refused
    assert _counts(server_db) == dict.fromkeys(_counts(server_db), 0)


def test_a_record_the_server_holds_differently_goes_through_the_conflict_rules(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    assert run(["import", str(write_demo_bundle(tmp_path))], server_db.url()).exit_code == 0
    bundle = copy.deepcopy(demo_bundle())
    draft = next(o for o in bundle["observations"] if not o["signatures"])
    record_id = uuid.UUID(draft["id"])
    with server_db.owner.begin() as conn:
        conn.execute(
            text(
                "UPDATE observations SET strengths = :words, revision = revision + 1 WHERE id = :id"
            ),
            {"words": "Calm and clear with the family.", "id": record_id},
        )
    draft["strengths"] = "Listened well to the child."
    draft["revision"] += 1
    path = tmp_path / "edited.json"
    write_bundle(bundle, path)
    done = run(["import", str(path)], server_db.url())
    assert done.exit_code == 0, done
    assert "1 merged" in done.stdout
    assert "conflicts kept for their authors" in done.stdout
    with server_db.owner.connect() as conn:
        strengths = conn.execute(
            select(schema.observations.c.strengths).where(schema.observations.c.id == record_id)
        ).scalar_one()
        kept = conn.execute(
            select(schema.conflicts.c.field, schema.conflicts.c.kind).where(
                schema.conflicts.c.observation_id == record_id
            )
        ).all()
    assert "Calm and clear with the family." in strengths
    assert "Listened well to the child." in strengths
    assert ("strengths", "text") in [tuple(row) for row in kept]
    # A laptop that pulls the conflict shows both people's words, as after a push.
    pulled = pull_all(server_db, _service_laptop(server_db))["conflicts"]
    (conflict,) = [c for c in pulled if c["field"] == "strengths"]
    assert conflict["kept"] == {
        "side": "both",
        "server": "Calm and clear with the family.",
        "pushed": "Listened well to the child.",
    }


def test_a_bundle_whose_team_the_server_holds_under_another_id_joins_the_servers_team(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    """Another laptop's bundle (its lead typed the same team names at first run): its
    teams are the server's, its people join them, and each team shows once."""
    assert run(["import", str(write_demo_bundle(tmp_path))], server_db.url()).exit_code == 0
    t, p = schema.teams, schema.people
    with server_db.owner.connect() as conn:
        teams_before = dict(conn.execute(select(t.c.name, t.c.id)).all())
    other = {"format": demo_bundle()["format"], "format_version": demo_bundle()["format_version"]}
    other |= {"exported_by": "Bethan Rhys", "frameworks": [], "observations": []}
    team = copy.deepcopy(demo_bundle()["teams"][0])
    team |= {"id": str(uuid.uuid4()), "name": f" {team['name'].upper()}  ", "manager_id": None}
    worker = copy.deepcopy(demo_bundle()["people"][0])
    worker |= {"id": str(uuid.uuid4()), "name": "Tomasz Nowak", "team_id": team["id"]}
    worker |= {"merged_into_id": None}
    other |= {"teams": [team], "people": [worker]}
    path = tmp_path / "other.json"
    write_bundle(other, path)

    done = run(["import", str(path)], server_db.url())

    assert done.exit_code == 0, done
    assert "teams: 0 added, 0 updated, 1 taken as the server's team of that name" in done.stdout
    with server_db.owner.connect() as conn:
        assert dict(conn.execute(select(t.c.name, t.c.id)).all()) == teams_before
        joined = conn.execute(
            select(p.c.team_id).where(p.c.id == uuid.UUID(worker["id"]))
        ).scalar_one()
    assert joined == teams_before[demo_bundle()["teams"][0]["name"]]
    again = run(["import", str(path), "--json"], server_db.url())
    assert json.loads(again.stdout)["changed"] is False


def test_import_is_the_owners_to_run(server_db: ServerDatabase, tmp_path: Path) -> None:
    path = write_demo_bundle(tmp_path)
    refused = one_sentence(run(["import", str(path)], server_db.url(SERVICE_ROLE)))
    assert "the role that owns the team's tables" in refused
    assert _counts(server_db)["observations"] == 0


def test_a_bundle_that_is_not_one_is_one_sentence(
    server_db: ServerDatabase, tmp_path: Path
) -> None:
    path = tmp_path / "notes.json"
    path.write_text(json.dumps({"format": "something else"}))
    assert "is not a Practice Observer bundle" in one_sentence(
        run(["import", str(path)], server_db.url())
    )
    missing: Any = tmp_path / "missing.json"
    assert run(["import", str(missing)], server_db.url()).exit_code == 2
