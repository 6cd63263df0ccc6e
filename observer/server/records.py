"""The server's copy of an observation as a laptop's store would write it, and writing a
merged record back row by row, as the triggers allow.

`documents` gives each observation in the bundle's shape exactly as
`observer.records.canonical.observation_document` makes it on a laptop (the ids a signed
record was signed with, ratings in their standards' order, times in UTC), so that its
canonical content hash is the one its signatures hold. `checked` turns one into the record
the conflict rules merge (observer.bundle.reader's shape).

`write` changes only what differs: a new record is added whole; a draft has its parts
replaced; a signed record gains only new signatures and addenda and its actions' progress,
since the triggers of migrations 0002 and 0004 refuse anything else.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text, update

from observer.bundle.reader import BundleReader
from observer.conflicts.rules import Conflict, Side
from observer.conflicts.shared import not_as_signed
from observer.errors import InvalidBundle
from observer.records.canonical import content_hash
from observer.records.fields import TEXT_FIELDS
from observer.server import schema
from observer.server.feed import json_value
from observer.server.feed import observation_documents as feed_observations

RECORD = ("id", "created_at", "updated_at", "revision")
RATING = (*RECORD, "standard", "level", "evidence")
ACTION = (
    *RECORD,
    "description",
    "owner_id",
    "due_date",
    "status",
    "done_at",
    "done_by",
    "position",
    "standards",
)
SEALED = ("content_hash", "own_hash", "certificate", "digital_signature")
SIGNATURE = (*RECORD, "role", "name", "image_png", "signed_at", "comment", *SEALED)
ADDENDUM = (*RECORD, "text", "author_name", "image_png", "signed_at", *SEALED)
PROGRESS = ("status", "done_at", "done_by")
PARTS = ("ratings", "actions", "signatures", "addenda")


def in_utc(conn: Connection) -> None:
    """Times read in this transaction come back in UTC, as a laptop writes them."""
    conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))


def documents(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The observations with these ids that the server holds, as a laptop's bundle writes
    them. The transaction must be in UTC (`in_utc`)."""
    found = feed_observations(conn, list(ids))
    if not found:
        return {}
    positions = {
        (row.key, row.version, row.code): row.position
        for row in conn.execute(
            select(
                schema.frameworks.c.key,
                schema.frameworks.c.version,
                schema.standards.c.code,
                schema.standards.c.position,
            ).join(schema.standards, schema.standards.c.framework_id == schema.frameworks.c.id)
        )
    }
    return {uuid.UUID(row["id"]): _document(row, positions) for row in found}


def _document(row: dict[str, Any], positions: dict[tuple[str, int, str], int]) -> dict[str, Any]:
    signed_ids = row.get("ids_at_signing") or {}
    owners = signed_ids.get("action_owners", {})
    framework = row["framework"]

    def position(rating: dict[str, Any]) -> int:
        return positions.get((framework["key"], framework["version"], rating["standard"]), 0)

    return {
        **{name: row[name] for name in RECORD},
        "framework": framework,
        "observed_person_id": signed_ids.get("observed_person_id", row["observed_person_id"]),
        "observer_id": signed_ids.get("observer_id", row["observer_id"]),
        "kind": row["kind"],
        "observed_at": row["observed_at"],
        "duration_minutes": row["duration_minutes"],
        "family_present": row["family_present"],
        "status": row["status"],
        "overall_level": row["overall_level"],
        **{name: row[name] for name in TEXT_FIELDS},
        "shown_at_signing": row["shown_at_signing"],
        "wording_at_signing": row["wording_at_signing"],
        "ratings": [
            {name: r[name] for name in RATING} for r in sorted(row["ratings"], key=position)
        ],
        "actions": [
            {
                **{name: a[name] for name in ACTION},
                "owner_id": owners.get(a["id"], a["owner_id"]),
            }
            for a in row["actions"]
        ],
        "signatures": [{name: s[name] for name in SIGNATURE} for s in row["signatures"]],
        "addenda": [
            {name: a[name] for name in ADDENDUM}
            for a in sorted(row["addenda"], key=lambda a: a["created_at"])
        ],
    }


def checked(document: dict[str, Any], source: str) -> dict[str, Any]:
    """The server's copy as the conflict rules take a record."""
    return BundleReader(source).observation(document, "the server's copy")


