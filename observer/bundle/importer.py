"""Importing a checked bundle in one transaction: all or nothing, idempotent."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from observer.bundle.export import MAX_BUNDLE_BYTES
from observer.bundle.reader import BundleReader, CheckedBundle
from observer.bundle.sign_offs import take_new_sign_offs
from observer.errors import InvalidBundle, InvalidFramework
from observer.governance.audit import record_event
from observer.records.canonical import (
    OBSERVATION_LOAD_OPTIONS,
    content_hash,
    observation_document,
)
from observer.records.frameworks import store_framework
from observer.store.db import Database
from observer.store.models import (
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
from observer.store.sample import mark_sample_store
from observer.store.wording import keep as keep_wording
from observer.store.wording import stored_columns as stored_wording
from observer.validation import UnreadableJson, decode_json, read_file_capped, shown
from observer.vocabulary import Status

CHECKED_AT_ONCE = 500  # observations loaded per query, well within SQLite's variable limit
CHILDREN = {"ratings": Rating, "actions": Action, "signatures": Signature, "addenda": Addendum}


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


def read_bundle(path: Path, passphrase: str | None = None) -> dict[str, Any]:
    """The decoded bundle at `path`, sealed (opened with `passphrase`) or plain JSON."""
    from observer.bundle.sealed import is_sealed, unseal

    name = path.name
    try:
        raw = read_file_capped(path, MAX_BUNDLE_BYTES, "bundle")
        if is_sealed(raw):
            if passphrase is None:
                raise InvalidBundle(f"{name} is sealed; a passphrase is needed to open it.")
            raw = unseal(raw, passphrase, name, MAX_BUNDLE_BYTES)
        data = decode_json(raw, "bundle")
    except UnreadableJson as exc:
        raise InvalidBundle(f"{name} {exc}.") from None
    if not isinstance(data, dict):
        raise InvalidBundle(f"{name} is not a Practice Observer bundle.")
    return data


def import_bundle(db: Database, data: dict[str, Any], actor: str, source: str) -> ImportResult:
    """Validates the whole bundle, then writes it in one transaction; all or nothing."""
    bundle = BundleReader(source).read(data)
    result = ImportResult()
    try:
        _write(db, bundle, result, actor, source, sample=data.get("sample_data") is True)
    except IntegrityError as exc:
        # An id or name the checks above could not see clashes with a different record.
        raise InvalidBundle(
            f"{source} holds a record that clashes with a different record already in this "
            f"store ({_constraint(exc)}); nothing was imported."
        ) from None
    from observer.search.service import update_index

    update_index(db)  # now, rather than on the first search
    return result


def _constraint(exc: IntegrityError) -> str:
    return str(exc.orig).split("\n")[0]


def _write(
    db: Database,
    bundle: CheckedBundle,
    result: ImportResult,
    actor: str,
    source: str,
    *,
    sample: bool = False,
) -> None:
    with db.session() as s, s.begin():
        if sample:  # fictional records: this store says SAMPLE from now on
            mark_sample_store(s)
        level_ids, standard_ids = _import_frameworks(s, bundle, result, source)
        _check_references(s, bundle, source)
        _check_child_ids(s, bundle, source)
        _upsert_simple(s, Team, bundle.teams, "teams", result, deferred=("manager_id",))
        _upsert_simple(s, Person, bundle.people, "people", result)
        _set_team_managers(s, bundle.teams)
        written = [
            _import_observation(s, record, level_ids, standard_ids, result, source)
            for record in bundle.observations
        ]
        _check_signed_content(s, written, source, actor)
        record_event(s, actor=actor, action="import", record_type="bundle", record_id=None)


def _import_frameworks(
    s: Session, bundle: CheckedBundle, result: ImportResult, source: str
) -> tuple[dict[tuple[str, int, str], uuid.UUID], dict[tuple[str, int, str], uuid.UUID]]:
    for record in bundle.frameworks:
        try:
            _, added = store_framework(s, record["definition"])
        except InvalidFramework as exc:
            raise InvalidBundle(f"{source}: {exc}") from None
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


def _check_child_ids(s: Session, bundle: CheckedBundle, source: str) -> None:
    """A rating, action, signature or addendum id may be in this store only as part of the
    same observation; anywhere else it is a different record."""
    for name, model in CHILDREN.items():
        table = table_of(model)
        owners: dict[uuid.UUID, uuid.UUID] = {
            row.id: row.observation_id
            for row in s.execute(select(table.c.id, table.c.observation_id))
        }
        for i, o in enumerate(bundle.observations):
            for j, child in enumerate(o[name]):
                owner = owners.get(child["id"], o["id"])
                if owner != o["id"]:
                    raise InvalidBundle(
                        f"{source}: observations[{i}].{name}[{j}].id is already the id of "
                        f"one of the {name} of another observation in this store."
                    )


@dataclass(frozen=True)
class Written:
    """An observation just written, with its content hash here before, if it was signed."""

    record: dict[str, Any]
    kept_hash: str | None
    kept_entries: frozenset[uuid.UUID] = frozenset()  # its signatures and addenda held here


def _check_signed_content(
    s: Session, written: list[Written | None], source: str, actor: str
) -> None:
    """Each signature must hold the hash of the record as stored, which is what every later
    check hashes (the bundle's own text may differ in form: time zones, key order, fields
    left out); and a record signed here must keep the content it had."""
    to_check = {
        w.record["id"]: (index, w)
        for index, w in enumerate(written)
        if w is not None and (w.record["signatures"] or w.kept_hash is not None)
    }
    ids = list(to_check)
    for start in range(0, len(ids), CHECKED_AT_ONCE):
        query = (
            select(Observation)
            .where(Observation.id.in_(ids[start : start + CHECKED_AT_ONCE]))
            .options(*OBSERVATION_LOAD_OPTIONS)
            .execution_options(populate_existing=True)
        )
        observations = list(s.scalars(query))
        for observation in observations:
            _check_signatures_hold(observation, *to_check[observation.id], source)
        for observation in observations:
            index, w = to_check[observation.id]
            where = f"{source}: observations[{index}]"
            take_new_sign_offs(s, observation, w.record, w.kept_entries, where, actor)


def _check_signatures_hold(observation: Observation, index: int, w: Written, source: str) -> None:
    digest = content_hash(observation_document(observation))
    for name in ("signatures", "addenda"):
        for position, entry in enumerate(w.record[name]):
            if entry["content_hash"] != digest:
                raise InvalidBundle(
                    f"{source}: observations[{index}].{name}[{position}].content_hash does "
                    "not match the record's content: the record was changed after it was "
                    "signed; nothing was imported."
                )
    if w.kept_hash is not None and digest != w.kept_hash:
        raise InvalidBundle(
            f"{source}: observation {observation.id} is signed in this store, and the "
            "bundle would change what was signed; nothing was imported."
        )


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
    added = []
    for record in records:
        values = _columns(record, deferred)
        current = existing.get(record["id"])
        if current is None:
            added.append({**values, **dict.fromkeys(deferred)})
            result.count(kind, "added")
        elif record["revision"] > current:
            s.execute(update(table).where(table.c.id == record["id"]).values(**values))
            result.count(kind, "updated")
        else:
            result.count(kind, "unchanged")
    if added:  # in one statement: a bundle may hold many thousands
        s.execute(insert(table), added)


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
    progress; nothing else. (Its content is compared once the new copy is written.)"""
    refusal = f"{where} is signed in this store, and the bundle would "
    if local.status == Status.SIGNED.value and record["status"] != Status.SIGNED.value:
        raise InvalidBundle(refusal + "reopen it; nothing was imported.")
    for name, fields in KEPT_AS_SIGNED.items():
        incoming = {child["id"]: child for child in record[name]}
        for child in getattr(local, name):
            theirs = incoming.get(child.id)
            if theirs is None:
                raise InvalidBundle(refusal + f"remove some of its {name}; nothing was imported.")
            if any(_stored(getattr(child, f)) != _stored(theirs[f]) for f in fields):
                raise InvalidBundle(refusal + f"rewrite some of its {name}; nothing was imported.")


