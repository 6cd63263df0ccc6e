"""Every row written is stamped with the next server revision and its transaction, so a
pull bounded by the snapshot's xmin never skips a row that a slower writer commits late."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import Connection, select, text, update

from observer.server import feed, schema
from observer.server.database import as_caller
from tests.support.server import ServerDatabase


def _stamp(conn: Connection, table: str, row: uuid.UUID) -> tuple[int, int]:
    revision, xid = conn.execute(
        text(f"SELECT server_revision, written_xid FROM {table} WHERE id = :id"), {"id": row}
    ).one()
    return revision, xid


def test_rows_of_every_table_take_revisions_from_one_sequence(server_db: ServerDatabase) -> None:
    db = server_db
    framework = db.framework()
    ada, priya = db.person("Ada Okafor"), db.person("Priya Shah", role="practice_lead")
    observation = db.observation(framework, of=ada, by=priya)
    with db.owner.connect() as conn:
        order = [
            _stamp(conn, "frameworks", framework.id)[0],
            _stamp(conn, "standards", framework.standard)[0],
            _stamp(conn, "people", ada)[0],
            _stamp(conn, "observations", observation)[0],
        ]
    assert order == sorted(order)
    assert len(set(order)) == 4


def test_a_caller_cannot_choose_its_own_revision(server_db: ServerDatabase) -> None:
    db = server_db
    framework = db.framework()
    ada, priya = db.person("Ada Okafor"), db.person("Priya Shah")
    laptop = db.laptop(priya, "practice_lead")
    observation = db.observation(framework, of=ada, by=priya)
    with db.as_laptop(laptop) as conn:
        conn.execute(
            update(schema.observations)
            .where(schema.observations.c.id == observation)
            .values(server_revision=1, written_xid=1, strengths="Calm")
        )
        revision, xid = _stamp(conn, "observations", observation)
        current = conn.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one()
    assert revision > 1
    assert xid == current


def test_a_change_to_a_part_restamps_its_observation(server_db: ServerDatabase) -> None:
    db = server_db
    framework = db.framework()
    observation = db.observation(framework, of=db.person("Ada Okafor"), by=db.person("Priya Shah"))
    with db.owner.connect() as conn:
        before = _stamp(conn, "observations", observation)[0]
    rating = db.add(schema.ratings, observation_id=observation, standard_id=framework.standard)
    with db.owner.connect() as conn:
        rated = _stamp(conn, "observations", observation)[0]
        assert rated > before
        conn.execute(
            update(schema.ratings).where(schema.ratings.c.id == rating).values(evidence="Seen")
        )
        conn.commit()
        assert _stamp(conn, "observations", observation)[0] > rated


def test_a_pull_bounded_by_xmin_waits_for_a_slower_writer(server_db: ServerDatabase) -> None:
    db = server_db
    framework = db.framework()
    ada, priya = db.person("Ada Okafor"), db.person("Priya Shah")
    feed = text(
        "SELECT id FROM observations WHERE written_xid >= :since "
        "AND written_xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
        "ORDER BY server_revision"
    )
    with db.owner.connect() as conn:
        since = conn.execute(
            text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        ).scalar_one()
    slow = db.owner.connect()
    try:
        slow.begin()
        late = uuid.uuid4()
        slow.execute(
            schema.observations.insert().values(
                id=late,
                observed_person_id=ada,
                observer_id=priya,
                framework_id=framework.id,
                kind="home_visit",
                observed_at=text("now()"),
            )
        )
        quick = db.observation(framework, of=ada, by=priya)  # takes a later revision, commits
        with db.owner.connect() as conn:
            late_revision = slow.execute(
                select(schema.observations.c.server_revision).where(
                    schema.observations.c.id == late
                )
            ).scalar_one()
            assert _stamp(conn, "observations", quick)[0] > late_revision
            # the quick row is committed, but a pull now must not hand it out yet: a cursor
            # moved past its revision would skip the slow row when it commits
            assert conn.execute(feed, {"since": since}).scalars().all() == []
        slow.commit()
        with db.owner.connect() as conn:
            assert conn.execute(feed, {"since": since}).scalars().all() == [late, quick]
    finally:
        slow.close()


def test_the_feed_carries_exactly_what_row_level_security_shows_each_caller(
    server_db: ServerDatabase,
) -> None:
    """The feed looks for a lead's or manager's observations by index, with its own copy of
    their scope (observer/server/feed.py, _in_scope): it must never leave out a record
    that row-level security shows them, nor add one."""
    db = server_db
    framework = db.framework()
    north, south = db.team("North"), db.team("South")
    ada, ben = db.person("Ada Okafor", north), db.person("Ben Adeyemi", south)
    cal = db.person("Cal Nowak")  # in no team
    priya = db.person("Priya Shah", role="practice_lead")
    tomas = db.person("Tomas Berg", north, role="team_manager")
    uma = db.person("Uma Reyes", role="practice_lead")
    for worker, writer in [
        (ada, priya), (ben, priya), (cal, priya), (ada, tomas), (ben, tomas),
        (ben, uma), (cal, uma), (tomas, uma), (ada, uma),
    ]:  # fmt: skip
        db.observation(framework, of=worker, by=writer)
    laptops = {
        "a practice lead of North": db.laptop(priya, "practice_lead", (north,)),
        "North's team manager": db.laptop(tomas, "team_manager", (north,)),
        "a lead of no team": db.laptop(uma, "practice_lead"),
        "a service-wide role": db.laptop(db.person("Sam Quill"), "service"),
        "a laptop whose person has no role": db.laptop(db.person("Nora Vale"), None),
    }
    seen_by = {}
    for who, laptop in laptops.items():
        connection = db.service.connect().execution_options(isolation_level="REPEATABLE READ")
        with connection as conn, conn.begin():
            as_caller(conn, laptop)
            seen = set(conn.execute(select(schema.observations.c.id)).scalars())
            page = feed.pull(conn, feed.Cursor(), 1000)
        assert {uuid.UUID(o["id"]) for o in page["observations"]} == seen, who
        seen_by[who] = len(seen)
    assert seen_by == {
        "a practice lead of North": 6,  # the 3 Priya wrote, Tomas's of Ada, Uma's of Ada and Tomas
        "North's team manager": 5,  # Ada's 3, Tomas's own 2 (one of Ben, in South)
        "a lead of no team": 4,
        "a service-wide role": 9,
        "a laptop whose person has no role": 0,
    }


def test_small_pages_carry_every_row_once_in_the_feeds_order(server_db: ServerDatabase) -> None:
    """Each table gives a page at most a page of its rows (observer/server/feed.py,
    `_entries`): paging through many people, teams and records written in turn must still
    carry every row once, in the order they were written."""
    db = server_db
    framework = db.framework()
    priya = db.person("Priya Shah", role="practice_lead")
    written: list[uuid.UUID] = []
    for n in range(6):
        team = db.team(f"Team {n}")
        people = [db.person(f"Worker {n}-{k}", team) for k in range(3)]
        written += [team, *people, db.observation(framework, of=people[0], by=priya)]
    laptop = db.laptop(db.person("Sam Quill"), "service")
    pages: list[list[uuid.UUID]] = []
    after = feed.Cursor()
    while True:
        connection = db.service.connect().execution_options(isolation_level="REPEATABLE READ")
        with connection as conn, conn.begin():
            as_caller(conn, laptop)
            page = feed.pull(conn, after, 4)
        ours = [
            uuid.UUID(row["id"]) for key in ("teams", "people", "observations") for row in page[key]
        ]
        pages.append([row for row in ours if row in set(written)])
        after = feed.Cursor.parse(page["cursor"])
        if not page["more"]:
            break
    carried = [row for page_rows in pages for row in page_rows]
    assert sorted(carried) == sorted(written)  # every row, once
    with db.owner.connect() as conn:
        stamps = {
            row: _stamp(conn, table, row)[0]
            for table in ("teams", "people", "observations")
            for row in conn.execute(text(f"SELECT id FROM {table}")).scalars()
        }
    revisions = [[stamps[row] for row in page_rows] for page_rows in pages if page_rows]
    assert len(revisions) >= len(written) // 4
    for earlier, later in itertools.pairwise(revisions):
        assert max(earlier) < min(later)  # each page's rows were all written before the next's