def signatures_hold(document: dict[str, Any]) -> str | None:
    """None when every signature and addendum holds the record's content hash; otherwise
    which one does not, e.g. "signatures[0]"."""
    return not_as_signed(document, content_hash(document))


@dataclass(frozen=True)
class Lookups:
    """Framework, standard and rating level ids by key, version and code."""

    frameworks: dict[tuple[str, int], uuid.UUID]
    standards: dict[tuple[uuid.UUID, str], uuid.UUID]
    levels: dict[tuple[uuid.UUID, str], uuid.UUID]

    @classmethod
    def load(cls, conn: Connection) -> Lookups:
        f, s, r = schema.frameworks, schema.standards, schema.rating_levels
        return cls(
            {
                (row.key, row.version): row.id
                for row in conn.execute(select(f.c.id, f.c.key, f.c.version))
            },
            {
                (row.framework_id, row.code): row.id
                for row in conn.execute(select(s.c.id, s.c.framework_id, s.c.code))
            },
            {
                (row.framework_id, row.code): row.id
                for row in conn.execute(select(r.c.id, r.c.framework_id, r.c.code))
            },
        )


class RecordWriter:
    """Writes merged records into the server's tables."""

    def __init__(
        self,
        conn: Connection,
        lookups: Lookups,
        source: str,
        merged_people: dict[uuid.UUID, uuid.UUID] | None = None,
    ) -> None:
        self.conn = conn
        self.lookups = lookups
        self.source = source
        self.merged = merged_people or {}

    def write(self, record: dict[str, Any], held: dict[str, Any] | None) -> None:
        """Writes `record` over the server's copy `held` (None: it has none)."""
        key, version = record["framework"]
        framework_id = self.lookups.frameworks.get((key, version))
        where = f"{self.source}: observation {record['id']}"
        if framework_id is None:
            raise InvalidBundle(f"{where} uses framework {key} v{version}, which the bundle lacks.")
        if held is not None and held["status"] == "signed":
            self._signed(record, held)
            return
        o = schema.observations
        values = self._columns(record, framework_id, where)
        final_status = values.pop("status")
        if held is None:
            self.conn.execute(insert(o).values(**values, status="draft"))
        else:
            values.pop("id")
            self.conn.execute(update(o).where(o.c.id == record["id"]).values(**values))
            self._drop_parts(record["id"])
        self._add_parts(record, framework_id, where, held)
        self.conn.execute(update(o).where(o.c.id == record["id"]).values(status=final_status))

    def _columns(
        self, record: dict[str, Any], framework_id: uuid.UUID, where: str
    ) -> dict[str, Any]:
        left_out = {*PARTS, "framework", "overall_level", "based_on"}
        values = {k: v for k, v in record.items() if k not in left_out}
        values["framework_id"] = framework_id
        values["overall_level_id"] = self._level(framework_id, record["overall_level"], where)
        kept = self._ids_at_signing(record)
        if kept:
            # A signed record naming people merged away since names the people kept, and
            # keeps the ids it was signed with (as observer-server merge-people does).
            values["ids_at_signing"] = kept
            for name in ("observed_person_id", "observer_id"):
                values[name] = self.merged.get(record[name], record[name])
        return values

    def _ids_at_signing(self, record: dict[str, Any]) -> dict[str, Any]:
        if not record["signatures"]:
            return {}
        kept: dict[str, Any] = {
            name: str(record[name])
            for name in ("observed_person_id", "observer_id")
            if record[name] in self.merged
        }
        owners = {
            str(action["id"]): str(action["owner_id"])
            for action in record["actions"]
            if action["owner_id"] in self.merged
        }
        if owners:
            kept["action_owners"] = owners
        return kept

    def _level(self, framework_id: uuid.UUID, code: str | None, where: str) -> uuid.UUID | None:
        if code is None:
            return None
        found = self.lookups.levels.get((framework_id, code))
        if found is None:
            raise InvalidBundle(f"{where}: {code!r} is not a rating of its framework.")
        return found

    def _standard(self, framework_id: uuid.UUID, code: str, where: str) -> uuid.UUID:
        found = self.lookups.standards.get((framework_id, code))
        if found is None:
            raise InvalidBundle(f"{where}: standard {code!r} is not part of its framework.")
        return found

    def _drop_parts(self, observation_id: uuid.UUID) -> None:
        a = schema.actions
        theirs = select(a.c.id).where(a.c.observation_id == observation_id)
        links = schema.action_standards
        self.conn.execute(delete(links).where(links.c.action_id.in_(theirs)))
        for table in (schema.ratings, schema.actions):
            self.conn.execute(delete(table).where(table.c.observation_id == observation_id))

    def _add_parts(
        self,
        record: dict[str, Any],
        framework_id: uuid.UUID,
        where: str,
        held: dict[str, Any] | None,
    ) -> None:
        observation_id = record["id"]
        ratings = [
            {
                **{k: v for k, v in rating.items() if k not in ("standard", "level")},
                "observation_id": observation_id,
                "standard_id": self._standard(framework_id, rating["standard"], where),
                "level_id": self._level(framework_id, rating["level"], where),
            }
            for rating in record["ratings"]
        ]
        actions = [
            {
                **{k: v for k, v in action.items() if k != "standards"},
                "owner_id": self.merged.get(action["owner_id"], action["owner_id"]),
                "observation_id": observation_id,
            }
            for action in record["actions"]
        ]
        links = [
            {"action_id": action["id"], "standard_id": self._standard(framework_id, code, where)}
            for action in record["actions"]
            for code in action["standards"]
        ]
        for table, rows in (
            (schema.ratings, ratings),
            (schema.actions, actions),
            (schema.action_standards, links),
        ):
            if rows:
                self.conn.execute(insert(table), rows)
        self._add_sealed(record, held)

    def _add_sealed(self, record: dict[str, Any], held: dict[str, Any] | None) -> None:
        """Signatures and addenda are append-only: only those the server lacks are added."""
        for name, table in (("signatures", schema.signatures), ("addenda", schema.addenda)):
            have = {entry["id"] for entry in (held or {}).get(name, ())}
            rows = [
                {**entry, "observation_id": record["id"]}
                for entry in record[name]
                if entry["id"] not in have
            ]
            if rows:
                self.conn.execute(insert(table), rows)

    def _signed(self, record: dict[str, Any], held: dict[str, Any]) -> None:
        """A signed record moves on only in its actions' progress and new sign-offs."""
        a = schema.actions
        before = {action["id"]: action for action in held["actions"]}
        for action in record["actions"]:
            was = before.get(action["id"])
            if was is not None and any(action[k] != was[k] for k in PROGRESS):
                self.conn.execute(
                    update(a)
                    .where(a.c.id == action["id"])
                    .values(**{k: action[k] for k in PROGRESS})
                )
        self._add_sealed(record, held)
        o = schema.observations
        self.conn.execute(
            update(o)
            .where(o.c.id == record["id"])
            .values(revision=record["revision"], updated_at=record["updated_at"])
        )


