"""Importing a checked bundle in one transaction: all or nothing, idempotent."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from observer.bundle.export import MAX_BUNDLE_BYTES
from observer.bundle.quality_import import write_quality
from observer.bundle.reader import BundleReader, CheckedBundle
from observer.bundle.scope import left_out_sentence, within_scope
from observer.bundle.sign_offs import take_new_sign_offs
from observer.bundle.writer import (
    RecordWriter,
    check_same_content,
    check_signed_record_kept,
    columns,
    framework_lookups,
)
from observer.conflicts.recorded import record_conflicts
from observer.conflicts.rules import Merged, SignedContentDiffers, merge_observation
from observer.conflicts.shared import (
    base_of,
    bundle_content_hash,
    known,
    not_as_signed,
    remember,
)
from observer.errors import InvalidBundle, InvalidFramework
from observer.governance.audit import record_event
from observer.records.canonical import (
    OBSERVATION_LOAD_OPTIONS,
    as_signed,
    content_hash,
    observation_document,
)
from observer.records.frameworks import store_framework
from observer.service.plan import InvalidPlan
from observer.service.themes import store_plan
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
    table_of,
    utc_now,
)
from observer.store.sample import mark_sample_store
from observer.validation import UnreadableJson, decode_json, read_file_capped
from observer.vocabulary import Status

log = logging.getLogger(__name__)

CHECKED_AT_ONCE = 500  # observations loaded per query, well within SQLite's variable limit
PLANS = "improvement plans"
QUALITY = ("moderation samples", "moderations", "moderation notes", "commentaries")
CHILDREN = {"ratings": Rating, "actions": Action, "signatures": Signature, "addenda": Addendum}


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    # Observations only: merged with a copy changed here too, deleted here and come back
    # (edited elsewhere), deleted here and left deleted (unchanged elsewhere).
    merged: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)
    stays_deleted: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    # On a joined laptop: observations left out, being outside its user's scope.
    outside_scope: int = 0

    def count(self, kind: str, outcome: str) -> None:
        table = getattr(self, outcome)
        table[kind] = table.get(kind, 0) + 1

    def describe(self) -> str:
        parts = []
        for kind in ("frameworks", "teams", "people", "observations"):
            words = [f"{self.added.get(kind, 0)} added", f"{self.updated.get(kind, 0)} updated"]
            if kind == "observations":
                merged = self.merged.get(kind, 0)
                conflicts = f"{self.conflicts} conflict{'' if self.conflicts == 1 else 's'}"
                words.append(f"{merged} merged with {conflicts}" if merged else "0 merged")
                if self.restored.get(kind):
                    words.append(f"{self.restored[kind]} deleted here and edited elsewhere, back")
                if self.stays_deleted.get(kind):
                    words.append(f"{self.stays_deleted[kind]} deleted here, left deleted")
            words.append(f"{self.unchanged.get(kind, 0)} unchanged")
            parts.append(f"{kind}: {', '.join(words)}")
        if self.added.get(PLANS) or self.unchanged.get(PLANS):
            new, held = self.added.get(PLANS, 0), self.unchanged.get(PLANS, 0)
            parts.append(f"{PLANS}: {new} added as new versions, {held} held already")
        for kind in QUALITY:
            if any(kind in table for table in (self.added, self.updated, self.merged)):
                words = [f"{table[kind]} {outcome}" for outcome, table in self._tables(kind)]
                parts.append(f"{kind}: {', '.join(words)}")
        return "; ".join(parts)

    def _tables(self, kind: str) -> list[tuple[str, dict[str, int]]]:
        named = {
            "added": self.added,
            "updated": self.updated,
            "merged with the one here": self.merged,
            "unchanged": self.unchanged,
        }
        return [(outcome, table) for outcome, table in named.items() if kind in table]

    def left_out(self) -> str:
        """The sentence saying which records were not imported, or "" when none were."""
        return left_out_sentence(self.outside_scope) if self.outside_scope else ""


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
    raws = [r for r in data.get("observations", []) if isinstance(r, dict)]
    try:
        _write(db, bundle, raws, result, actor, source, sample=data.get("sample_data") is True)
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
    raws: list[dict[str, Any]],
    result: ImportResult,
    actor: str,
    source: str,
    *,
    sample: bool = False,
) -> None:
    with db.session() as s, s.begin():
        every = {record["id"] for record in bundle.observations}
        bundle, raws, result.outside_scope = within_scope(s, bundle, raws)
        outside = every - {record["id"] for record in bundle.observations}
        write_checked(s, bundle, raws, result, actor, source, sample=sample, left_out=outside)
        left_out = f"{result.outside_scope} observations left out: outside the user's scope"
        record_event(
            s,
            actor=actor,
            action="import",
            record_type="bundle",
            record_id=None,
            detail=left_out if result.outside_scope else "",
        )


def write_checked(
    s: Session,
    bundle: CheckedBundle,
    raws: list[dict[str, Any]],
    result: ImportResult,
    actor: str,
    source: str,
    *,
    sample: bool = False,
    vouched_by: str | None = None,
    left_out: Collection[uuid.UUID] = (),
) -> None:
    """Writes a checked bundle in the caller's transaction, merging each observation with
    the store's copy against the state both last shared (a pull applies a page this way,
    `vouched_by` the team server it came from: see observer/bundle/sign_offs.py)."""
    if sample:  # fictional records: this store says SAMPLE from now on
        mark_sample_store(s)
    level_ids, standard_ids = _import_frameworks(s, bundle, result, source)
    _import_plans(s, bundle, result, actor, source)
    _check_references(s, bundle, source)
    _check_child_ids(s, bundle, source)
    _upsert_simple(s, Team, bundle.teams, "teams", result, deferred=("manager_id",))
    _upsert_simple(s, Person, bundle.people, "people", result)
    _set_team_managers(s, bundle.teams)
    arrival = Arrival(source, bundle.exported_by, actor, utc_now())
    # Each copy is compared, hashed and merged as it was signed, as the store's own are.
    raws = [as_signed(raw) for raw in raws]
    pairs = list(zip(bundle.observations, raws, strict=True))
    written: list[Written | None] = []
    for start in range(0, len(pairs), CHECKED_AT_ONCE):
        chunk = pairs[start : start + CHECKED_AT_ONCE]
        held = _held_here(s, [record["id"] for record, _ in chunk])
        written += [
            _import_observation(
                s, record, raw, held.get(record["id"]), level_ids, standard_ids, result, arrival
            )
            for record, raw in chunk
        ]
    _check_signed_content(s, written, source, actor, vouched_by)
    write_quality(
        s,
        bundle.moderation_samples,
        bundle.moderations,
        bundle.commentaries,
        result.count,
        source=source,
        actor=actor,
        left_out=left_out,
        vouched_by=vouched_by,
    )
    remember(s, raws)  # the states this store now shares with the one that exported them
    if result.merged or result.restored:
        log.info(
            "import merged %d observations (%d conflicts), brought back %d",
            result.merged.get("observations", 0),
            result.conflicts,
            result.restored.get("observations", 0),
        )


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


def _import_plans(
    s: Session, bundle: CheckedBundle, result: ImportResult, actor: str, source: str
) -> None:
    """Each version of the plan this store does not hold becomes its newest (the last such
    is then current); one it holds, as any version, changes nothing."""
    for index, plan in enumerate(bundle.improvement_plans):
        try:
            added = store_plan(
                s,
                plan,
                source=f"{source} (improvement_plans[{index}])",
                actor=actor,
                unless_held=True,
            )
        except InvalidPlan as exc:
            raise InvalidBundle(
                f"{source}: improvement_plans[{index}].definition: {exc.where} "
                f"{exc.reason.rstrip('.')}."
            ) from None
        result.count(PLANS, "unchanged" if added is None else "added")


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
        # The people a signed record names now; those it was signed with need not be here.
        held = o.get("held_as") or {"references": o, "owners": {}}
        for name in ("observed_person_id", "observer_id"):
            if held["references"][name] not in people:
                raise InvalidBundle(f"{where}.{name} refers to no known person.")
        for j, action in enumerate(o["actions"]):
            owner = held["owners"].get(action["id"], action["owner_id"])
            if owner is not None and owner not in people:
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
    s: Session,
    written: list[Written | None],
    source: str,
    actor: str,
    vouched_by: str | None = None,
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
            take_new_sign_offs(s, observation, w.record, w.kept_entries, where, actor, vouched_by)


def _check_signatures_hold(observation: Observation, index: int, w: Written, source: str) -> None:
    digest = content_hash(observation_document(observation))
    wrong = not_as_signed(w.record, digest)
    if wrong is not None:
        raise InvalidBundle(
            f"{source}: observations[{index}].{wrong}.content_hash does not match the "
            "record's content: the record was changed after it was signed; nothing was "
            "imported."
        )
    if w.kept_hash is not None and digest != w.kept_hash:
        raise InvalidBundle(
            f"{source}: observation {observation.id} is signed in this store, and the "
            "bundle would change what was signed; nothing was imported."
        )


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
        values = columns(record, deferred)
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


@dataclass(frozen=True)
class Arrival:
    """Where the copies being imported come from, who imports them, and when."""

    source: str
    exported_by: str
    actor: str
    now: datetime


def _held_here(s: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Observation]:
    """The store's copies of these records, each with all its parts, in one query a part."""
    query = select(Observation).where(Observation.id.in_(ids)).options(*OBSERVATION_LOAD_OPTIONS)
    return {o.id: o for o in s.scalars(query)}


