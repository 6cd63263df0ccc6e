"""Writing a merged observation back, only the rows the merge changed, so that row-level
security and the triggers judge each one as this caller's (docs/server.md): a manager's
countersignature is one inserted signature row, an action marked done one updated action
row; another lead's record is a statement that matches no row or breaks a policy.

Records come in the shape the bundle reader checks (observer.bundle.reader): standards and
levels by code, the framework by key and version. Order matters for the triggers: a
record's content and parts are written while it is not yet signed, then its status, then
its signatures and addenda.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from observer.errors import ObserverError
from observer.records.fields import TEXT_FIELDS
from observer.server import schema

BOOKKEEPING = ("created_at", "updated_at", "revision")
SIGNED = "signed"
_ACTION_COLUMNS = (
    "description",
    "owner_id",
    "due_date",
    "status",
    "done_at",
    "done_by",
    "position",
)
_SIGNATURE_COLUMNS = (
    "role",
    "name",
    "image_png",
    "signed_at",
    "comment",
    "content_hash",
    "own_hash",
    "certificate",
    "digital_signature",
)
_ADDENDUM_COLUMNS = (
    "text",
    "author_name",
    "image_png",
    "signed_at",
    "content_hash",
    "own_hash",
    "certificate",
    "digital_signature",
)


class NotAllowed(ObserverError):
    """A row this caller may not write (a statement matched none), or a reference the
    server does not hold: the change is refused with this sentence."""


@dataclass(frozen=True)
class Codes:
    """A framework version's id and its standards' and levels' ids by code."""

    framework_id: uuid.UUID
    standards: dict[str, uuid.UUID]
    levels: dict[str, uuid.UUID]

    def standard(self, code: str) -> uuid.UUID:
        if code not in self.standards:
            raise NotAllowed(f"The framework has no standard {code!r} on the team server.")
        return self.standards[code]

    def level(self, code: str | None) -> uuid.UUID | None:
        if code is None:
            return None
        if code not in self.levels:
            raise NotAllowed(f"The framework has no rating level {code!r} on the team server.")
        return self.levels[code]


def codes_of(conn: Connection, framework: tuple[str, int]) -> Codes:
    f = schema.frameworks
    key, version = framework
    found = conn.execute(
        select(f.c.id).where(f.c.key == key, f.c.version == version)
    ).scalar_one_or_none()
    if found is None:
        raise NotAllowed(
            f"Framework {key} version {version} is not on the team server; push it first."
        )
    standards = {
        row.code: row.id
        for row in conn.execute(
            select(schema.standards.c.code, schema.standards.c.id).where(
                schema.standards.c.framework_id == found
            )
        )
    }
    levels = {
        row.code: row.id
        for row in conn.execute(
            select(schema.rating_levels.c.code, schema.rating_levels.c.id).where(
                schema.rating_levels.c.framework_id == found
            )
        )
    }
    return Codes(found, standards, levels)


def observation_row(record: Mapping[str, Any], codes: Codes) -> dict[str, Any]:
    return {
        **{name: record[name] for name in ("id", *BOOKKEEPING)},
        "observed_person_id": record["observed_person_id"],
        "observer_id": record["observer_id"],
        "framework_id": codes.framework_id,
        "kind": record["kind"],
        "observed_at": record["observed_at"],
        "duration_minutes": record["duration_minutes"],
        "family_present": record["family_present"],
        **{name: record.get(name) or "" for name in TEXT_FIELDS},
        "overall_level_id": codes.level(record["overall_level"]),
        "status": record["status"],
        "shown_at_signing": record.get("shown_at_signing"),
        "wording_at_signing": record.get("wording_at_signing"),
    }


def write(
    conn: Connection,
    here: Mapping[str, Any] | None,
    merged: Mapping[str, Any],
    ids_at_signing: Any,
) -> None:
    """Writes what `merged` changes of `here` (the server's copy; None: add it whole)."""
    o = schema.observations
    codes = codes_of(conn, merged["framework"])
    new = observation_row(merged, codes)
    signing = new["status"] == SIGNED and (here is None or here["status"] != SIGNED)
    record_id = new["id"]
    if here is None:
        first = {**new, "ids_at_signing": ids_at_signing}
        if signing:
            first["status"] = "draft"
        conn.execute(insert(o).values(**first))
    else:
        same = here["framework"] == merged["framework"]
        old = observation_row(here, codes if same else codes_of(conn, here["framework"]))
        changed = {
            name: value
            for name, value in new.items()
            if name not in BOOKKEEPING and old[name] != value and not (signing and name == "status")
        }
        if changed:
            _update(conn, o, record_id, {**changed, **_bookkeeping(new)})
    _ratings(conn, record_id, here, merged, codes)
    _actions(conn, record_id, here, merged, codes)
    if signing:
        _update(conn, o, record_id, {"status": SIGNED, **_bookkeeping(new)})
    _sealed(conn, schema.signatures, record_id, here, merged, "signatures", _SIGNATURE_COLUMNS)
    _sealed(conn, schema.addenda, record_id, here, merged, "addenda", _ADDENDUM_COLUMNS)


