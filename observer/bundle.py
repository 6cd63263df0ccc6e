"""The JSON bundle: every record of a store (or of one worker), for moving and backing up.

The format is documented in docs/bundle-format.md. Import validates every record before
it writes anything and runs in one transaction, so a bad bundle changes nothing. Records
keep their UUIDs; a record already present is replaced only by a higher revision, so
importing the same bundle twice changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from observer import __version__
from observer.audit import record_event
from observer.db import Database
from observer.errors import InvalidBundle, InvalidFramework
from observer.frameworks import parse_framework, store_framework
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
from observer.recording import TEXT_FIELDS
from observer.validation import Fields
from observer.vocabulary import ActionStatus, Kind, Role, SignatureRole, Status

FORMAT_NAME = "practice-observer-bundle"
FORMAT_VERSION = 1
MAX_BUNDLE_BYTES = 2_000_000_000
RECORD_FIELDS = ("id", "created_at", "updated_at", "revision")


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _b64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode("ascii")


def _record(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "revision": row.revision,
    }


def _ref(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


# Export


def export_bundle(db: Database, person_ids: Iterable[uuid.UUID] | None = None) -> dict[str, Any]:
    """Every record, or only the observations of the given workers and what they refer to."""
    with db.session() as s:
        query = select(Observation).options(*OBSERVATION_LOAD_OPTIONS)
        wanted = None if person_ids is None else set(person_ids)
        if wanted is not None:
            query = query.where(Observation.observed_person_id.in_(wanted))
        observations = list(s.scalars(query.order_by(Observation.observed_at, Observation.id)))
        people = {p.id: p for p in s.scalars(select(Person))}
        teams = {t.id: t for t in s.scalars(select(Team))}
        frameworks = list(s.scalars(select(Framework).order_by(Framework.key, Framework.version)))

        if wanted is not None:
            person_keep, team_keep = _closure(wanted, observations, people, teams)
            people = {k: v for k, v in people.items() if k in person_keep}
            teams = {k: v for k, v in teams.items() if k in team_keep}
            used = {o.framework_id for o in observations}
            frameworks = [f for f in frameworks if f.id in used]

        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "app_version": __version__,
            "exported_at": datetime.now(UTC).isoformat(),
            "frameworks": [_framework_json(f) for f in frameworks],
            "teams": [_team_json(t) for t in sorted(teams.values(), key=lambda t: str(t.id))],
            "people": [_person_json(p) for p in sorted(people.values(), key=lambda p: str(p.id))],
            "observations": [observation_document(o) for o in observations],
        }


def _closure(
    wanted: set[uuid.UUID],
    observations: list[Observation],
    people: dict[uuid.UUID, Person],
    teams: dict[uuid.UUID, Team],
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """The people and teams the chosen observations refer to, directly or through teams."""
    person_keep = set(wanted)
    for o in observations:
        person_keep |= {o.observed_person_id, o.observer_id}
        person_keep |= {a.owner_id for a in o.actions if a.owner_id is not None}
    team_keep: set[uuid.UUID] = set()
    while True:
        teams_now = {t for p in person_keep if (t := people[p].team_id) is not None}
        managers = {m for t in teams_now if (m := teams[t].manager_id) is not None}
        if teams_now <= team_keep and managers <= person_keep:
            return person_keep, team_keep
        team_keep |= teams_now
        person_keep |= managers


def _framework_json(f: Framework) -> dict[str, Any]:
    return {
        "id": str(f.id),
        "key": f.key,
        "version": f.version,
        "content_hash": f.content_hash,
        "definition": json.loads(f.definition),
    }


def _team_json(t: Team) -> dict[str, Any]:
    return {**_record(t), "name": t.name, "manager_id": _ref(t.manager_id)}


def _person_json(p: Person) -> dict[str, Any]:
    return {
        **_record(p),
        "name": p.name,
        "role": p.role,
        "team_id": _ref(p.team_id),
        "staff_reference": p.staff_reference,
        "active": p.active,
    }


OBSERVATION_LOAD_OPTIONS = (
    selectinload(Observation.ratings).selectinload(Rating.standard),
    selectinload(Observation.ratings).selectinload(Rating.level),
    selectinload(Observation.actions).selectinload(Action.standards),
    selectinload(Observation.signatures),
    selectinload(Observation.addenda),
    selectinload(Observation.framework),
    selectinload(Observation.overall_level),
)


def observation_document(o: Observation) -> dict[str, Any]:
    """An observation as the bundle writes it; also the source of its canonical content."""
    return {
        **_record(o),
        "framework": {"key": o.framework.key, "version": o.framework.version},
        "observed_person_id": str(o.observed_person_id),
        "observer_id": str(o.observer_id),
        "kind": o.kind,
        "observed_at": _iso(o.observed_at),
        "duration_minutes": o.duration_minutes,
        "family_present": o.family_present,
        "status": o.status,
        "overall_level": o.overall_level.code if o.overall_level else None,
        **{name: getattr(o, name) for name in TEXT_FIELDS},
        "ratings": [
            {
                **_record(r),
                "standard": r.standard.code,
                "level": r.level.code if r.level else None,
                "evidence": r.evidence,
            }
            for r in sorted(o.ratings, key=lambda r: r.standard.position)
        ],
        "actions": [
            {
                **_record(a),
                "description": a.description,
                "owner_id": _ref(a.owner_id),
                "due_date": _iso(a.due_date),
                "status": a.status,
                "done_at": _iso(a.done_at),
                "done_by": a.done_by,
                "position": a.position,
                "standards": sorted(st.code for st in a.standards),
            }
            for a in o.actions
        ],
        "signatures": [
            {
                **_record(sig),
                "role": sig.role,
                "name": sig.name,
                "image_png": _b64(sig.image_png),
                "signed_at": _iso(sig.signed_at),
                "comment": sig.comment,
                "content_hash": sig.content_hash,
            }
            for sig in o.signatures
        ],
        "addenda": [
            {
                **_record(ad),
                "text": ad.text,
                "author_name": ad.author_name,
                "image_png": _b64(ad.image_png),
                "signed_at": _iso(ad.signed_at),
                "content_hash": ad.content_hash,
            }
            for ad in o.addenda
        ],
    }


def write_bundle(bundle: dict[str, Any], path: Path) -> None:
    """Writes atomically: a half-written bundle never replaces a good file."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        json.dump(bundle, out, ensure_ascii=False, indent=1)
        out.write("\n")
    partial.replace(path)