def _import_observation(
    s: Session,
    record: dict[str, Any],
    raw: dict[str, Any],
    local: Observation | None,
    level_ids: dict[tuple[str, int, str], uuid.UUID],
    standard_ids: dict[tuple[str, int, str], uuid.UUID],
    result: ImportResult,
    arrival: Arrival,
) -> Written | None:
    """Merges the bundle's copy with the store's (observer/conflicts/rules.py), keeps the
    conflicts, and writes the merged record unless the store already holds it."""
    where = f"{arrival.source}: observation {record['id']}"
    signed_here = local is not None and (local.status == Status.SIGNED.value or local.signatures)
    if local is not None and _as_held(local, raw):  # e.g. a bundle imported twice
        result.count("observations", "unchanged")
        return None
    here = None if local is None else _state(local, arrival.source)
    merged = _merged(s, record, raw, here, local is None, where)
    result.count("observations", merged.outcome.value)
    if merged.conflicts:
        result.conflicts += len(merged.conflicts)
        record_conflicts(
            s,
            record["id"],
            merged.conflicts,
            here or record,
            record,
            source=arrival.source,
            source_by=arrival.exported_by,
            actor=arrival.actor,
        )
    if merged.record is None:
        return None
    write = RecordWriter(
        s, merged.record, *framework_lookups(s, merged.record, level_ids, standard_ids, where)
    )
    roles = [signature["role"] for signature in merged.record["signatures"]]
    if len(roles) != len(set(roles)):
        raise InvalidBundle(
            f"{where} is signed in this store, and the bundle's copy carries other signatures "
            "in the same roles; nothing was imported."
        )
    if local is not None and signed_here and record["signatures"]:
        check_signed_record_kept(local, record, where)
    held_as = record.get("held_as")
    if not merged.writes:
        if local is not None and signed_here and record["signatures"]:
            # An edited copy of a signed record is refused whatever its revision.
            check_same_content(s, local, record, where, write, arrival.source)
        if local is None or held_as is None or not _moves(local, held_as):
            return None
        # The same record, its people merged elsewhere: written again to name those kept.
    kept_hash = None
    kept_entries: frozenset[uuid.UUID] = frozenset()
    if local is not None:
        if signed_here:
            kept_hash = content_hash(observation_document(local))
        kept_entries = write.keep_sealed(local)
        if local in s:
            s.expunge(local)
        s.execute(delete(table_of(Observation)).where(table_of(Observation).c.id == record["id"]))
    if held_as is not None:
        write.hold(**held_as)
    write()
    return Written(merged.record, kept_hash, kept_entries)


