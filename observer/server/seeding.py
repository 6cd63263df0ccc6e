"""`observer-server import BUNDLE`: seeding the team server from a laptop's JSON bundle.

The bundle is read and checked by the laptop's own reader (observer.bundle: sealed bundles
opened with their passphrase, every field checked), then written in one transaction: all
or nothing. Every record keeps its id. Frameworks are the laptop's rows exactly (their ids
derive from key, version and code); teams and people are taken when new, or when the
bundle's revision is higher; an observation the server already holds goes through the
conflict rules (observer.conflicts.rules.merge_observation) like anywhere else, with the
conflicts kept for both authors. Every signed record must hold, as the server stores it,
the content its signatures and addenda were made on; otherwise nothing is imported. The
import is recorded in the server's own audit chain (counts only).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from observer.bundle import read_bundle
from observer.bundle.reader import BundleReader, CheckedBundle
from observer.conflicts.rules import Merged, SignedContentDiffers, merge_observation
from observer.conflicts.shared import bundle_content_hash, not_as_signed
from observer.errors import InvalidBundle, InvalidInput
from observer.server import chain, schema
from observer.server.push_reference import add_framework
from observer.server.records import (
    Lookups,
    RecordWriter,
    checked,
    documents,
    in_utc,
    keep_conflicts,
    signatures_hold,
)
from observer.text import name_key

KINDS = ("frameworks", "teams", "people", "observations")


@dataclass
class Seeded:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    merged: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    left_removed: int = 0
    conflicts: int = 0
    teams_taken: int = 0  # the bundle's teams the server holds by name under another id

    def count(self, kind: str, outcome: str) -> None:
        table = getattr(self, outcome)
        table[kind] = table.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return any(self.added.values()) or any(self.updated.values()) or any(self.merged.values())

    def describe(self) -> str:
        parts = []
        for kind in KINDS:
            words = [f"{self.added.get(kind, 0)} added", f"{self.updated.get(kind, 0)} updated"]
            if kind == "observations":
                words.append(f"{self.merged.get(kind, 0)} merged")
                if self.left_removed:
                    words.append(f"{self.left_removed} removed under retention, left out")
            if kind == "teams" and self.teams_taken:
                words.append(f"{self.teams_taken} taken as the server's team of that name")
            words.append(f"{self.unchanged.get(kind, 0)} unchanged")
            parts.append(f"{kind}: {', '.join(words)}")
        conflicts = f"; {self.conflicts} conflicts kept for their authors" if self.conflicts else ""
        return "; ".join(parts) + conflicts

    def as_dict(self) -> dict[str, Any]:
        return {
            kind: {
                "added": self.added.get(kind, 0),
                "updated": self.updated.get(kind, 0),
                **({"merged": self.merged.get(kind, 0)} if kind == "observations" else {}),
                **({"taken_by_name": self.teams_taken} if kind == "teams" else {}),
                "unchanged": self.unchanged.get(kind, 0),
            }
            for kind in KINDS
        } | {
            "left_removed": self.left_removed,
            "conflicts": self.conflicts,
            "changed": self.changed,
        }


def read_passphrase(path: Path | None) -> str | None:
    """The passphrase in the file given (its first line), or None."""
    if path is None:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Could not read the passphrase file {path}: {exc}.") from None
    if not lines or not lines[0]:
        raise InvalidInput(f"The passphrase file {path} is empty.")
    return lines[0]


def seed(conn: Connection, path: Path, passphrase: str | None) -> Seeded:
    """Reads the bundle at `path` and writes it into the server in the caller's transaction."""
    data = read_bundle(path, passphrase)
    source = path.name
    bundle = BundleReader(source).read(data)
    raws = [r for r in data.get("observations", []) if isinstance(r, dict)]
    in_utc(conn)
    result = Seeded()
    try:
        _frameworks(conn, bundle, result, source)
        _take_server_teams(conn, bundle, result)
        _check_references(conn, bundle, source)
        merged = _merged_people(conn)
        for team in bundle.teams:
            team["manager_id"] = merged.get(team["manager_id"], team["manager_id"])
        teams = _upsert(conn, schema.teams, bundle.teams, "teams", result, deferred=("manager_id",))
        _upsert(conn, schema.people, bundle.people, "people", result)
        _team_managers(conn, [team for team in bundle.teams if team["id"] in teams])
        _observations(conn, bundle, raws, result, source, merged)
    except IntegrityError as exc:
        raise InvalidBundle(
            f"{source} holds a record that clashes with a different record already on the "
            f"server ({str(exc.orig).splitlines()[0]}); nothing was imported."
        ) from None
    if not result.changed:  # a bundle imported again leaves the server as it was
        return result
    chain.append(
        conn,
        action="import",
        record_type="bundle",
        record_id=None,
        detail=_audit_detail(result),
    )
    return result


