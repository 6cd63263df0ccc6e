"""A page's records are written as JSON by PostgreSQL (observer/server/feed_json.py); what a
laptop reads must be exactly what the Python path (feed.observation_documents, feed._records)
made of the same rows: every field kind, None, times with and without microseconds in any
time zone, dates, bytes, unicode, large text and jsonb."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from observer.server import feed, feed_json, schema
from tests.support.server import ServerDatabase

SUMMER = datetime(2026, 7, 14, 9, 5, 7, 123456, tzinfo=UTC)
UNUSUAL = 'Zoë Łukasiewicz said "no" \\ then\ttabbed\nand\r\nwrote 日本語 🙂 \x01\x1f\u2028'
LARGE = ("A long reflection, line after line. " * 4000) + "Ende: straße."


def _compact(value: object) -> str:
    # What a laptop holds once it has read the page: the same values, keys and order.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _world(db: ServerDatabase) -> tuple[uuid.UUID, list[uuid.UUID]]:
    framework = db.framework()
    second = db.add(schema.standards, framework_id=framework.id, code="10", title="Río", position=2)
    not_observed = db.add(
        schema.rating_levels,
        framework_id=framework.id,
        code="not_observed",
        label="Not observed",
        position=9,
    )
    team = db.team("Northshire Équipe A")
    worker = db.person(UNUSUAL[:40], team)
    lead = db.person("Priya Shah", role="practice_lead")
    full = db.add(
        schema.observations,
        observed_person_id=worker,
        observer_id=lead,
        framework_id=framework.id,
        kind="direct_work",
        observed_at=SUMMER,
        duration_minutes=None,
        case_reference="CP-0042",
        others_present=UNUSUAL,
        family_present=True,
        focus="Child's voice — “quoted”",
        strengths=LARGE,
        reflection="",
        overall_level_id=framework.level,
        overall_rationale=UNUSUAL,
        status="ready",
        shown_at_signing={"observed_person": "Zoë", "owners": {"b": ["ü", None, 1.5, True]}},
        ids_at_signing=[str(worker), None],
    )
    db.add(
        schema.ratings,
        observation_id=full,
        standard_id=framework.standard,
        level_id=framework.level,
        evidence=UNUSUAL,
        created_at=SUMMER,
        updated_at=SUMMER.replace(microsecond=0),
    )
    db.add(schema.ratings, observation_id=full, standard_id=second, level_id=None)
    done = db.add(
        schema.actions,
        observation_id=full,
        description=UNUSUAL,
        owner_id=worker,
        due_date=date(2026, 8, 1),
        status="done",
        done_at=SUMMER + timedelta(days=3, microseconds=1),
        done_by="Tomas Berg",
        position=1,
    )
    db.add(schema.action_standards, action_id=done, standard_id=second)
    db.add(schema.action_standards, action_id=done, standard_id=framework.standard)
    db.add(schema.actions, observation_id=full, description="Open", position=0)
    certificate = bytes(range(256)) * 3  # longer than one line of PostgreSQL's base64
    db.add(
        schema.signatures,
        observation_id=full,
        role="observer",
        name="Priya Shah",
        signed_at=SUMMER + timedelta(hours=1),
        content_hash="a" * 64,
        certificate=certificate,
        digital_signature=b"\x00\xff" * 36,
    )
    db.add(
        schema.signatures,
        observation_id=full,
        role="practitioner",
        name=UNUSUAL[:40],
        image_png=b"\x89PNG\r\n\x1a\n",
        signed_at=SUMMER + timedelta(hours=1, microseconds=500000),
        comment=UNUSUAL,
        content_hash="a" * 64,
    )
    db.add(
        schema.addenda,
        observation_id=full,
        text=LARGE,
        author_name="Tomas Berg",
        signed_at=SUMMER + timedelta(days=30),
        content_hash="b" * 64,
        certificate=certificate,
    )
    bare = db.observation(framework, of=worker, by=lead)
    other_level = db.observation(framework, of=worker, by=lead, overall_level_id=not_observed)
    manager = db.person("Tomas Berg", team, role="team_manager")
    laptop = db.laptop(manager, "team_manager", (team,))
    return laptop, [full, bare, other_level]


def _time_zone(conn: Connection, zone: str) -> None:
    conn.execute(text("SELECT set_config('TimeZone', :zone, true)"), {"zone": zone})


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "Asia/Kolkata", "America/St_Johns"])
def test_observations_from_postgresql_are_what_the_python_path_made(
    server_db: ServerDatabase, zone: str
) -> None:
    laptop, ids = _world(server_db)
    with server_db.as_laptop(laptop) as conn:
        _time_zone(conn, zone)
        expected = feed.observation_documents(conn, ids)
        written = feed_json.observations(conn, ids)
    assert len(expected) == 3
    assert [_compact(json.loads(record)) for record in written] == [
        _compact(record) for record in expected
    ]
    full = expected[[record["id"] for record in expected].index(str(ids[0]))]
    # The sample holds what it is meant to hold.
    assert full["strengths"] == LARGE
    assert full["others_present"] == UNUSUAL
    assert {len(full[part]) for part in ("ratings", "actions", "signatures")} == {2}
    assert full["actions"][1]["standards"] == ["1", "10"]
    assert any("." in s["signed_at"] for s in full["signatures"])
    assert any(s["certificate"] and len(s["certificate"]) > 76 for s in full["signatures"])


def test_teams_people_and_conflicts_from_postgresql_are_what_the_python_path_made(
    server_db: ServerDatabase,
) -> None:
    db = server_db
    laptop, ids = _world(db)
    conflict = db.add(
        schema.conflicts,
        observation_id=ids[0],
        record_type="observation",
        record_id=ids[0],
        field="focus",
        kind="overruled",
        kept={"value": UNUSUAL},
        set_aside={"value": None, "side": "pushed"},
        created_at=SUMMER,
    )
    with db.as_laptop(laptop) as conn:
        _time_zone(conn, "Europe/London")
        for table, wanted in (
            (schema.teams, _all(conn, schema.teams)),
            (schema.people, _all(conn, schema.people)),
            (schema.conflicts, [conflict]),
        ):
            expected = feed._records(feed._rows(conn, table, wanted))
            written = [json.loads(record) for record in feed_json.records(conn, table, wanted)]
            assert expected, table.name
            assert [_compact(r) for r in written] == [_compact(r) for r in expected], table.name


def test_a_page_is_read_as_the_caller_sees_it(server_db: ServerDatabase) -> None:
    """Row-level security still decides: a caller with no role gets none of the records."""
    laptop, ids = _world(server_db)
    stranger = server_db.laptop(server_db.person("Nora Vale"), None)
    with server_db.as_laptop(stranger) as conn:
        assert feed_json.observations(conn, ids) == []
    with server_db.as_laptop(laptop) as conn:
        assert len(feed_json.observations(conn, ids)) == 3


def _all(conn: Connection, table: Any) -> list[uuid.UUID]:
    return list(conn.execute(text(f"SELECT id FROM {table.name}")).scalars())