def keep_conflicts(
    conn: Connection,
    observation_id: uuid.UUID,
    found: Sequence[Conflict],
    *,
    person: uuid.UUID | None = None,
    laptop: uuid.UUID | None = None,
    based_on: int | None = None,
) -> None:
    """Keeps what a merge found for both authors (docs/server.md, `conflicts`): the
    pushing laptop and its person, or none for the administrator's import."""
    if not found:
        return
    conn.execute(
        insert(schema.conflicts),
        [
            {
                "observation_id": observation_id,
                "record_type": "observation",
                "record_id": observation_id,
                "field": conflict.target[:60],
                "kind": conflict.kind.value,
                "person_id": person,
                "laptop_id": laptop,
                "based_on_revision": based_on,
                **_sides(conflict),
            }
            for conflict in found
        ],
    )


def _sides(conflict: Conflict) -> dict[str, Any]:
    """What the record keeps and what was set aside; "server" is the copy the server held,
    "pushed" the one that arrived (a laptop's push, or the administrator's bundle). Where
    both people's words were kept, `kept` holds both."""
    server, pushed = json_value(conflict.here), json_value(conflict.incoming)
    if conflict.kept is Side.BOTH:
        return {"kept": {"side": "both", "server": server, "pushed": pushed}, "set_aside": None}
    if conflict.kept is Side.HERE:
        return {
            "kept": {"side": "server", "value": server},
            "set_aside": {"side": "pushed", "value": pushed},
        }
    return {
        "kept": {"side": "pushed", "value": pushed},
        "set_aside": {"side": "server", "value": server},
    }
