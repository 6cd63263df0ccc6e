"""The change feed's records as JSON text, written by PostgreSQL.

A manager's first sync carries thousands of observations, each with its ratings, actions,
signatures and addenda. Read into Python, every value of every row became a Python object
(a UUID, a datetime) and then JSON again: half the time of a pull. Here one statement a
page builds each record's JSON in PostgreSQL (`row_to_json` over the columns a record
sends, its parts gathered inside it), and the service passes the text on untouched.

What a laptop receives is what `feed.observation_documents` and `feed._records` build in
Python, value for value and key for key (tests/observer/server/test_feed_json.py holds
them together): the same columns in the same order, ids as hyphenated text, times as
Python's `isoformat()` writes them (microseconds only when there are any, the offset of
the connection's time zone), dates as ISO dates, bytes as base64 on one line, jsonb as its
JSON. Only the spaces inside a jsonb value differ, which no JSON reader sees.

The statements are written from the tables in observer/server/schema.py, so a column added
there is sent by both paths. Row-level security still decides: every table here is read
as the caller, parts included.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import psycopg
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from sqlalchemy import Column, Connection, LargeBinary, Table
from sqlalchemy.dialects.postgresql import TIMESTAMP

from observer.server import schema

# Bookkeeping of the feed itself (as in feed.py); `server_revision` is sent.
NOT_SENT = frozenset({"written_xid", "pending_manager_id"})
# Python's isoformat(): six digits of microseconds, or none when they are all zero.
_ISO_TIME = "'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(alias: str, column: Column[object]) -> str:
    """The column as JSON should carry it."""
    ref = f"{alias}.{_quoted(column.name)}"
    if isinstance(column.type, TIMESTAMP):
        return f"replace(to_char({ref}, {_ISO_TIME}), '.000000', '')"
    if isinstance(column.type, LargeBinary):
        # encode() breaks base64 into lines of 76; Python's b64encode does not.
        return f"replace(encode({ref}, 'base64'), E'\\n', '')"
    return ref


def _sent(table: Table, alias: str, *left_out: str) -> list[str]:
    return [
        f"{_value(alias, column)} AS {_quoted(column.name)}"
        for column in table.columns
        if column.name not in NOT_SENT and column.name not in left_out
    ]


def _array(select_list: Sequence[str], source: str, where: str, order: str) -> str:
    """A JSON array (compact, `[]` when empty) of one object a row of `source`."""
    return (
        "coalesce((SELECT ('[' || string_agg(row_to_json(r)::text, ',' ORDER BY "
        f"{order}) || ']')::json FROM {source} CROSS JOIN LATERAL (SELECT "
        f"{', '.join(select_list)}) r WHERE {where}), '[]'::json)"
    )


def _parts_of(table: Table, order: str, *extra: str, joins: str = "") -> str:
    """The rows of a part table of observation `o`, as observation_documents sends them."""
    left_out = ("observation_id", "standard_id", "level_id") if table is schema.ratings else ()
    select_list = [*_sent(table, "x", "observation_id", *left_out), *extra]
    source = f"{table.name} x {joins}".strip()
    return _array(select_list, source, "x.observation_id = o.id", order)


def _observations_sql() -> str:
    action_standards = (
        "coalesce((SELECT ('[' || string_agg(to_json(s.code)::text, ',' ORDER BY "
        "s.code COLLATE \"C\") || ']')::json FROM action_standards y JOIN standards s "
        "ON s.id = y.standard_id WHERE y.action_id = x.id), '[]'::json) AS standards"
    )
    ratings = _parts_of(
        schema.ratings,
        "x.id",
        "s.code AS standard",
        "l.code AS level",
        joins="LEFT JOIN standards s ON s.id = x.standard_id "
        "LEFT JOIN rating_levels l ON l.id = x.level_id",
    )
    columns = [
        *_sent(schema.observations, "o", "framework_id", "overall_level_id"),
        "CASE WHEN f.id IS NOT NULL THEN ('{\"key\":' || to_json(f.key)::text || "
        "',\"version\":' || f.version::text || '}')::json END AS framework",
        "lv.code AS overall_level",
        f"{ratings} AS ratings",
        f"{_parts_of(schema.actions, 'x.position, x.id', action_standards)} AS actions",
        f"{_parts_of(schema.signatures, 'x.signed_at, x.id')} AS signatures",
        f"{_parts_of(schema.addenda, 'x.signed_at, x.id')} AS addenda",
    ]
    return (
        "SELECT row_to_json(d)::text FROM observations o "
        "LEFT JOIN frameworks f ON f.id = o.framework_id "
        "LEFT JOIN rating_levels lv ON lv.id = o.overall_level_id "
        f"CROSS JOIN LATERAL (SELECT {', '.join(columns)}) d "
        "WHERE o.id = ANY(%(ids)s) ORDER BY o.server_revision"
    )


def _records_sql(table: Table, *left_out: str) -> str:
    return (
        "SELECT row_to_json(d)::text FROM "
        f"{table.name} t CROSS JOIN LATERAL (SELECT {', '.join(_sent(table, 't', *left_out))}) d "
        "WHERE t.id = ANY(%(ids)s) ORDER BY t.server_revision"
    )


class _Utf8(Loader):
    """Text as the bytes PostgreSQL sent (UTF-8, the server's encoding): a page's JSON goes
    out as it came in, never decoded and encoded again."""

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


def _json_of(conn: Connection, sql: str, ids: Sequence[uuid.UUID]) -> list[bytes]:
    if not ids:
        return []
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor:
        cursor.adapters.register_loader("text", _Utf8)
        # Planning this statement, its row-level security expanded into every part, costs
        # more than running it for a small page: it is prepared once a connection, and its
        # one plan (found by the primary key, whatever the ids) kept.
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(sql, {"ids": list(ids)}, prepare=True)
        found = [row[0] for row in cursor]
        cursor.execute("SET LOCAL plan_cache_mode = DEFAULT")
        return found


OBSERVATIONS = _observations_sql()
RECORDS = {t.name: _records_sql(t) for t in (schema.teams, schema.people, schema.conflicts)}
# What protocol v2 added to a conflict (server migration 0012), left out of a v1 page.
SETTLEMENT = ("resolved_by", "resolution")
CONFLICTS_V1 = _records_sql(schema.conflicts, *SETTLEMENT)


def observations(conn: Connection, ids: Sequence[uuid.UUID]) -> list[bytes]:
    """Each observation's JSON (feed.observation_documents), in server order."""
    return _json_of(conn, OBSERVATIONS, ids)


def records(conn: Connection, table: Table, ids: Sequence[uuid.UUID]) -> list[bytes]:
    """Each row's JSON with the columns it sends (feed._records), in server order."""
    return _json_of(conn, RECORDS[table.name], ids)


def conflicts_v1(conn: Connection, ids: Sequence[uuid.UUID]) -> list[bytes]:
    """Conflicts as protocol v1 sends them: without who settled them and how."""
    return _json_of(conn, CONFLICTS_V1, ids)
