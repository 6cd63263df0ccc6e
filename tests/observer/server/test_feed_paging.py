"""Paging through the change feed while several transactions write to several tables, some
of them still open: every row the caller may see is delivered exactly once, in the feed's
order (written_xid, server_revision), whatever the page size and whoever asks
(observer/server/feed.py, docs/sync-protocol.md)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, insert, text, update

from observer.server import feed, schema
from observer.server.database import as_caller
from tests.support.server import WHEN, Framework, ServerDatabase

SLOTS = 3
# Tables whose rows a page lists by their own id and revision; frameworks stay as set up.
_KINDS = {
    "teams": "teams",
    "people": "people",
    "observations": "observations",
    "tombstones": "tombstones",
    "conflicts": "conflicts",
}

writes = st.sampled_from(
    ["team", "person", "observation", "observations", "move", "edit", "delete", "conflict"]
)
write = st.tuples(st.just("write"), st.integers(0, SLOTS), writes, st.integers(0, 10**6))
steps = st.lists(
    st.one_of(
        write,
        write,
        write,
        st.tuples(st.just("commit"), st.integers(1, SLOTS)),
        st.tuples(st.just("pull"), st.integers(0, 2), st.integers(1, 6)),
    ),
    min_size=6,
    max_size=40,
)


@dataclass
class World:
    db: ServerDatabase
    framework: Framework
    teams: list[uuid.UUID]
    workers: list[uuid.UUID]
    writers: list[uuid.UUID]
    laptops: list[uuid.UUID]
    observations: list[uuid.UUID] = field(default_factory=list)
    open: dict[int, Connection] = field(default_factory=dict)


@dataclass
class Pager:
    laptop: uuid.UUID
    after: feed.Cursor
    delivered: list[int] = field(default_factory=list)  # revisions, in the order sent
    keys: list[tuple[int, int]] = field(default_factory=list)


def _revisions(page: Any) -> list[int]:
    return [row["server_revision"] for kind in _KINDS for row in page[kind]]


def _pull(world: World, pager: Pager, limit: int) -> bool:
    connection = world.db.service.connect().execution_options(isolation_level="REPEATABLE READ")
    with connection as conn, conn.begin():
        as_caller(conn, pager.laptop)
        page = feed.pull(conn, pager.after, limit)
    revisions = _revisions(page)
    cursor = feed.Cursor.parse(page["cursor"])
    keys = _keys(world.db, revisions)
    for key in keys:
        assert (pager.after.xid, pager.after.revision) < key <= (cursor.xid, cursor.revision)
    assert len(page["observations"]) + len(page["people"]) + len(page["teams"]) <= limit
    pager.delivered += revisions
    pager.keys += sorted(keys)
    assert (cursor.xid, cursor.revision) >= (pager.after.xid, pager.after.revision)
    pager.after = cursor
    more: bool = page["more"]
    return more


def _keys(db: ServerDatabase, revisions: list[int]) -> list[tuple[int, int]]:
    if not revisions:
        return []
    union = " UNION ALL ".join(
        f"SELECT written_xid, server_revision FROM {table} WHERE server_revision = ANY(:r)"
        for table in _KINDS
    )
    with db.owner.connect() as conn:
        found = [(row[0], row[1]) for row in conn.execute(text(union), {"r": revisions})]
    assert len(found) == len(revisions)
    return found


def _visible(db: ServerDatabase, laptop: uuid.UUID, after: feed.Cursor) -> set[int]:
    union = " UNION ALL ".join(
        f"SELECT server_revision FROM {table} "
        "WHERE (written_xid, server_revision) > (:xid, :revision)"
        for table in _KINDS
    )
    with db.as_laptop(laptop) as conn:
        return set(
            conn.execute(text(union), {"xid": after.xid, "revision": after.revision}).scalars()
        )


def _write(world: World, slot: int, what: str, n: int) -> None:
    db = world.db
    if slot == 0 or slot not in world.open:
        conn = db.owner.connect()
        conn.begin()
        if slot:
            world.open[slot] = conn
    else:
        conn = world.open[slot]
    committed = slot == 0
    observations = world.observations
    if what == "team" or (what in ("move", "edit", "delete", "conflict") and not committed):
        team = uuid.uuid4()
        conn.execute(insert(schema.teams).values(id=team, name=f"Team {team}"))
        if committed:
            world.teams.append(team)
    elif what == "person":
        person = uuid.uuid4()
        conn.execute(
            insert(schema.people).values(
                id=person, name=f"Worker {n}", role="social_worker", team_id=_pick(world.teams, n)
            )
        )
        if committed:
            world.workers.append(person)
    elif what in ("observation", "observations"):
        for k in range(1 if what == "observation" else 2 + n % 6):
            record = uuid.uuid4()
            conn.execute(
                insert(schema.observations).values(
                    id=record,
                    observed_person_id=_pick(world.workers, n + k),
                    observer_id=_pick(world.writers, n // 7 + k),
                    framework_id=world.framework.id,
                    kind="home_visit",
                    observed_at=WHEN,
                )
            )
            if committed:
                observations.append(record)
    elif what == "move":
        people = schema.people
        conn.execute(
            update(people)
            .where(people.c.id == _pick(world.workers, n))
            .values(team_id=_pick(world.teams, n // 3))
        )
    elif what == "edit" and observations:
        o = schema.observations
        conn.execute(update(o).where(o.c.id == _pick(observations, n)).values(kind="supervision"))
    elif what == "delete" and observations:
        record = observations.pop(n % len(observations))
        conn.execute(delete(schema.observations).where(schema.observations.c.id == record))
    elif what == "conflict" and observations:
        conn.execute(
            insert(schema.conflicts).values(
                observation_id=_pick(observations, n),
                record_type="observations",
                record_id=_pick(observations, n),
                kind="edit_set_aside",
            )
        )
    if committed:
        conn.commit()
        conn.close()


def _pick(items: list[uuid.UUID], n: int) -> uuid.UUID:
    return items[n % len(items)]


def _commit(world: World, slot: int) -> None:
    conn = world.open.pop(slot, None)
    if conn is not None:
        conn.commit()
        conn.close()


_WORLDS: dict[str, World] = {}


def _world(db: ServerDatabase) -> World:
    """The same people and laptops for every example of a test (one database)."""
    if db.name in _WORLDS:
        return _WORLDS[db.name]
    framework = db.framework()
    north, south = db.team("North"), db.team("South")
    workers = [db.person(f"Worker {n}", team) for n, team in enumerate([north, south, None])]
    lead = db.person("Priya Shah", role="practice_lead")
    manager = db.person("Tomas Berg", north, role="team_manager")
    laptops = [
        db.laptop(db.person("Sam Quill"), "service"),
        db.laptop(lead, "practice_lead", (north,)),
        db.laptop(manager, "team_manager", (north,)),
    ]
    world = World(db, framework, [north, south], workers, [lead, manager], laptops)
    _WORLDS[db.name] = world
    return world


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps, limits=st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_paging_through_interleaved_writers_delivers_every_row_once_in_order(
    server_db: ServerDatabase, plan: list[tuple[Any, ...]], limits: list[int]
) -> None:
    world = _world(server_db)
    pagers = [Pager(laptop, feed.Cursor()) for laptop in world.laptops]
    for pager in pagers:
        while _pull(world, pager, 50):
            pass
        pager.delivered, pager.keys = [], []
    starts = [pager.after for pager in pagers]
    try:
        for step in plan:
            if step[0] == "write":
                _write(world, *step[1:])
            elif step[0] == "commit":
                _commit(world, step[1])
            else:
                _pull(world, pagers[step[1]], step[2])
    finally:
        for slot in list(world.open):
            _commit(world, slot)
    for pager, start in zip(pagers, starts, strict=True):
        pages = itertools.cycle(limits)
        while _pull(world, pager, next(pages)):
            pass
        assert len(pager.delivered) == len(set(pager.delivered)), "a row sent twice"
        assert pager.keys == sorted(pager.keys), "out of the feed's order"
        missing = _visible(server_db, pager.laptop, start) - set(pager.delivered)
        assert not missing, "a row the caller may see was never sent"
