"""The change feed a laptop pulls: what its caller may see, in server order, bounded so that
no row is ever skipped.

Every synced row carries the transaction that wrote it (`written_xid`) and the server
revision it was given. A page lists rows in the order (written_xid, server_revision) after
the cursor, and only rows written by transactions below the snapshot's xmin: each of those
had finished when the snapshot was taken, so no transaction can still commit a row below
the cursor that the next page would pass. A row a slower writer commits late has an xid at
or above the xmin and is held back until that writer has finished; a row written again
comes back with its new transaction.

A cursor also names the feed's epoch, which a restored database changes
(observer/server/epoch.py): a cursor of another epoch is refused (`StaleCursor`), and the
laptop pulls again from the start.

Row-level security decides what the caller sees: the queries here name no person and no
team. A page carries observations whole (a change to a rating, action, signature or
addendum restamps its observation), frameworks whole (with their standards and rating
levels), teams, people and tombstones; and, when there are any, issue 17's records
(observer/server/feed_quality.py). A person's row also tells a laptop when that
person has left its scope (`withdrawn`, below), and every page says the caller's role and
teams (`scope`).
"""

from __future__ import annotations

import base64
import functools
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    Row,
    Table,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from observer.errors import ObserverError
from observer.server import feed_json, feed_quality, schema

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
_CURSOR = re.compile(r"(?:([0-9]{1,19})\.)?([0-9]{1,19})\.([0-9]{1,19})")
_MAX_BIGINT = 2**63 - 1
# Bookkeeping of the feed itself; `server_revision` stays, as the revision a later push
# says its change was based on.
_NOT_SENT = feed_json.NOT_SENT


class BadCursor(ObserverError):
    pass


class StaleCursor(ObserverError):
    """A cursor of another epoch of the feed (the database was restored since), or from
    beyond any transaction this server has had: the laptop pulls again from the start."""


class NotReady(ObserverError):
    """The database was restored, or moved, and `migrate` has not yet started a new epoch."""


@dataclass(frozen=True, order=True)
class Cursor:
    """Everything up to and including this (transaction, revision) of this epoch has been
    delivered (observer/server/epoch.py). No epoch: from the start, in the current one."""

    epoch: int | None = None
    xid: int = 0
    revision: int = 0

    def __str__(self) -> str:
        return f"{self.epoch}.{self.xid}.{self.revision}"

    @classmethod
    def parse(cls, given: str | None) -> Cursor:
        if given is None or given == "":
            return cls()
        found = _CURSOR.fullmatch(given)
        if found is None or max(int(n) for n in found.groups(default="0")) > _MAX_BIGINT:
            raise BadCursor(
                "The cursor is not one this server gave out; pull from the start without it."
            )
        if found[1] is None:
            # A cursor given out before the feed had epochs: of no current one.
            return cls(0, int(found[2]), int(found[3]))
        return cls(int(found[1]), int(found[2]), int(found[3]))


class Page(Mapping[str, Any]):
    """A page of the feed: `body` is the JSON the service sends as it is; read as a mapping
    (by a test, or an administrator's command), it is that JSON parsed, once."""

    def __init__(self, body: bytes, more: bool) -> None:
        self.body = body
        self.more = more
        self._read: dict[str, Any] | None = None

    def with_part(self, key: str, value: object) -> Page:
        """The page with one more key (protocol v2's `laptops`, on the last page)."""
        return Page(self.body[:-1] + b"," + _dumps(key) + b":" + _dumps(value) + b"}", self.more)

    def _parsed(self) -> dict[str, Any]:
        if self._read is None:
            self._read = json.loads(self.body)
        return self._read

    def __getitem__(self, key: str) -> Any:
        return self._parsed()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __len__(self) -> int:
        return len(self._parsed())