def _audit_detail(result: Seeded) -> str:
    counts = ", ".join(
        f"{kind} {result.added.get(kind, 0)} added {result.updated.get(kind, 0)} updated"
        for kind in KINDS
    )
    taken = f", teams {result.teams_taken} taken by name" if result.teams_taken else ""
    return f"{counts}, observations {result.merged.get('observations', 0)} merged{taken}"


def _frameworks(conn: Connection, bundle: CheckedBundle, result: Seeded, source: str) -> None:
    f = schema.frameworks
    for record in bundle.frameworks:
        definition = record["definition"]
        held = conn.execute(
            select(f.c.content_hash).where(
                f.c.key == definition.key, f.c.version == definition.version
            )
        ).scalar_one_or_none()
        if held is not None:
            if held != definition.content_hash():
                raise InvalidBundle(
                    f"{source}: framework {definition.key} v{definition.version} is on the "
                    "server with different content; nothing was imported."
                )
            result.count("frameworks", "unchanged")
            continue
        add_framework(conn, definition)
        result.count("frameworks", "added")


def _take_server_teams(conn: Connection, bundle: CheckedBundle, result: Seeded) -> None:
    """A bundle's team that the server holds under another id with the same name (case
    and spacing aside: another laptop's, or made by IT) is the server's team, left as the
    server holds it; the bundle's people of it name the server's team."""
    t = schema.teams
    held = {row.id: name_key(row.name) for row in conn.execute(select(t.c.id, t.c.name))}
    by_name = {key: team_id for team_id, key in held.items()}
    taken: dict[uuid.UUID, uuid.UUID] = {}
    for team in bundle.teams:
        server = by_name.get(name_key(team["name"]))
        if team["id"] not in held and server is not None:
            taken[team["id"]] = server
    if not taken:
        return
    bundle.teams[:] = [team for team in bundle.teams if team["id"] not in taken]
    for person in bundle.people:
        person["team_id"] = taken.get(person["team_id"], person["team_id"])
    result.teams_taken = len(taken)


def _check_references(conn: Connection, bundle: CheckedBundle, source: str) -> None:
    p, t = schema.people, schema.teams
    people = {r["id"] for r in bundle.people} - _gone(conn, "people")
    people |= set(conn.execute(select(p.c.id)).scalars())
    teams = {r["id"] for r in bundle.teams} - _gone(conn, "teams")
    teams |= set(conn.execute(select(t.c.id)).scalars())
    names = {row.name.casefold(): row.id for row in conn.execute(select(t.c.id, t.c.name))}
    team_revisions = {row.id: row.revision for row in conn.execute(select(t.c.id, t.c.revision))}
    person_revisions = {row.id: row.revision for row in conn.execute(select(p.c.id, p.c.revision))}
    for i, team in enumerate(bundle.teams):
        if team["revision"] <= team_revisions.get(team["id"], 0):
            continue  # the server's copy stays
        if team["manager_id"] is not None and team["manager_id"] not in people:
            raise InvalidBundle(f"{source}: teams[{i}].manager_id refers to no known person.")
        clash = names.get(team["name"].casefold())
        if clash is not None and clash != team["id"]:
            raise InvalidBundle(
                f"{source}: teams[{i}].name {team['name']!r} is already used by another team "
                "on the server; nothing was imported."
            )
    for i, person in enumerate(bundle.people):
        if person["revision"] <= person_revisions.get(person["id"], 0):
            continue
        if person["team_id"] is not None and person["team_id"] not in teams:
            raise InvalidBundle(f"{source}: people[{i}].team_id refers to no known team.")
    people |= set(_merged_people(conn))
    o_table = schema.observations
    ids = [o["id"] for o in bundle.observations]
    held = set(conn.execute(select(o_table.c.id).where(o_table.c.id.in_(ids))).scalars())
    for i, o in enumerate(bundle.observations):
        if o["id"] in held:  # the server's copy names its people (a merge may have moved them)
            continue
        for name in ("observed_person_id", "observer_id"):
            if o[name] not in people:
                raise InvalidBundle(
                    f"{source}: observations[{i}].{name} refers to no person on the server "
                    "or in the bundle (merged away or removed?)."
                )
        for j, action in enumerate(o["actions"]):
            if action["owner_id"] is not None and action["owner_id"] not in people:
                raise InvalidBundle(
                    f"{source}: observations[{i}].actions[{j}].owner_id refers to no known person."
                )


