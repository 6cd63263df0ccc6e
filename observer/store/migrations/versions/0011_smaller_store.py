"""A smaller store: ids kept as 16 bytes and times as 8, each framework's wording at signing
kept once, and an index no query needs dropped.

Every id on SQLite was 32 hex digits of text, in its table and again in each index holding
it; from here it is the UUID's 16 bytes (observer/store/ids.py), converted in place. Python
sees the same `uuid.UUID`, so no hash over any record, signature or audit event changes. The
columns stay declared CHAR(32): SQLite keeps a blob as a blob whatever a column's declared
type, and no table has to be rebuilt (a copy of `observations` would cascade the delete of
its children's rows). Every value is checked to be 32 hex digits before any is converted.
The triggers (search index, append-only audit trail) are set aside while the ids change and
then made again as they were; foreign keys are checked when the upgrade commits.

Every time was SQLAlchemy's text, 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC), 26 characters; from
here it is the whole number of microseconds since 1970 UTC (observer.store.models.
UTCDateTime), converted exactly (whole seconds by SQLite, the digits after the point as
they are) in the same pass. Python sees the same datetime, to the microsecond, so no hash
over a signature's time or an audit event's changes; integers order as the text did.

Every signed record kept its whole wording at signing (migration 0008): its names, then every
standard's title and level's label, the same few hundred bytes on tens of thousands of
records, which made most records too large to share a page with another. From here the
framework part is kept once per distinct wording in `signing_wordings`, named by its digest,
and the record keeps the digest and, only when they differ from its `shown_at_signing`, its
names (observer/store/wording.py). `Observation.wording_at_signing` reads back the same dict,
key order included, so every own hash over it is unchanged. The JSON kept on records is
rewritten compact (UTF-8 rather than escapes, no padding); the values read back are equal.

`ix_observations_person_time` (observed person, time) is the start of
`ix_observations_person_judgement`, which serves every query it served.

No table is rebuilt (the column is dropped in place, which SQLite allows while the search
triggers of 0009 stay, as none of them names it); `observer.store.db` then VACUUMs, so the
smaller records share pages.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Every id column of a store at 0010, by table: text of 32 hex digits until this migration.
ID_COLUMNS = {
    "teams": ("id", "manager_id"),
    "people": ("id", "team_id", "merged_into_id"),
    "frameworks": ("id",),
    "standards": ("id", "framework_id"),
    "rating_levels": ("id", "framework_id"),
    "observations": (
        "id",
        "observed_person_id",
        "observer_id",
        "framework_id",
        "overall_level_id",
    ),
    "ratings": ("id", "observation_id", "standard_id", "level_id"),
    "action_standards": ("action_id", "standard_id"),
    "actions": ("id", "observation_id", "owner_id"),
    "signatures": ("id", "observation_id"),
    "addenda": ("id", "observation_id"),
    "audit_events": ("id", "record_id"),
    "search_rows": ("observation_id",),
    "search_pending": ("observation_id",),
}
# Every time column of a store at 0010, by table: SQLAlchemy's text until this migration.
TIME_COLUMNS = {
    "teams": ("created_at", "updated_at"),
    "people": ("created_at", "updated_at"),
    "frameworks": ("created_at", "updated_at"),
    "standards": ("created_at", "updated_at"),
    "rating_levels": ("created_at", "updated_at"),
    "observations": ("observed_at", "created_at", "updated_at"),
    "ratings": ("created_at", "updated_at"),
    "actions": ("done_at", "created_at", "updated_at"),
    "signatures": ("signed_at", "created_at", "updated_at"),
    "addenda": ("signed_at", "created_at", "updated_at"),
    "audit_events": ("occurred_at", "created_at", "updated_at"),
    "settings": ("updated_at",),
}
_D = "[0-9]"
_TIME = f"{_D * 4}-{_D * 2}-{_D * 2} {_D * 2}:{_D * 2}:{_D * 2}"
# Referring columns no index starts with, indexed while the ids change (see _compact_values).
LOOKUPS = {
    "ix_0011_actions_owner": ("actions", "owner_id"),
    "ix_0011_observations_framework": ("observations", "framework_id"),
    "ix_0011_observations_level": ("observations", "overall_level_id"),
    "ix_0011_ratings_standard": ("ratings", "standard_id"),
    "ix_0011_ratings_level": ("ratings", "level_id"),
    "ix_0011_action_standards_standard": ("action_standards", "standard_id"),
    "ix_0011_teams_manager": ("teams", "manager_id"),
}
# Frozen copies of observer/store/wording.py's rules, as this migration applies them.
FRAMEWORK_KEYS = ("standards", "levels")
BATCH = 2000


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _split(wording: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    keys = list(wording)
    tail = [key for key in keys if key in FRAMEWORK_KEYS]
    if not tail or keys[len(keys) - len(tail) :] != tail:
        return wording, None
    names = {key: wording[key] for key in keys[: len(keys) - len(tail)]}
    return names, {key: wording[key] for key in tail}


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _stored(shown: Any, wording: Any, kept: dict[str, str]) -> tuple[str | None, str | None]:
    """The `wording_names` (as JSON) and `wording_digest` of a record's wording."""
    if not isinstance(wording, dict):
        return (None if wording is None else _compact(wording)), None
    names, framework = _split(wording)
    if framework is None:
        return _compact(names), None
    text = _compact(framework)
    digest = hashlib.sha256(text.encode()).hexdigest()
    kept.setdefault(digest, text)
    same = isinstance(shown, dict) and _compact(names) == _compact(shown)
    return (None if same else _compact(names)), digest