def _moves(local: Observation, held_as: dict[str, Any]) -> bool:
    """Whether the copy names other people than the store's, for the same signed content."""
    references, owners = held_as["references"], held_as["owners"]
    here = (local.observed_person_id, local.observer_id, local.ids_at_signing or {})
    theirs = (
        references["observed_person_id"],
        references["observer_id"],
        references["ids_at_signing"],
    )
    return here != theirs or any(a.owner_id != owners.get(a.id, a.owner_id) for a in local.actions)


def _as_held(local: Observation, raw: dict[str, Any]) -> bool:
    """Whether the bundle's copy is, word for word, what the store holds."""
    document = observation_document(local)
    return all(raw.get(k) == v for k, v in document.items()) and set(raw) <= {
        *document,
        "based_on",
    }


def _state(local: Observation, source: str) -> dict[str, Any]:
    """The store's record in the shape the bundle reader gives, for the merge rules."""
    return BundleReader(source).observation(observation_document(local), "the store's copy")


def _merged(
    s: Session,
    record: dict[str, Any],
    raw: dict[str, Any],
    here: dict[str, Any] | None,
    absent: bool,
    where: str,
) -> Merged:
    base_document, unchanged_since_shared = base_of(s, record["id"], raw, record["based_on"])
    base: dict[str, Any] | None = None
    if unchanged_since_shared:
        base = record
    elif base_document is not None:
        try:
            base = BundleReader(where).observation(base_document, "its shared state")
        except InvalidBundle:  # a state kept by an earlier version, no longer readable
            base = None
    try:
        return merge_observation(
            base,
            here,
            record,
            now=utc_now(),
            deleted_here=absent and known(s, record["id"]),
        )
    except SignedContentDiffers:
        wrong = not_as_signed(record, bundle_content_hash(raw))
        if wrong is not None:
            raise InvalidBundle(
                f"{where}: {wrong}.content_hash does not match the record's content: the "
                "record was changed after it was signed; nothing was imported."
            ) from None
        if here is not None and record["revision"] > here["revision"]:
            raise InvalidBundle(
                f"{where} is signed in this store, and the bundle would change the "
                "content that was signed; nothing was imported."
            ) from None
        raise InvalidBundle(
            f"{where} is signed in this store, and the bundle's copy of it differs from what "
            "was signed; nothing was imported."
        ) from None