# What a signature or an addendum says can never change once made; only new ones are added.
# (A signature's hash is compared with the content as written, which must be the kept one.)
KEPT_AS_SIGNED = {
    "signatures": ("role", "name", "image_png", "signed_at", "comment"),
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
) -> Written | None:
    """Writes the record unless the store holds its revision or a later one."""
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
            raise InvalidBundle(f"{where}: {field_name} {shown(code)} is not a rating in {key}.")
        return found

    def standard(code: str) -> uuid.UUID:
        found = standard_ids.get((key, version, code))
        if found is None:
            raise InvalidBundle(f"{where}: standard {shown(code)} is not part of {key} v{version}.")
        return found

    local = s.get(Observation, record["id"])
    current = None if local is None else local.revision
    signed_here = local is not None and (local.status == Status.SIGNED.value or local.signatures)
    write = _Writer(s, record, framework_id, level, standard)
    if local is not None and current is not None and record["revision"] <= current:
        if signed_here:
            # An edited copy of a signed record is refused whatever its revision.
            _check_same_content(s, local, record, where, write)
        result.count("observations", "unchanged")
        return None
    kept_hash = None
    kept_entries: frozenset[uuid.UUID] = frozenset()
    if local is not None:
        if signed_here:
            _check_signed_record_kept(local, record, where)
            kept_hash = content_hash(observation_document(local))
        kept_entries = write.keep_sealed(local)
        s.expunge(local)
        s.execute(delete(table_of(Observation)).where(table_of(Observation).c.id == record["id"]))
    write()
    result.count("observations", "added" if current is None else "updated")
    return Written(record, kept_hash, kept_entries)