def pull(conn: Connection, after: Cursor, limit: int, *, settlements: bool = True) -> Page:
    """One page of the feed for the caller set on `conn`, whose transaction must be
    REPEATABLE READ so that every statement here reads the same snapshot. Teams, people,
    observations and conflicts come as PostgreSQL wrote them (observer/server/feed_json.py).
    `settlements`: whether conflicts carry who settled them and how (protocol v2; v1 keeps
    its fields)."""
    # What a page needs to know first, in one statement: the epoch, the snapshot, who
    # is asking. psycopg prepares a statement run five times on a connection, and
    # PostgreSQL may then keep one generic plan for it: for the page's query, blind to the
    # cursor and the snapshot, that plan read every row after the start of the feed,
    # 143 ms a page among a million observations where a plan for the actual values takes
    # 14 ms; so it is planned afresh (plan_cache_mode, for this transaction).
    state = conn.execute(_STATE).one()
    current = state.epoch
    if current is None:
        raise NotReady(
            "The team server's database was restored and is not ready yet; "
            "try again later (IT: run observer-server migrate)."
        )
    if after.epoch is None:
        after = Cursor(current, after.xid, after.revision)
    # Every cursor given out lies below the xmax of any later snapshot, unless the
    # database went back in time unannounced (a snapshot of the machine rolled back).
    if after.epoch != current or after.xid > state.xmax:
        raise StaleCursor(
            "The team server was restored from a backup since this laptop last synced: "
            "pull again from the beginning, without a cursor."
        )
    entries = _entries(conn, after, state.xmin, limit + 1, narrowed=state.role != "service")
    if entries:
        # The records' statements keep their generic plans (feed_json.py).
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = DEFAULT")
    more = len(entries) > limit
    entries = entries[:limit]
    if more:
        last = entries[-1]
        cursor = Cursor(current, last.written_xid, last.server_revision)
    else:
        cursor = max(after, Cursor(current, state.xmin, 0))
    found: dict[str, dict[uuid.UUID, None]] = {}  # each id once, in feed order
    for entry in entries:
        found.setdefault(entry.kind, {})[entry.id] = None
    wanted = {kind: list(ids) for kind, ids in found.items()}
    people = wanted.get("people", [])
    tombstones = _rows(conn, schema.tombstones, wanted.get("tombstones", []))
    parts = {
        "cursor": _dumps(str(cursor)),
        "more": _dumps(more),
        "teams": _array(feed_json.records(conn, schema.teams, wanted.get("teams", []))),
        "people": _array(feed_json.records(conn, schema.people, people)),
        "frameworks": _dumps(_frameworks(conn, wanted.get("frameworks", []))),
        "observations": _array(feed_json.observations(conn, wanted.get("observations", []))),
        "tombstones": _dumps([_tombstone(row) for row in tombstones]),
        "withdrawn": _dumps(_withdrawn(conn, people)),
        "conflicts": _array(
            feed_json.records(conn, schema.conflicts, wanted.get("conflicts", []))
            if settlements
            else feed_json.conflicts_v1(conn, wanted.get("conflicts", []))
        ),
        "scope": _dumps(_scope(state.role, state.teams)),
        **{kind: _dumps(records) for kind, records in feed_quality.parts(conn, wanted).items()},
    }
    return Page(b"{" + b",".join(_dumps(key) + b":" + v for key, v in parts.items()) + b"}", more)


def warm(conn: Connection) -> None:
    """Plans, on this connection, the statements of a page (with no caller named, nothing
    is read but the catalogue): see app._warm."""
    bounds = {"after_xid": 0, "after_revision": 0, "xmin": 1, "limit": 1}
    conn.execute(_others(), bounds).all()
    for narrowed in (True, False):
        for one_transaction in (True, False):
            query = _observations(narrowed=narrowed, one_transaction=one_transaction)
            conn.execute(query, {**bounds, "upto_xid": 0, "upto_revision": 0}).all()
    nobody = [uuid.uuid4()]
    feed_json.observations(conn, nobody)
    for table in (schema.teams, schema.people, schema.conflicts):
        feed_json.records(conn, table, nobody)
    conn.execute(_STATE).one()


def _dumps(value: object) -> bytes:
    # As Starlette's JSONResponse writes a body.
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def _array(texts: Sequence[bytes]) -> bytes:
    return b"[" + b",".join(texts) + b"]"


def _scope(role: str | None, teams: Sequence[uuid.UUID] | None) -> dict[str, Any]:
    """The caller's role and the ids of the teams they are assigned to, as of this page:
    what a laptop judges its user's scope by (a bundle import leaves out what they may
    not see). Assignments change without any row of the feed changing, so every page
    says them."""
    return {"role": role, "teams": sorted(str(team) for team in teams or [])}


