"""Writing one checked observation into the store, keeping what a signed record holds."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from observer.errors import InvalidBundle
from observer.records.canonical import (
    OBSERVATION_LOAD_OPTIONS,
    content_hash,
    observation_document,
)
from observer.store.models import (
    Action,
    Addendum,
    Framework,
    Observation,
    Rating,
    Signature,
    action_standards,
    table_of,
)
from observer.store.wording import keep as keep_wording
from observer.store.wording import stored_columns as stored_wording
from observer.validation import shown


def columns(record: dict[str, Any], exclude: Iterable[str] = ()) -> dict[str, Any]:
    skip = set(exclude)
    return {k: v for k, v in record.items() if k not in skip}


def check_signed_record_kept(local: Observation, record: dict[str, Any], where: str) -> None:
    """Signatures and addenda are append-only: a copy that lacks some of them adds nothing
    and takes nothing away, but one that rewrites what one says is refused."""
    refusal = f"{where} is signed in this store, and the bundle would "
    for name, fields in KEPT_AS_SIGNED.items():
        incoming = {child["id"]: child for child in record[name]}
        for child in getattr(local, name):
            theirs = incoming.get(child.id)
            if theirs is None:
                continue
            if any(stored_value(getattr(child, f)) != stored_value(theirs[f]) for f in fields):
                raise InvalidBundle(refusal + f"rewrite some of its {name}; nothing was imported.")


# What a signature or an addendum says can never change once made; only new ones are added.
# (A signature's hash is compared with the content as written, which must be the kept one.)
KEPT_AS_SIGNED = {
    "signatures": ("role", "name", "image_png", "signed_at", "comment"),
    "addenda": ("text", "author_name", "image_png", "signed_at", "content_hash"),
}


def stored_value(value: Any) -> Any:
    """Values as the store compares them: times to the microsecond, in UTC."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def framework_lookups(
    s: Session,
    record: dict[str, Any],
    level_ids: dict[tuple[str, int, str], uuid.UUID],
    standard_ids: dict[tuple[str, int, str], uuid.UUID],
    where: str,
) -> tuple[
    uuid.UUID,
    Callable[[str | None, str], uuid.UUID | None],
    Callable[[str], uuid.UUID],
]:
    """The record's framework, and its rating levels and standards by code."""
    key, version = record["framework"]
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

    return framework_id, level, standard


class RecordWriter:
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
        self.references: dict[str, Any] = {}
        self.owners: dict[uuid.UUID, uuid.UUID | None] = {}

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
        if local.ids_at_signing:
            # A signed record whose people were merged here is written with the ids it was
            # signed with (its content); the store's references stay on the person kept.
            self.hold(
                {
                    "observed_person_id": local.observed_person_id,
                    "observer_id": local.observer_id,
                    "ids_at_signing": local.ids_at_signing,
                },
                {a.id: a.owner_id for a in local.actions},
            )
        return frozenset(self.sealed)

    def hold(self, references: dict[str, Any], owners: dict[uuid.UUID, uuid.UUID | None]) -> None:
        """The store's references of a record written as signed: the people it names now
        and the ids it was signed with (`ids_at_signing`); `owners` by action id."""
        self.references = references
        self.owners = owners

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
            "based_on",
            "held_as",
        )
        wording = self.wording if self.wording is not None else record["wording_at_signing"]
        stored, framework = stored_wording(wording, record.get("shown_at_signing"))
        if framework is not None:
            keep_wording(s, {stored["wording_digest"]: framework})
        s.execute(
            insert(table_of(Observation)).values(
                **{**columns(record, children), **self.references},
                **stored,
                framework_id=self.framework_id,
                overall_level_id=level(record["overall_level"], "overall_level"),
            )
        )
        observation_id = record["id"]
        rows: dict[Any, list[dict[str, Any]]] = {
            table_of(Rating): [
                {
                    **columns(rating, ("standard", "level")),
                    "observation_id": observation_id,
                    "standard_id": standard(rating["standard"]),
                    "level_id": level(rating["level"], "rating"),
                }
                for rating in record["ratings"]
            ],
            table_of(Action): [
                {
                    **columns(action, ("standards",)),
                    "owner_id": self.owners.get(action["id"], action["owner_id"]),
                    "observation_id": observation_id,
                }
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


def check_same_content(
    s: Session,
    local: Observation,
    record: dict[str, Any],
    where: str,
    merged_writer: RecordWriter,
    source: str,
) -> None:
    """A copy of a signed record at this store's revision or an earlier one changes nothing,
    but it must be the record that was signed: written in a savepoint and hashed as any
    written record is, then rolled back."""
    kept = content_hash(observation_document(local))
    write = RecordWriter(
        s, record, merged_writer.framework_id, merged_writer.level, merged_writer.standard
    )
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
                stored_value(getattr(mine, f)) != stored_value(child[f]) for f in names
            ):
                raise InvalidBundle(
                    f"{where} is signed in this store, and the bundle's copy rewrites some of "
                    f"its {name}; nothing was imported."
                )
    savepoint = s.begin_nested()
    try:
        if local in s:
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