class _Writer:
    """Writes one bundle record; what a signed record here holds of its signatures and
    addenda (their own hashes and digital signatures) and its wording at signing stay as
    they are here."""

    def __init__(
        self,
        s: Session,
        record: dict[str, Any],
        framework_id: uuid.UUID,
        level: Callable[[str | None, str], uuid.UUID | None],
        standard: Callable[[str], uuid.UUID],
    ) -> None:
        self.s = s
        self.record = record
        self.framework_id = framework_id
        self.level = level
        self.standard = standard
        self.sealed: dict[uuid.UUID, dict[str, Any]] = {}
        self.wording: dict[str, Any] | None = None

    def keep_sealed(self, local: Observation) -> frozenset[uuid.UUID]:
        entries: list[Signature | Addendum] = [*local.signatures, *local.addenda]
        self.sealed = {
            e.id: {
                "own_hash": e.own_hash,
                "certificate": e.certificate,
                "digital_signature": e.digital_signature,
            }
            for e in entries
        }
        self.wording = local.wording_at_signing
        return frozenset(self.sealed)

    def __call__(self) -> None:
        s, record, level, standard = self.s, self.record, self.level, self.standard
        children = (
            "ratings",
            "actions",
            "signatures",
            "addenda",
            "framework",
            "overall_level",
            "wording_at_signing",
        )
        wording = self.wording if self.wording is not None else record["wording_at_signing"]
        stored, framework = stored_wording(wording, record.get("shown_at_signing"))
        if framework is not None:
            keep_wording(s, {stored["wording_digest"]: framework})
        s.execute(
            insert(table_of(Observation)).values(
                **_columns(record, children),
                **stored,
                framework_id=self.framework_id,
                overall_level_id=level(record["overall_level"], "overall_level"),
            )
        )
        observation_id = record["id"]
        rows: dict[Any, list[dict[str, Any]]] = {
            table_of(Rating): [
                {
                    **_columns(rating, ("standard", "level")),
                    "observation_id": observation_id,
                    "standard_id": standard(rating["standard"]),
                    "level_id": level(rating["level"], "rating"),
                }
                for rating in record["ratings"]
            ],
            table_of(Action): [
                {**_columns(action, ("standards",)), "observation_id": observation_id}
                for action in record["actions"]
            ],
            action_standards: [
                {"action_id": action["id"], "standard_id": standard(code)}
                for action in record["actions"]
                for code in action["standards"]
            ],
            table_of(Signature): [
                {**child, **self.sealed.get(child["id"], {}), "observation_id": observation_id}
                for child in record["signatures"]
            ],
            table_of(Addendum): [
                {**child, **self.sealed.get(child["id"], {}), "observation_id": observation_id}
                for child in record["addenda"]
            ],
        }
        for table, values in rows.items():  # in one statement each: there may be thousands
            if values:
                s.execute(insert(table), values)


def _check_same_content(
    s: Session, local: Observation, record: dict[str, Any], where: str, write: _Writer
) -> None:
    """A copy of a signed record at this store's revision or an earlier one changes nothing,
    but it must be the record that was signed: written in a savepoint and hashed as any
    written record is, then rolled back."""
    kept = content_hash(observation_document(local))
    write.keep_sealed(local)
    ours = {e.id: e for e in [*local.signatures, *local.addenda]}
    fields = {**dict.fromkeys(("signatures",), KEPT_AS_SIGNED["signatures"])}
    for name, names in (
        ("signatures", fields["signatures"]),
        ("addenda", KEPT_AS_SIGNED["addenda"]),
    ):
        for child in record[name]:
            mine = ours.get(child["id"])
            if mine is not None and any(
                _stored(getattr(mine, f)) != _stored(child[f]) for f in names
            ):
                raise InvalidBundle(
                    f"{where} is signed in this store, and the bundle's copy rewrites some of "
                    f"its {name}; nothing was imported."
                )
    savepoint = s.begin_nested()
    try:
        s.expunge(local)
        s.execute(delete(table_of(Observation)).where(table_of(Observation).c.id == record["id"]))
        write()
        copy = s.scalars(
            select(Observation)
            .where(Observation.id == record["id"])
            .options(*OBSERVATION_LOAD_OPTIONS)
            .execution_options(populate_existing=True)
        ).one()
        digest = content_hash(observation_document(copy))
    finally:
        savepoint.rollback()
        s.expunge_all()
    if digest != kept:
        raise InvalidBundle(
            f"{where} is signed in this store, and the bundle's copy of it differs from what "
            "was signed; nothing was imported."
        )