_STATE = text(
    "SELECT observer_epoch() AS epoch, "
    "pg_snapshot_xmin(s)::text::bigint AS xmin, pg_snapshot_xmax(s)::text::bigint AS xmax, "
    "observer_caller_role() AS role, observer_caller_teams() AS teams, "
    "set_config('plan_cache_mode', 'force_custom_plan', true) AS planning "
    "FROM pg_current_snapshot() AS s"
)


def _entries(conn: Connection, after: Cursor, xmin: int, limit: int, *, narrowed: bool) -> Any:
    """The first `limit` rows after the cursor and below `xmin`, as (kind, id, written_xid,
    server_revision) in feed order; a standard or rating level stands for its framework.
    `narrowed` (for any caller but a service-wide role) adds to the observations the scope
    row-level security already applies, written so that PostgreSQL can find them by index
    rather than read every observation.

    In two statements: the rows of every other table first, then the observations up to
    the last of those when they fill the page. A manager's observations are found by who
    wrote them and whose they are, not in feed order, so a page of people read every one
    of them (5,000 among a million) to learn that none came first; bounded by the
    people's last, it reads none."""
    bounds = {
        "after_xid": after.xid,
        "after_revision": after.revision,
        "xmin": xmin,
        "limit": limit,
    }
    others = conn.execute(_others(), bounds).all()
    upto = (xmin, 0)
    if len(others) == limit:
        upto = (others[-1].written_xid, others[-1].server_revision)
    query = _observations(narrowed=narrowed, one_transaction=upto[0] == after.xid)
    observations = conn.execute(
        query, {**bounds, "upto_xid": upto[0], "upto_revision": upto[1]}
    ).all()
    return sorted([*others, *observations], key=_feed_order)[:limit]


def _feed_order(row: Row[Any]) -> tuple[int, int]:
    return (row.written_xid, row.server_revision)


# Built once: making these anew for every page cost a sync more CPU than the rest of its
# page (a quarter of the service's time with 50 laptops syncing at once).
_AFTER_XID = bindparam("after_xid", type_=BigInteger)
_AFTER_REVISION = bindparam("after_revision", type_=BigInteger)
_XMIN = bindparam("xmin", type_=BigInteger)
_LIMIT = bindparam("limit", type_=Integer)


def _first(table: Table, kind: str, id_column: str = "id", *also: Any) -> Any:
    """A table's first rows after the cursor, at most `limit`, by its feed index."""
    key = tuple_(table.c.written_xid, table.c.server_revision)
    return (
        select(
            literal(kind).label("kind"),
            table.c[id_column].label("id"),
            table.c.written_xid,
            table.c.server_revision,
        )
        .where(
            key > tuple_(_AFTER_XID, _AFTER_REVISION),
            table.c.written_xid >= _AFTER_XID,
            table.c.written_xid < _XMIN,
            *also,
        )
        .order_by(table.c.written_xid, table.c.server_revision)
        .limit(_LIMIT)
    )


@functools.cache
def _others() -> Any:
    feed = union_all(
        *(
            select(_first(table, kind, id_column).subquery())
            for table, kind, id_column in (
                (schema.teams, "teams", "id"),
                (schema.people, "people", "id"),
                (schema.frameworks, "frameworks", "id"),
                (schema.standards, "frameworks", "framework_id"),
                (schema.rating_levels, "frameworks", "framework_id"),
                (schema.tombstones, "tombstones", "id"),
                (schema.conflicts, "conflicts", "id"),
                *((table, kind, "id") for kind, table in feed_quality.KINDS.items()),
            )
        )
    ).subquery()
    return select(feed).order_by(feed.c.written_xid, feed.c.server_revision).limit(_LIMIT)