def _upsert(
    conn: Connection,
    table: Any,
    records: list[dict[str, Any]],
    kind: str,
    result: Seeded,
    deferred: tuple[str, ...] = (),
) -> set[uuid.UUID]:
    """New rows are added; a higher revision replaces the server's; otherwise unchanged.
    The ids written."""
    held = {row.id: row.revision for row in conn.execute(select(table.c.id, table.c.revision))}
    gone = _gone(conn, table.name)
    added = []
    written: set[uuid.UUID] = set()
    for record in records:
        values = {k: v for k, v in record.items() if k not in deferred}
        current = held.get(record["id"])
        if current is None and record["id"] in gone:
            # Merged into another person, or deleted, on the server: it does not come back.
            result.count(kind, "unchanged")
        elif current is None:
            added.append({**values, **dict.fromkeys(deferred)})
            result.count(kind, "added")
            written.add(record["id"])
        elif record["revision"] > current:
            conn.execute(update(table).where(table.c.id == record["id"]).values(**values))
            result.count(kind, "updated")
            written.add(record["id"])
        else:
            result.count(kind, "unchanged")
    if added:
        conn.execute(insert(table), added)
    return written


def _merged_people(conn: Connection) -> dict[uuid.UUID, uuid.UUID]:
    """People merged away on the server (observer-server merge-people): the person kept."""
    t = schema.tombstones
    rows = conn.execute(
        select(t.c.record_id, t.c.merged_into_id).where(
            t.c.record_type == "people", t.c.merged_into_id.is_not(None)
        )
    )
    return {row.record_id: row.merged_into_id for row in rows}


def _gone(conn: Connection, record_type: str) -> set[uuid.UUID]:
    t = schema.tombstones
    return set(conn.execute(select(t.c.record_id).where(t.c.record_type == record_type)).scalars())


def _team_managers(conn: Connection, teams: list[dict[str, Any]]) -> None:
    t = schema.teams
    for record in teams:
        conn.execute(
            update(t)
            .where(t.c.id == record["id"], t.c.manager_id.is_distinct_from(record["manager_id"]))
            .values(manager_id=record["manager_id"])
        )


def _observations(
    conn: Connection,
    bundle: CheckedBundle,
    raws: list[dict[str, Any]],
    result: Seeded,
    source: str,
    merged_people: dict[uuid.UUID, uuid.UUID],
) -> None:
    ids = [record["id"] for record in bundle.observations]
    held = documents(conn, ids)
    gone = _tombstoned(conn, ids)
    writer = RecordWriter(conn, Lookups.load(conn), source, merged_people)
    now = datetime.now(UTC)
    written: list[tuple[int, uuid.UUID]] = []
    for index, (record, raw) in enumerate(zip(bundle.observations, raws, strict=True)):
        where = f"{source}: observations[{index}]"
        document = held.get(record["id"])
        reason = gone.get(record["id"])
        if document is None and reason == "removed":
            result.left_removed += 1
            continue
        here = None if document is None else checked(document, source)
        if not record["signatures"]:  # a draft names the people as they are now
            record = _moved(record, merged_people)
        merged = _merge(record, raw, here, reason == "deleted", now, where)
        outcome = merged.outcome.value
        result.count(
            "observations",
            {"restored": "added", "stays_deleted": "unchanged"}.get(outcome, outcome),
        )
        if merged.conflicts:
            result.conflicts += len(merged.conflicts)
            keep_conflicts(conn, record["id"], merged.conflicts)
        if merged.record is None or not merged.writes:
            continue
        writer.write(merged.record, here)
        written.append((index, record["id"]))
    stored = documents(conn, [record_id for _, record_id in written])
    for index, record_id in written:
        wrong = signatures_hold(stored[record_id])
        if wrong is not None:
            raise InvalidBundle(
                f"{source}: observations[{index}].{wrong}.content_hash does not match the "
                "record's content: the record was changed after it was signed; nothing was "
                "imported."
            )


def _moved(record: dict[str, Any], merged: dict[uuid.UUID, uuid.UUID]) -> dict[str, Any]:
    moved = dict(record)
    for name in ("observed_person_id", "observer_id"):
        moved[name] = merged.get(record[name], record[name])
    moved["actions"] = [
        {**action, "owner_id": merged.get(action["owner_id"], action["owner_id"])}
        for action in record["actions"]
    ]
    return moved


def _tombstoned(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    t = schema.tombstones
    rows = conn.execute(
        select(t.c.record_id, t.c.reason)
        .where(t.c.record_type == "observations", t.c.record_id.in_(ids))
        .order_by(t.c.server_revision)
    )
    return {row.record_id: row.reason for row in rows}


def _merge(
    record: dict[str, Any],
    raw: dict[str, Any],
    here: dict[str, Any] | None,
    deleted_here: bool,
    now: datetime,
    where: str,
) -> Merged:
    try:
        return merge_observation(None, here, record, now=now, deleted_here=deleted_here)
    except SignedContentDiffers:
        wrong = not_as_signed(record, bundle_content_hash(raw))
        if wrong is not None:
            raise InvalidBundle(
                f"{where}.{wrong}.content_hash does not match the record's content: the "
                "record was changed after it was signed; nothing was imported."
            ) from None
        raise InvalidBundle(
            f"{where} is signed on the server, and the bundle's copy of it differs from what "
            "was signed; nothing was imported."
        ) from None
