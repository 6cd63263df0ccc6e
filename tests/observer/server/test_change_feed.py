"""Every row written is stamped with the next server revision and its transaction, so a
pull bounded by the snapshot's xmin never skips a row that a slower writer commits late."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, select, text, update

from observer.server import schema
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