@functools.cache
def _observations(*, narrowed: bool, one_transaction: bool = False) -> Any:
    """The observations after the cursor up to (`upto_xid`, `upto_revision`), at most
    `limit`. `one_transaction`: both ends were written by the same transaction (an import,
    or a page within a long one), for which the bounds are said by revision alone:
    PostgreSQL does not end an index scan at a row comparison's upper bound, and would read
    every later row of that transaction."""
    o = schema.observations
    upto_xid = bindparam("upto_xid", type_=BigInteger)
    upto_revision = bindparam("upto_revision", type_=BigInteger)
    key = tuple_(o.c.written_xid, o.c.server_revision)
    after, upto = key > tuple_(_AFTER_XID, _AFTER_REVISION), key <= tuple_(upto_xid, upto_revision)
    window: tuple[Any, ...] = (o.c.written_xid >= _AFTER_XID, o.c.written_xid <= upto_xid)
    if one_transaction:
        window = (
            o.c.written_xid == upto_xid,
            o.c.server_revision > _AFTER_REVISION,
            o.c.server_revision <= upto_revision,
        )
    columns = (
        literal("observations").label("kind"),
        o.c.id,
        o.c.written_xid,
        o.c.server_revision,
    )
    if not narrowed:
        ordered = select(*columns).where(after, upto, *window, o.c.written_xid < _XMIN)
        return ordered.order_by(o.c.written_xid, o.c.server_revision).limit(_LIMIT)
    # The caller's own, found by the two scope indexes within the window of transactions,
    # then ordered: given the cursor's row comparison, or walked in feed order with the
    # LIMIT, PostgreSQL would seek a manager's few among every observation by the feed's
    # index (OFFSET 0 keeps the two apart).
    found = select(*columns).where(*window, o.c.written_xid < _XMIN, _in_scope())
    mine = found.offset(0).subquery()
    bounded = (
        tuple_(mine.c.written_xid, mine.c.server_revision) > tuple_(_AFTER_XID, _AFTER_REVISION),
        tuple_(mine.c.written_xid, mine.c.server_revision) <= tuple_(upto_xid, upto_revision),
    )
    return (
        select(mine)
        .where(*bounded)
        .order_by(mine.c.written_xid, mine.c.server_revision)
        .limit(_LIMIT)
    )


def _in_scope() -> Any:
    """Observations a practice lead or team manager sees: those they wrote, and those of
    workers now in their teams. The same rule as the `scope` policy of observations
    (migrations 0002 and 0004), which still decides; this copy only lets the planner reach
    those rows through the indexes on observer_id and observed_person_id (a policy's
    `IN (SELECT …)` is a filter over every row). test_change_feed.py holds the two
    together for every role."""
    o, p = schema.observations, schema.people
    in_teams = select(p.c.id).where(p.c.team_id == func.any_(func.observer_caller_teams()))
    return or_(
        o.c.observer_id == select(func.observer_caller_person()).scalar_subquery(),
        o.c.observed_person_id == func.any_(func.array(in_teams.scalar_subquery())),
    )