def _odd_id(c: str) -> str:
    return (
        f"({c} IS NOT NULL AND (typeof({c}) <> 'text' OR length({c}) <> 32 OR unhex({c}) IS NULL))"
    )


def _odd_time(c: str) -> str:
    forms = f"{c} GLOB '{_TIME}' OR {c} GLOB '{_TIME}.{_D * 6}'"
    readable = f"unixepoch(substr({c}, 1, 19)) IS NOT NULL"
    return f"({c} IS NOT NULL AND (typeof({c}) <> 'text' OR NOT ({forms}) OR NOT {readable}))"


def _microseconds(c: str) -> str:
    """The text SQLAlchemy wrote, 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC), as microseconds since
    1970: whole seconds from SQLite, then the digits after the point."""
    return f"unixepoch(substr({c}, 1, 19)) * 1000000 + CAST(substr({c}, 21, 6) AS INTEGER)"


def _compact_values(bind: sa.Connection) -> None:
    tables = {
        name
        for (name,) in bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    present = [table for table in (*ID_COLUMNS, *TIME_COLUMNS) if table in tables]
    for table in dict.fromkeys(present):
        odd = " OR ".join(
            [_odd_id(c) for c in ID_COLUMNS.get(table, ())]
            + [_odd_time(c) for c in TIME_COLUMNS.get(table, ())]
        )
        if bind.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE {odd}").scalar_one():
            raise RuntimeError(
                f"{table} holds an id or a time in a form this upgrade does not know"
            )
    triggers = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()
    for name, _sql in triggers:
        bind.exec_driver_sql(f"DROP TRIGGER {name}")
    op.execute("PRAGMA defer_foreign_keys = ON")
    # A changed key is looked for in every table referring to it; without an index on the
    # referring column each look is a whole table read (ratings.level_id: once per level).
    for index, (table, column) in LOOKUPS.items():
        op.execute(f"CREATE INDEX {index} ON {table} ({column})")
    for table in dict.fromkeys(present):
        changes = [f"{c} = unhex({c})" for c in ID_COLUMNS.get(table, ())]
        changes += [f"{c} = {_microseconds(c)}" for c in TIME_COLUMNS.get(table, ())]
        op.execute(f"UPDATE {table} SET {', '.join(changes)}")
    for index in LOOKUPS:
        op.execute(f"DROP INDEX {index}")
    for _name, sql in triggers:
        bind.exec_driver_sql(sql)


def upgrade() -> None:
    op.create_table(
        "signing_wordings",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("wording", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_signing_wordings")),
    )
    op.add_column("observations", sa.Column("wording_names", sa.JSON(), nullable=True))
    op.add_column("observations", sa.Column("wording_digest", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    rows = bind.exec_driver_sql(
        "SELECT rowid, shown_at_signing, wording_at_signing, ids_at_signing "
        "FROM observations WHERE shown_at_signing IS NOT NULL "
        "OR wording_at_signing IS NOT NULL OR ids_at_signing IS NOT NULL"
    ).fetchall()
    kept: dict[str, str] = {}
    updates = []
    for rowid, shown_text, wording_text, ids_text in rows:
        shown, ids = _load(shown_text), _load(ids_text)
        names, digest = _stored(shown, _load(wording_text), kept)
        updates.append(
            (
                None if shown is None else _compact(shown),
                names,
                digest,
                None if ids is None else _compact(ids),
                rowid,
            )
        )
    if kept:
        bind.exec_driver_sql(
            "INSERT INTO signing_wordings (digest, wording) VALUES (?, ?)", list(kept.items())
        )
    for start in range(0, len(updates), BATCH):
        bind.exec_driver_sql(
            "UPDATE observations SET shown_at_signing = ?, wording_names = ?, "
            "wording_digest = ?, ids_at_signing = ? WHERE rowid = ?",
            updates[start : start + BATCH],
        )
    if bind.dialect.name == "sqlite":
        # In place: a batch copy of `observations` would cascade the delete of its rows.
        op.execute("ALTER TABLE observations DROP COLUMN wording_at_signing")
    else:
        op.drop_column("observations", "wording_at_signing")
    op.drop_index("ix_observations_person_time", table_name="observations")
    if bind.dialect.name == "sqlite":
        _compact_values(bind)


def downgrade() -> None:
    raise NotImplementedError("A store is not taken back to keeping each record's whole wording.")
