"""Importing a checked bundle in one transaction: all or nothing, idempotent."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from observer.audit import record_event
from observer.bundle.export import MAX_BUNDLE_BYTES, observation_document
from observer.bundle.reader import BundleReader, CheckedBundle
from observer.canonical import content_hash
from observer.db import Database
from observer.errors import InvalidBundle, InvalidFramework
from observer.frameworks import store_framework
from observer.models import (
    Action,
    Addendum,
    Framework,
    Observation,
    Person,
    Rating,
    Signature,
    Team,
    action_standards,
    table_of,
)
from observer.vocabulary import Status


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        table = getattr(self, outcome)
        table[kind] = table.get(kind, 0) + 1

    def describe(self) -> str:
        parts = []
        for kind in ("frameworks", "teams", "people", "observations"):
            parts.append(
                f"{kind}: {self.added.get(kind, 0)} added, {self.updated.get(kind, 0)} updated, "
                f"{self.unchanged.get(kind, 0)} unchanged"
            )
        return "; ".join(parts)


def read_bundle(path: Path) -> dict[str, Any]:
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise InvalidBundle(f"{name} is too large to be a bundle ({size:,} bytes).")
        with path.open(encoding="utf-8") as stream:
            data = json.load(stream)
    except FileNotFoundError:
        raise InvalidBundle(f"{name} does not exist.") from None
    except IsADirectoryError:
        raise InvalidBundle(f"{name} is a folder, not a bundle file.") from None
    except UnicodeDecodeError:
        raise InvalidBundle(f"{name} is not a text file, so it cannot be a bundle.") from None
    except json.JSONDecodeError as exc:
        raise InvalidBundle(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except (OSError, RecursionError) as exc:
        raise InvalidBundle(f"{name} cannot be read ({exc}).") from None
    if not isinstance(data, dict):
        raise InvalidBundle(f"{name} is not a Practice Observer bundle.")
    return data


def import_bundle(db: Database, data: dict[str, Any], actor: str, source: str) -> ImportResult:
    """Validates the whole bundle, then writes it in one transaction; all or nothing."""
    bundle = BundleReader(source).read(data)
    result = ImportResult()
    try:
        _write(db, bundle, result, actor, source)
    except IntegrityError as exc:
        # An id or name the checks above could not see clashes with a different record.
        raise InvalidBundle(
            f"{source} holds a record that clashes with a different record already in this "
            f"store ({_constraint(exc)}); nothing was imported."
        ) from None
    return result


def _constraint(exc: IntegrityError) -> str:
    return str(exc.orig).split("\n")[0]


def _write(
    db: Database, bundle: CheckedBundle, result: ImportResult, actor: str, source: str
) -> None:
    with db.session() as s, s.begin():
        level_ids, standard_ids = _import_frameworks(s, bundle, result, source)
        _check_references(s, bundle, source)
        _upsert_simple(s, Team, bundle.teams, "teams", result, deferred=("manager_id",))
        _upsert_simple(s, Person, bundle.people, "people", result)
        _set_team_managers(s, bundle.teams)
        for record in bundle.observations:
            _import_observation(s, record, level_ids, standard_ids, result, source)
        record_event(s, actor=actor, action="import", record_type="bundle", record_id=None)


def _import_frameworks(
    s: Session, bundle: CheckedBundle, result: ImportResult, source: str
) -> tuple[dict[tuple[str, int, str], uuid.UUID], dict[tuple[str, int, str], uuid.UUID]]:
    for record in bundle.frameworks:
        try:
            _, added = store_framework(s, record["definition"])
        except InvalidFramework as exc:
            raise InvalidBundle(f"{source}: {exc}.") from None
        result.count("frameworks", "added" if added else "unchanged")
    levels: dict[tuple[str, int, str], uuid.UUID] = {}
    standards: dict[tuple[str, int, str], uuid.UUID] = {}
    for framework in s.scalars(
        select(Framework).options(selectinload(Framework.levels), selectinload(Framework.standards))
    ):
        for level in framework.levels:
            levels[(framework.key, framework.version, level.code)] = level.id
        for standard in framework.standards:
            standards[(framework.key, framework.version, standard.code)] = standard.id
    return levels, standards


def _check_references(s: Session, bundle: CheckedBundle, source: str) -> None:
    people = {r["id"] for r in bundle.people} | set(s.scalars(select(Person.id)))
    teams = {r["id"] for r in bundle.teams} | set(s.scalars(select(Team.id)))
    names = {t.name.casefold(): t.id for t in s.scalars(select(Team))}
    for i, team in enumerate(bundle.teams):
        if team["manager_id"] is not None and team["manager_id"] not in people:
            raise InvalidBundle(f"{source}: teams[{i}].manager_id refers to no known person.")
        clash = names.get(team["name"].casefold())
        if clash is not None and clash != team["id"]:
            raise InvalidBundle(
                f"{source}: teams[{i}].name {team['name']!r} is already used by another team."
            )
    for i, person in enumerate(bundle.people):
        if person["team_id"] is not None and person["team_id"] not in teams:
            raise InvalidBundle(f"{source}: people[{i}].team_id refers to no known team.")
    for i, o in enumerate(bundle.observations):
        where = f"{source}: observations[{i}]"
        for name in ("observed_person_id", "observer_id"):
            if o[name] not in people:
                raise InvalidBundle(f"{where}.{name} refers to no known person.")
        for j, action in enumerate(o["actions"]):
            if action["owner_id"] is not None and action["owner_id"] not in people:
                raise InvalidBundle(f"{where}.actions[{j}].owner_id refers to no known person.")


def _columns(record: dict[str, Any], exclude: Iterable[str] = ()) -> dict[str, Any]:
    skip = set(exclude)
    return {k: v for k, v in record.items() if k not in skip}


def _upsert_simple(
    s: Session,
    model: type[Team] | type[Person],
    records: list[dict[str, Any]],
    kind: str,
    result: ImportResult,
    deferred: tuple[str, ...] = (),
) -> None:
    """Inserts new rows and replaces older revisions; `deferred` columns are set later."""
    table = table_of(model)
    existing = {row.id: row.revision for row in s.execute(select(table.c.id, table.c.revision))}
    for record in records:
        values = _columns(record, deferred)
        current = existing.get(record["id"])
        if current is None:
            s.execute(insert(table).values(**values, **dict.fromkeys(deferred)))
            result.count(kind, "added")
        elif record["revision"] > current:
            s.execute(update(table).where(table.c.id == record["id"]).values(**values))
            result.count(kind, "updated")
        else:
            result.count(kind, "unchanged")


def _set_team_managers(s: Session, teams: list[dict[str, Any]]) -> None:
    table = table_of(Team)
    for record in teams:
        s.execute(
            update(table)
            .where(table.c.id == record["id"], table.c.revision == record["revision"])
            .values(manager_id=record["manager_id"], updated_at=record["updated_at"])
        )


def _check_signed_record_kept(local: Observation, record: dict[str, Any], where: str) -> None:
    """A signed record (even by the observer alone) may gain signatures, addenda and action
    progress; nothing else."""
    refusal = f"{where} is signed in this store, and the bundle would "
    if local.status == Status.SIGNED.value and record["status"] != Status.SIGNED.value:
        raise InvalidBundle(refusal + "reopen it; nothing was imported.")
    if content_hash(observation_document(local)) != record["content_hash"]:
        raise InvalidBundle(refusal + "change what was signed; nothing was imported.")
    for name, fields in KEPT_AS_SIGNED.items():
        incoming = {child["id"]: child for child in record[name]}
        for child in getattr(local, name):
            theirs = incoming.get(child.id)
            if theirs is None:
                raise InvalidBundle(refusal + f"remove some of its {name}; nothing was imported.")
            if any(_stored(getattr(child, f)) != _stored(theirs[f]) for f in fields):
                raise InvalidBundle(refusal + f"rewrite some of its {name}; nothing was imported.")


# What a signature or an addendum says can never change once made; only new ones are added.
KEPT_AS_SIGNED = {
    "signatures": ("role", "name", "image_png", "signed_at", "comment", "content_hash"),
    "addenda": ("text", "author_name", "image_png", "signed_at", "content_hash"),
}


def _stored(value: Any) -> Any:
    """Values as the store compares them: times to the microsecond, in UTC."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _import_observation(
    s: Session,
    record: dict[str, Any],
    level_ids: dict[tuple[str, int, str], uuid.UUID],
    standard_ids: dict[tuple[str, int, str], uuid.UUID],
    result: ImportResult,
    source: str,
) -> None:
    key, version = record["framework"]
    where = f"{source}: observation {record['id']}"
    framework_id = s.scalar(
        select(Framework.id).where(Framework.key == key, Framework.version == version)
    )
    if framework_id is None:
        raise InvalidBundle(f"{where} uses framework {key} v{version}, which is not installed.")

    def level(code: str | None, field_name: str) -> uuid.UUID | None:
        if code is None:
            return None
        found = level_ids.get((key, version, code))
        if found is None:
            raise InvalidBundle(f"{where}: {field_name} {code!r} is not a rating in {key}.")
        return found

    def standard(code: str) -> uuid.UUID:
        found = standard_ids.get((key, version, code))
        if found is None:
            raise InvalidBundle(f"{where}: standard {code!r} is not part of {key} v{version}.")
        return found

    local = s.get(Observation, record["id"])
    current = None if local is None else local.revision
    if current is not None and record["revision"] <= current:
        result.count("observations", "unchanged")
        return
    if local is not None and (local.status == Status.SIGNED.value or local.signatures):
        _check_signed_record_kept(local, record, where)
    if current is not None:
        s.expunge(local)
        s.execute(delete(table_of(Observation)).where(table_of(Observation).c.id == record["id"]))
    children = (
        "ratings",
        "actions",
        "signatures",
        "addenda",
        "framework",
        "overall_level",
        "content_hash",
    )
    s.execute(
        insert(table_of(Observation)).values(
            **_columns(record, children),
            framework_id=framework_id,
            overall_level_id=level(record["overall_level"], "overall_level"),
        )
    )
    observation_id = record["id"]
    for rating in record["ratings"]:
        s.execute(
            insert(table_of(Rating)).values(
                **_columns(rating, ("standard", "level")),
                observation_id=observation_id,
                standard_id=standard(rating["standard"]),
                level_id=level(rating["level"], "rating"),
            )
        )
    for action in record["actions"]:
        s.execute(
            insert(table_of(Action)).values(
                **_columns(action, ("standards",)), observation_id=observation_id
            )
        )
        for code in action["standards"]:
            s.execute(
                insert(action_standards).values(action_id=action["id"], standard_id=standard(code))
            )
    for model, name in ((Signature, "signatures"), (Addendum, "addenda")):
        for child in record[name]:
            s.execute(insert(table_of(model)).values(**child, observation_id=observation_id))
    result.count("observations", "added" if current is None else "updated")
