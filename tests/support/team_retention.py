"""Retention on the team server, as its administrator runs it, for the sync state machine
(tests/observer/sync/test_sync_invariants.py), and where a removed record's words could
still be: every table of the server and of each laptop's store, and each store's search.

A worker's leaving reaches the server as a change to their person row with a new
revision: what a `service` role's laptop pushes, or `observer-server import` takes from
a bundle (a lead's or manager's push of a person the server holds is refused), so the
laptops take it at their next pull. The policy and its application are the functions
`observer-server retention set` and `retention apply --yes` run, each in one owner's
transaction, as the command runs them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, text, update

from observer.governance.retention import RetentionPolicy, add_years
from observer.search.service import search
from observer.server import retention, schema
from observer.services import Services
from observer.store.sync_tables import REFUSED, sync_outbox
from tests.support.server import ServerDatabase

# Long enough ago that a policy of 1 year makes them due, and one of 3 does not.
LEFT_DAYS_AGO = 800


def record_leaving(db: ServerDatabase, person: uuid.UUID, left: bool) -> None:
    """The person left LEFT_DAYS_AGO (or is back), as the server holds them."""
    p = schema.people
    left_on = date.today() - timedelta(days=LEFT_DAYS_AGO) if left else None
    with db.owner.begin() as conn:
        conn.execute(
            update(p)
            .where(p.c.id == person)
            .values(active=not left, left_on=left_on, revision=p.c.revision + 1)
        )


def apply_retention(db: ServerDatabase, years: int) -> set[uuid.UUID]:
    """`retention set --years-after-leaving years`, then `retention apply --yes`; the ids
    it removed, after checking that they are what the policy makes due: every observation
    the server held of a person who left more than `years` years ago."""
    today = date.today()
    p, o = schema.people, schema.observations
    with db.owner.begin() as conn:
        retention.set_policy(conn, RetentionPolicy(years))
    with db.owner.begin() as conn:
        due = {
            row.id
            for row in conn.execute(
                select(o.c.id, p.c.left_on)
                .join(p, p.c.id == o.c.observed_person_id)
                .where(p.c.active.is_(False), p.c.left_on.is_not(None))
            )
            if add_years(row.left_on, years) <= today
        }
        found = retention.apply(conn, today)
    assert found.observations == len(due), f"retention removed {found.observations} of {due}"
    t = schema.tombstones
    with db.owner.begin() as conn:
        held = set(conn.execute(select(o.c.id).where(o.c.id.in_(due))).scalars())
        stones = conn.execute(
            select(t.c.record_id).where(t.c.record_id.in_(due), t.c.reason == "removed")
        ).scalars()
        assert not held, f"retention left {held}"
        assert set(stones) == due, "a record removed without its tombstone"
    return due


# Where a removed record could still be


def server_text(db: ServerDatabase) -> str:
    """Every row of every table of the server, as JSON, one row a line."""
    with db.owner.begin() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        return "\n".join(
            row
            for table in list(tables)
            for row in conn.execute(text(f'SELECT row_to_json(t)::text FROM "{table}" t')).scalars()
        )


def laptop_text(laptop: Services) -> str:
    """Every row of every table of the store (the search index's own tables aside: they
    are asked by searching, `found_by_search`), as JSON, one row a line."""
    with laptop.db.session() as s:
        tables = s.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%'")
        ).scalars()
        lines = []
        for table in list(tables):
            if table.startswith("search"):
                continue
            for row in s.execute(text(f'SELECT * FROM "{table}"')):
                lines.append(json.dumps(list(row), default=str, ensure_ascii=False))
        return "\n".join(lines)


def found_by_search(laptop: Services, words: Iterable[str]) -> set[str]:
    return {word for word in words if search(laptop.db, word)}


def sync_records_of(laptop: Services, record: uuid.UUID) -> int:
    from observer.store.sync_tables import sync_records

    with laptop.db.session() as s:
        return int(
            s.scalar(
                select(func.count()).where(
                    sync_records.c.record_type == "observation", sync_records.c.record_id == record
                )
            )
            or 0
        )


def outbox_of(laptop: Services, records: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """Each of these records' outbox entries on `laptop`."""
    wanted = set(records)
    found: dict[uuid.UUID, list[Any]] = {}
    with laptop.db.session() as s:
        for row in s.execute(select(sync_outbox).where(sync_outbox.c.record_type == "observation")):
            if row.record_id in wanted:
                found.setdefault(row.record_id, []).append(row)
    return found


def refusals(laptop: Services) -> dict[uuid.UUID, str]:
    """The refused changes `observer sync status` (and the window's status line) shows."""
    return {r.record_id: r.message for r in laptop.sync.status().refused}


def not_refused(laptop: Services) -> list[Any]:
    with laptop.db.session() as s:
        return list(s.execute(select(sync_outbox).where(sync_outbox.c.state != REFUSED)))
