"""What row-level security costs a pull, kept small as the server grows (server migration
0008): a record's parts are checked against it by its key, not by reading every
observation the caller sees; and the caller is looked up without planning the lookup again
at every call (a pull's statements call it a dozen times each)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, text

from observer.server import feed, schema
from observer.server.database import as_caller
from tests.support.server import WHEN, ServerDatabase

OBSERVATIONS = 3000
PAGE = 200


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


def test_a_pages_parts_are_checked_by_their_records_key_not_by_reading_every_observation(
    server_db: ServerDatabase,
) -> None:
    db = server_db
    framework = db.framework()
    team = db.team("Northshire Child Protection A")
    worker = db.person("Ada Okafor", team)
    lead = db.person("Priya Shah", role="practice_lead")
    ids = [uuid.uuid4() for _ in range(OBSERVATIONS)]
    with db.owner.begin() as conn:
        conn.execute(
            insert(schema.observations),
            [
                {
                    "id": record,
                    "observed_person_id": worker,
                    "observer_id": lead,
                    "framework_id": framework.id,
                    "kind": "home_visit",
                    "observed_at": WHEN - timedelta(minutes=i),
                }
                for i, record in enumerate(ids)
            ],
        )
        conn.execute(
            insert(schema.ratings),
            [
                {"id": uuid.uuid4(), "observation_id": record, "standard_id": framework.standard}
                for record in ids
            ],
        )
        conn.execute(text("ANALYZE observations; ANALYZE ratings"))
    laptop = db.laptop(lead, "practice_lead", (team,))

    with db.as_laptop(laptop) as conn:
        explained = conn.execute(
            text("EXPLAIN (FORMAT JSON) SELECT * FROM ratings WHERE observation_id = ANY(:ids)"),
            {"ids": ids[:PAGE]},
        ).scalar_one()
    plan = explained if isinstance(explained, list) else json.loads(explained)
    scans = {
        (node["Node Type"], node.get("Relation Name"))
        for node in _nodes(plan[0]["Plan"])
        if node.get("Relation Name") == "observations"
    }
    assert scans, "the ratings' policy no longer reads observations"
    assert ("Seq Scan", "observations") not in scans


def test_the_caller_is_looked_up_by_functions_that_keep_their_plans(
    server_db: ServerDatabase,
) -> None:
    """SQL functions that run as the owner cannot be inlined, and are planned at every
    call, through each function they call; PL/pgSQL keeps its plans for the connection."""
    with server_db.owner.connect() as conn:
        languages = dict(
            conn.execute(
                text(
                    "SELECT p.proname, l.lanname FROM pg_proc p "
                    "JOIN pg_language l ON l.oid = p.prolang "
                    "WHERE p.proname LIKE 'observer_caller_%'"
                )
            ).all()
        )
    assert languages == {
        "observer_caller_laptop": "plpgsql",
        "observer_caller_person": "plpgsql",
        "observer_caller_role": "plpgsql",
        "observer_caller_teams": "plpgsql",
        "observer_caller_colleagues": "plpgsql",  # whose laptops a manager sees (0010)
    }


def _observations_read(conn: Any) -> int:
    """Observation rows this transaction has read so far, by any scan."""
    found = conn.execute(
        text(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
            "FROM pg_stat_xact_user_tables WHERE relname = 'observations'"
        )
    ).scalar_one()
    return int(found)


def test_a_page_of_people_reads_none_of_the_managers_observations(
    server_db: ServerDatabase,
) -> None:
    """A manager's first sync carries every person before their team's records (people
    were written first). Each of those pages used to read every observation the manager
    sees, to learn that none came before its people: 5,000 of them, 106 times over, among a
    million. Now observations are sought only up to the page's last person."""
    db = server_db
    framework = db.framework()
    team = db.team("Northshire Child Protection A")
    manager = db.person("Dana Lewis", team, role="team_manager")
    workers = [db.person(f"Worker {n}", team) for n in range(3)]
    lead = db.person("Priya Shah", role="practice_lead")
    with db.owner.begin() as conn:  # everyone else in the service, in one transaction
        conn.execute(
            insert(schema.people),
            [
                {"id": uuid.uuid4(), "name": f"Colleague {n}", "role": "social_worker"}
                for n in range(2 * PAGE)
            ],
        )
    with db.owner.begin() as conn:
        conn.execute(
            insert(schema.observations),
            [
                {
                    "id": uuid.uuid4(),
                    "observed_person_id": workers[i % 3],
                    "observer_id": lead,
                    "framework_id": framework.id,
                    "kind": "home_visit",
                    "observed_at": WHEN - timedelta(minutes=i),
                }
                for i in range(OBSERVATIONS)
            ],
        )
        conn.execute(text("ANALYZE observations; ANALYZE people"))
    laptop = db.laptop(manager, "team_manager", (team,))

    with db.service.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            as_caller(conn, laptop)
            page = feed.pull(conn, feed.Cursor(), PAGE)
            assert page["more"] is True
            assert len(page["people"]) > PAGE // 2
            assert page["observations"] == []
            assert _observations_read(conn) == 0
        cursor = feed.Cursor.parse(page["cursor"])
        while not page["observations"]:
            with conn.begin():
                as_caller(conn, laptop)
                page = feed.pull(conn, cursor, PAGE)
                cursor = feed.Cursor.parse(page["cursor"])
        # Then the records come, the last people's page filled up with the first of them.
        assert 0 < len(page["observations"]) < PAGE
        assert page["more"] is True