def _bookkeeping(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"updated_at": row["updated_at"], "revision": row["revision"]}


def _update(conn: Connection, table: Any, row_id: uuid.UUID, values: dict[str, Any]) -> None:
    done = conn.execute(update(table).where(table.c.id == row_id).values(**values))
    if done.rowcount != 1:
        raise NotAllowed("")


def _by_id(record: Mapping[str, Any] | None, part: str) -> dict[uuid.UUID, dict[str, Any]]:
    return {} if record is None else {entry["id"]: entry for entry in record.get(part, ())}


def _ratings(
    conn: Connection,
    record_id: uuid.UUID,
    here: Mapping[str, Any] | None,
    merged: Mapping[str, Any],
    codes: Codes,
) -> None:
    r = schema.ratings
    old, new = _by_id(here, "ratings"), _by_id(merged, "ratings")

    def row(rating: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "standard_id": codes.standard(rating["standard"]),
            "level_id": codes.level(rating["level"]),
            "evidence": rating["evidence"] or "",
        }

    for gone in old.keys() - new.keys():
        if conn.execute(delete(r).where(r.c.id == gone)).rowcount != 1:
            raise NotAllowed("")
    for rating_id, rating in new.items():
        values = row(rating)
        if rating_id not in old:
            conn.execute(
                insert(r).values(
                    id=rating_id,
                    observation_id=record_id,
                    **{name: rating[name] for name in BOOKKEEPING},
                    **values,
                )
            )
        elif row(old[rating_id]) != values:
            _update(conn, r, rating_id, {**values, **_bookkeeping(rating)})


def _actions(
    conn: Connection,
    record_id: uuid.UUID,
    here: Mapping[str, Any] | None,
    merged: Mapping[str, Any],
    codes: Codes,
) -> None:
    a, links = schema.actions, schema.action_standards
    old, new = _by_id(here, "actions"), _by_id(merged, "actions")
    for gone in old.keys() - new.keys():
        if conn.execute(delete(a).where(a.c.id == gone)).rowcount != 1:
            raise NotAllowed("")
    for action_id, action in new.items():
        values = {name: action[name] for name in _ACTION_COLUMNS}
        values["done_by"] = values["done_by"] or ""
        standards = {codes.standard(code) for code in action.get("standards", ())}
        if action_id not in old:
            conn.execute(
                insert(a).values(
                    id=action_id,
                    observation_id=record_id,
                    **{name: action[name] for name in BOOKKEEPING},
                    **values,
                )
            )
            held: set[uuid.UUID] = set()
        else:
            before = old[action_id]
            changed = {
                name: value
                for name, value in values.items()
                if ((before[name] or "") if name == "done_by" else before[name]) != value
            }
            if changed:
                _update(conn, a, action_id, {**changed, **_bookkeeping(action)})
            held = {codes.standard(code) for code in before.get("standards", ())}
        if standards != held:
            conn.execute(delete(links).where(links.c.action_id == action_id))
            if standards:
                conn.execute(
                    insert(links),
                    [{"action_id": action_id, "standard_id": s} for s in sorted(standards)],
                )


def _sealed(
    conn: Connection,
    table: Any,
    record_id: uuid.UUID,
    here: Mapping[str, Any] | None,
    merged: Mapping[str, Any],
    part: str,
    columns: tuple[str, ...],
) -> None:
    """Signatures and addenda are only ever added."""
    held = _by_id(here, part)
    for entry_id, entry in _by_id(merged, part).items():
        if entry_id in held:
            continue
        conn.execute(
            insert(table).values(
                id=entry_id,
                observation_id=record_id,
                **{name: entry[name] for name in BOOKKEEPING},
                **{name: entry[name] for name in columns},
            )
        )