def _rows(conn: Connection, table: Table, ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
    if not ids:
        return []
    return list(
        conn.execute(select(table).where(table.c.id.in_(ids)).order_by(table.c.server_revision))
    )


def _withdrawn(conn: Connection, people: Sequence[uuid.UUID]) -> list[str]:
    """Of these people (whose rows are in this page), those whose observations by others
    the caller may no longer see: the laptop removes its copies of them, keeping those its
    own person wrote. It is said of anyone outside the caller's teams, so a laptop that
    never held their records has nothing to remove."""
    if not people:
        return []
    p = schema.people
    # As subqueries, the caller is looked up once for the statement, not once a row.
    role = select(func.observer_caller_role()).scalar_subquery()
    teams = cast(select(func.observer_caller_teams()).scalar_subquery(), ARRAY(UUID))
    in_scope = (role == "service") | (role.is_not(None) & (p.c.team_id == func.any_(teams)))
    found = conn.execute(
        select(p.c.id).where(p.c.id.in_(people), ~func.coalesce(in_scope, False))
    ).scalars()
    return sorted(str(person) for person in found)


def _frameworks(conn: Connection, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    out = []
    standards = _parts(conn, schema.standards, "framework_id", ids, "position")
    levels = _parts(conn, schema.rating_levels, "framework_id", ids, "position")
    rows = _rows(conn, schema.frameworks, ids)
    for row, record in zip(rows, _records(rows), strict=True):
        record["definition"] = _maybe_json(row.definition)
        record["standards"] = standards.get(row.id, [])
        record["rating_levels"] = levels.get(row.id, [])
        out.append(record)
    return out


def observation_documents(conn: Connection, ids: Sequence[uuid.UUID]) -> list[dict[str, Any]]:
    """Observations as a bundle carries them: ratings, actions, signatures and addenda
    inside, standards and levels by code, the framework by key and version."""
    rows = _rows(conn, schema.observations, ids)
    if not rows:
        return []
    framework_ids = sorted({row.framework_id for row in rows})
    frameworks = {
        row.id: {"key": row.key, "version": row.version}
        for row in _rows(conn, schema.frameworks, framework_ids)
    }
    codes = {
        str(row.id): row.code
        for table in (schema.standards, schema.rating_levels)
        for row in conn.execute(
            select(table.c.id, table.c.code).where(table.c.framework_id.in_(framework_ids))
        )
    }
    ratings = _parts(conn, schema.ratings, "observation_id", ids, "id")
    actions = _parts(conn, schema.actions, "observation_id", ids, "position")
    signatures = _parts(conn, schema.signatures, "observation_id", ids, "signed_at")
    addenda = _parts(conn, schema.addenda, "observation_id", ids, "signed_at")
    action_ids = [uuid.UUID(a["id"]) for parts in actions.values() for a in parts]
    action_standards: dict[str, list[str]] = {}
    if action_ids:
        links = schema.action_standards
        for link in conn.execute(select(links).where(links.c.action_id.in_(action_ids))):
            action_standards.setdefault(str(link.action_id), []).append(
                codes[str(link.standard_id)]
            )
    for group in ratings.values():
        for rating in group:
            rating["standard"] = codes.get(rating.pop("standard_id"))
            rating["level"] = codes.get(rating.pop("level_id"))
    for group in actions.values():
        for action in group:
            action["standards"] = sorted(action_standards.get(action["id"], []))
    out = []
    records = _records(rows, "framework_id", "overall_level_id")
    for row, record in zip(rows, records, strict=True):
        record["framework"] = frameworks.get(row.framework_id)
        record["overall_level"] = codes.get(str(row.overall_level_id))
        record["ratings"] = ratings.get(row.id, [])
        record["actions"] = actions.get(row.id, [])
        record["signatures"] = signatures.get(row.id, [])
        record["addenda"] = addenda.get(row.id, [])
        out.append(record)
    return out


def _parts(
    conn: Connection, table: Table, parent: str, ids: Sequence[uuid.UUID], order: str
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The records of the parts of each of these parents, in order, without the parent's id."""
    found: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if ids:
        query = select(table).where(table.c[parent].in_(ids)).order_by(table.c[order], table.c.id)
        result = conn.execute(query)
        fields = tuple(result.keys())
        of_parent = fields.index(parent)
        sent = _sent(fields, (parent,))
        for row in result:
            found.setdefault(row[of_parent], []).append(
                {key: json_value(row[i]) for key, i in sent}
            )
    return found


def _tombstone(row: Row[Any]) -> dict[str, Any]:
    return {
        "record_type": row.record_type,
        "record_id": str(row.record_id),
        "removed_at": row.removed_at.isoformat(),
        # 'removed' under retention: never to come back, whatever a laptop still holds.
        "reason": row.reason,
        "server_revision": row.server_revision,
    }


def _records(rows: Sequence[Row[Any]], *left_out: str) -> list[dict[str, Any]]:
    if not rows:
        return []
    sent = _sent(rows[0]._fields, left_out)
    return [{key: json_value(row[i]) for key, i in sent} for row in rows]


@functools.lru_cache(maxsize=128)
def _sent(fields: tuple[str, ...], left_out: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """The columns a record carries, with their positions in the row."""
    return tuple(
        (key, i) for i, key in enumerate(fields) if key not in _NOT_SENT and key not in left_out
    )


def _same(value: object) -> object:
    return value


def _base64(value: bytes | memoryview) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


# By exact type, so the common values (a page holds thousands) cost one lookup.
_BY_TYPE: dict[type, Any] = {
    str: _same,
    int: _same,
    bool: _same,
    float: _same,
    type(None): _same,
    uuid.UUID: str,
    datetime: datetime.isoformat,
    date: date.isoformat,
    bytes: _base64,
    memoryview: _base64,
}


def json_value(value: object) -> object:
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, str):
        return [json_value(v) for v in value]
    return value


def _maybe_json(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return value