# Import


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
    bundle = _BundleReader(source).read(data)
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


def _write(db: Database, bundle: _Bundle, result: ImportResult, actor: str, source: str) -> None:
    with db.session() as s, s.begin():
        level_ids, standard_ids = _import_frameworks(s, bundle, result, source)
        _check_references(s, bundle, source)
        _upsert_simple(s, Team, bundle.teams, "teams", result, deferred=("manager_id",))
        _upsert_simple(s, Person, bundle.people, "people", result)
        _set_team_managers(s, bundle.teams)
        for record in bundle.observations:
            _import_observation(s, record, level_ids, standard_ids, result, source)
        record_event(s, actor=actor, action="import", record_type="bundle", record_id=None)


@dataclass
class _Bundle:
    frameworks: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    people: list[dict[str, Any]]
    observations: list[dict[str, Any]]


class _BundleReader:
    """Turns decoded JSON into plain column values, checking every field on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.f = Fields(lambda where, reason: InvalidBundle(f"{source}: {where} {reason}."))

    def read(self, data: dict[str, Any]) -> _Bundle:
        f = self.f
        if data.get("format") != FORMAT_NAME:
            raise InvalidBundle(f"{self.source} is not a Practice Observer bundle.")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise InvalidBundle(
                f"{self.source} has bundle format {version!r}; this version of Practice "
                f"Observer reads format {FORMAT_VERSION}."
            )
        bundle = _Bundle(
            frameworks=[
                self.framework(item, f"frameworks[{i}]")
                for i, item in enumerate(f.array(data.get("frameworks", []), "frameworks"))
            ],
            teams=[
                self.team(item, f"teams[{i}]")
                for i, item in enumerate(f.array(data.get("teams", []), "teams"))
            ],
            people=[
                self.person(item, f"people[{i}]")
                for i, item in enumerate(f.array(data.get("people", []), "people"))
            ],
            observations=[
                self.observation(item, f"observations[{i}]")
                for i, item in enumerate(f.array(data.get("observations", []), "observations"))
            ],
        )
        for name in ("teams", "people", "observations"):
            records = getattr(bundle, name)
            f.unique([str(r["id"]) for r in records], name, "id")
        f.unique([r["name"].casefold() for r in bundle.teams], "teams", "name")
        for child in ("ratings", "actions", "signatures", "addenda"):
            seen: set[uuid.UUID] = set()
            for index, o in enumerate(bundle.observations):
                for position, record in enumerate(o[child]):
                    if record["id"] in seen:
                        raise f.fail(
                            f"observations[{index}].{child}[{position}].id",
                            f"{record['id']} is used twice",
                        )
                    seen.add(record["id"])
        return bundle

    def record(self, obj: dict[str, Any], where: str) -> dict[str, Any]:
        f = self.f
        return {
            "id": f.identifier(obj, "id", where),
            "created_at": f.moment(obj, "created_at", where),
            "updated_at": f.moment(obj, "updated_at", where),
            "revision": f.integer(obj, "revision", where, low=1),
        }

    def framework(self, item: Any, where: str) -> dict[str, Any]:
        obj = self.f.mapping(item, where)
        definition_source = f"{self.source}: {where}.definition"
        try:
            definition = parse_framework(obj.get("definition"), definition_source)
        except InvalidFramework as exc:
            raise InvalidBundle(f"{exc}.") from None
        return {"definition": definition}

    def team(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.record(obj, where),
            "name": f.text(obj, "name", where, max_len=200),
            "manager_id": f.identifier(obj, "manager_id", where, required=False),
        }

    def person(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        reference = f.text(obj, "staff_reference", where, required=False, max_len=60)
        return {
            **self.record(obj, where),
            "name": f.text(obj, "name", where, max_len=200),
            "role": f.choice(obj, "role", where, {r.value for r in Role}),
            "team_id": f.identifier(obj, "team_id", where, required=False),
            "staff_reference": reference or None,
            "active": f.boolean(obj, "active", where),
        }

    def observation(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        framework = f.mapping(obj.get("framework"), f"{where}.framework")
        values: dict[str, Any] = {
            **self.record(obj, where),
            "framework": (
                f.text(framework, "key", f"{where}.framework", max_len=60),
                f.integer(framework, "version", f"{where}.framework", low=1),
            ),
            "observed_person_id": f.identifier(obj, "observed_person_id", where),
            "observer_id": f.identifier(obj, "observer_id", where),
            "kind": f.choice(obj, "kind", where, {k.value for k in Kind}),
            "observed_at": f.moment(obj, "observed_at", where),
            "duration_minutes": f.integer(
                obj, "duration_minutes", where, required=False, low=1, high=24 * 60
            ),
            "family_present": f.boolean(obj, "family_present", where),
            "status": f.choice(obj, "status", where, {s.value for s in Status}),
            "overall_level": f.text(obj, "overall_level", where, required=False, max_len=40)
            or None,
        }
        for name in TEXT_FIELDS:
            limit = 60 if name == "case_reference" else 50_000
            values[name] = f.text(obj, name, where, required=False, max_len=limit, strip=False)
        values["ratings"] = [
            self.rating(r, f"{where}.ratings[{i}]")
            for i, r in enumerate(f.array(obj.get("ratings", []), f"{where}.ratings"))
        ]
        f.unique([r["standard"] for r in values["ratings"]], f"{where}.ratings", "standard")
        values["actions"] = [
            self.action(a, f"{where}.actions[{i}]")
            for i, a in enumerate(f.array(obj.get("actions", []), f"{where}.actions"))
        ]
        values["signatures"] = [
            self.signature(x, f"{where}.signatures[{i}]")
            for i, x in enumerate(f.array(obj.get("signatures", []), f"{where}.signatures"))
        ]
        values["addenda"] = [
            self.addendum(x, f"{where}.addenda[{i}]")
            for i, x in enumerate(f.array(obj.get("addenda", []), f"{where}.addenda"))
        ]
        return values

    def rating(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.record(obj, where),
            "standard": f.text(obj, "standard", where, max_len=20),
            "level": f.text(obj, "level", where, required=False, max_len=40) or None,
            "evidence": f.text(obj, "evidence", where, required=False, max_len=50_000, strip=False),
        }

    def action(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        standards = f.array(obj.get("standards", []), f"{where}.standards", 0, 50)
        for index, code in enumerate(standards):
            if not isinstance(code, str):
                raise f.fail(f"{where}.standards[{index}]", "must be a standard's code")
        return {
            **self.record(obj, where),
            "description": f.text(obj, "description", where, max_len=50_000, strip=False),
            "owner_id": f.identifier(obj, "owner_id", where, required=False),
            "due_date": f.day(obj, "due_date", where),
            "status": f.choice(obj, "status", where, {s.value for s in ActionStatus}),
            "done_at": f.moment(obj, "done_at", where, required=False),
            "done_by": f.text(obj, "done_by", where, required=False, max_len=200),
            "position": f.integer(obj, "position", where, low=0),
            "standards": sorted(set(standards)),
        }

    def signature(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.record(obj, where),
            "role": f.choice(obj, "role", where, {r.value for r in SignatureRole}),
            "name": f.text(obj, "name", where, max_len=200),
            "image_png": self.image(obj, where),
            "signed_at": f.moment(obj, "signed_at", where),
            "comment": f.text(obj, "comment", where, required=False, max_len=5000, strip=False),
            "content_hash": self.sha256(obj, where),
        }

    def addendum(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.record(obj, where),
            "text": f.text(obj, "text", where, max_len=50_000, strip=False),
            "author_name": f.text(obj, "author_name", where, max_len=200),
            "image_png": self.image(obj, where),
            "signed_at": f.moment(obj, "signed_at", where),
            "content_hash": self.sha256(obj, where),
        }

    def image(self, obj: dict[str, Any], where: str) -> bytes | None:
        text = self.f.text(obj, "image_png", where, required=False, max_len=5_000_000)
        if not text:
            return None
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise self.f.fail(f"{where}.image_png", "is not base64") from None

    def sha256(self, obj: dict[str, Any], where: str) -> str:
        value = self.f.text(obj, "content_hash", where, max_len=64)
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            raise self.f.fail(f"{where}.content_hash", "is not a SHA-256 in hexadecimal")
        return value


def _import_frameworks(
    s: Session, bundle: _Bundle, result: ImportResult, source: str
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


def _check_references(s: Session, bundle: _Bundle, source: str) -> None:
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

    current = s.scalar(select(Observation.revision).where(Observation.id == record["id"]))
    if current is not None and record["revision"] <= current:
        result.count("observations", "unchanged")
        return
    if current is not None:
        s.execute(delete(table_of(Observation)).where(table_of(Observation).c.id == record["id"]))
    children = ("ratings", "actions", "signatures", "addenda", "framework", "overall_level")
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
