"""A push's body read and checked whole before anything is written (docs/sync-protocol.md):
`{"audit": [...], "changes": [...]}`, every change with exactly its six fields, every
record field by field with the bundle's own reader (observer.bundle.reader), and no field
the protocol does not name. Anything wrong is one sentence naming where."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from observer.bundle.reader import BundleReader
from observer.errors import InvalidBundle, ObserverError
from observer.records.fields import TEXT_FIELDS
from observer.server.audit_chain import Event, read_events

MAX_BODY = 8 * 1024 * 1024
MAX_CHANGES = 100
MAX_OPERATIONS = 100
# Issue 17's records come last (observer/server/push_quality.py).
QUALITY_TYPES = ("improvement_plan", "moderation_sample", "moderation", "board_commentary")
RECORD_TYPES = ("observation", "person", "team", "framework", *QUALITY_TYPES)
OPERATIONS = frozenset(
    {
        "create",
        "edit",
        "ready",
        "back_to_draft",
        "sign",
        "addendum",
        "complete_action",
        "reopen_action",
        "delete",
    }
)
# Protocol v2 adds settling a conflict: `record_type` "conflict", operations ["settle"],
# no base, and a record of exactly its id and how the laptop's user settled it.
SETTLED = "conflict"
RESOLUTIONS = ("this", "other", "both", "addendum", "signed_only")
CHANGE_FIELDS = ("change_id", "record_type", "operations", "base_revision", "base", "record")
_MAX_REVISION = 2**63 - 1

# A person's and a team's own columns, which a push writes (observer/server/push_reference.py).
PERSON_COLUMNS = (
    "name",
    "role",
    "team_id",
    "staff_reference",
    "active",
    "left_on",
    "asye_started_on",
    "merged_into_id",
)
TEAM_COLUMNS = ("name", "manager_id")
_BOOKKEEPING = {"id", "created_at", "updated_at", "revision", "server_revision"}
_SEALED = {"image_png", "signed_at", "content_hash", "own_hash", "certificate", "digital_signature"}
# What each record may carry: its bundle shape, and what the pull feed adds to it.
KNOWN_FIELDS: dict[str, set[str]] = {
    "observation": _BOOKKEEPING
    | set(TEXT_FIELDS)
    | {
        "framework",
        "observed_person_id",
        "observer_id",
        "kind",
        "observed_at",
        "duration_minutes",
        "family_present",
        "status",
        "overall_level",
        "based_on",
        "shown_at_signing",
        "wording_at_signing",
        "ids_at_signing",
        "ratings",
        "actions",
        "signatures",
        "addenda",
    },
    "framework_ref": {"key", "version"},
    "ratings": _BOOKKEEPING | {"standard", "level", "evidence"},
    "actions": _BOOKKEEPING
    | {
        "description",
        "owner_id",
        "due_date",
        "status",
        "done_at",
        "done_by",
        "position",
        "standards",
    },
    "signatures": _BOOKKEEPING | _SEALED | {"role", "name", "comment"},
    "addenda": _BOOKKEEPING | _SEALED | {"text", "author_name"},
    "team": _BOOKKEEPING | set(TEAM_COLUMNS),
    "person": _BOOKKEEPING | set(PERSON_COLUMNS),
    "framework": _BOOKKEEPING
    | {
        "key",
        "version",
        "name",
        "short_name",
        "description",
        "source",
        "in_force_from",
        "in_force_until",
        "default_kinds",
        "default_roles",
        "definition",
        "content_hash",
        "standards",
        "rating_levels",
    },
    "improvement_plan": _BOOKKEEPING | {"version", "content_hash", "definition"},
    "moderation_sample": _BOOKKEEPING
    | {
        "period_from",
        "period_to",
        "percent",
        "seed",
        "drawn_by",
        "drawn_at",
        "supersedes_id",
        "reason",
        "content_hash",
        "observations",
    },
    "moderation": _BOOKKEEPING
    | {
        "observation_id",
        "sample_id",
        "observation_hash",
        "framework",
        "moderator_id",
        "moderator_name",
        "ratings",
        "overall_level",
        "comment",
        "signed_at",
        "content_hash",
        "certificate",
        "digital_signature",
        "notes",
    },
    "board_commentary": _BOOKKEEPING
    | {"period_first", "period_last", "scope", "text", "written_by"},
}


class BadPush(ObserverError):
    """A push the service will not read (a 400): one sentence naming the field."""


@dataclass(frozen=True)
class Change:
    change_id: uuid.UUID
    record_type: str
    operations: tuple[str, ...]
    base_revision: int | None
    base: dict[str, Any] | None  # checked as the bundle reader checks a record
    record: dict[str, Any] | None  # checked likewise
    raw: dict[str, Any] | None  # the record as sent (its signatures hash this)
    record_id: uuid.UUID | None

    @property
    def deletes(self) -> bool:
        return "delete" in self.operations and self.record is None


def read_push(body: Any, *, settlements: bool = True) -> tuple[list[Event], list[Change]]:
    """`settlements`: whether the protocol takes settled conflicts (v2 and later)."""
    if not isinstance(body, dict):
        raise BadPush("The request must be a JSON object.")
    if set(body) != {"audit", "changes"}:
        raise BadPush("A push must have exactly these fields: audit, changes.")
    events = read_events(body["audit"])
    if not isinstance(body["changes"], list) or len(body["changes"]) > MAX_CHANGES:
        raise BadPush(f"changes must be a list of at most {MAX_CHANGES} changes.")
    changes = [
        _change(item, f"changes[{i}]", settlements) for i, item in enumerate(body["changes"])
    ]
    if len({c.change_id for c in changes}) != len(changes):
        raise BadPush("A push names each change id once.")
    records = [c.record_id for c in changes if c.record_id is not None]
    if len(set(records)) != len(records):
        raise BadPush("A push carries at most one change for each record.")
    return events, changes


def _change(item: Any, where: str, settlements: bool = True) -> Change:
    if not isinstance(item, dict):
        raise BadPush(f"{where} must be an object.")
    if set(item) != set(CHANGE_FIELDS):
        raise BadPush(f"{where} must have exactly these fields: {', '.join(CHANGE_FIELDS)}.")
    change_id = _uuid(item["change_id"], f"{where}.change_id")
    record_type = item["record_type"]
    if record_type == SETTLED and settlements:
        return _settlement(item, where, change_id)
    if record_type not in RECORD_TYPES:
        named = (*RECORD_TYPES, SETTLED) if settlements else RECORD_TYPES
        raise BadPush(f"{where}.record_type must be one of {', '.join(named)}.")
    operations = item["operations"]
    if (
        not isinstance(operations, list)
        or not 1 <= len(operations) <= MAX_OPERATIONS
        or not all(isinstance(op, str) and op in OPERATIONS for op in operations)
    ):
        raise BadPush(
            f"{where}.operations must be a list of 1 to {MAX_OPERATIONS} of: "
            f"{', '.join(sorted(OPERATIONS))}."
        )
    revision = item["base_revision"]
    if revision is not None and (
        isinstance(revision, bool)
        or not isinstance(revision, int)
        or not 1 <= revision <= _MAX_REVISION
    ):
        raise BadPush(f"{where}.base_revision must be a server revision (a whole number) or null.")
    raw, base_raw = item["record"], item["base"]
    for name, value in (("record", raw), ("base", base_raw)):
        if value is not None and not isinstance(value, dict):
            raise BadPush(f"{where}.{name} must be an object or null.")
    if raw is None and "delete" not in operations:
        raise BadPush(f"{where}.record may be null only for a delete.")
    if raw is not None and "delete" in operations:
        raise BadPush(f"{where} deletes its record, so its record must be null.")
    record = None if raw is None else _record(record_type, raw, f"{where}.record")
    base = None if base_raw is None else _record(record_type, base_raw, f"{where}.base")
    record_id = None
    if record is not None and "id" in record:
        record_id = record["id"]
    elif base is not None and "id" in base:
        record_id = base["id"]
    if record is not None and base is not None and base.get("id", record_id) != record_id:
        raise BadPush(f"{where}.base is of another record than {where}.record.")
    return Change(change_id, record_type, tuple(operations), revision, base, record, raw, record_id)


def _settlement(item: dict[str, Any], where: str, change_id: uuid.UUID) -> Change:
    if item["operations"] != ["settle"]:
        raise BadPush(f'{where}.operations must be ["settle"] for a conflict.')
    if item["base_revision"] is not None or item["base"] is not None:
        raise BadPush(f"{where}: a conflict settled has no base_revision and no base.")
    record = item["record"]
    if not isinstance(record, dict) or set(record) != {"id", "resolution"}:
        raise BadPush(f"{where}.record must have exactly these fields: id, resolution.")
    if record["resolution"] not in RESOLUTIONS:
        raise BadPush(f"{where}.record.resolution must be one of {', '.join(RESOLUTIONS)}.")
    conflict_id = _uuid(record["id"], f"{where}.record.id")
    checked = {"id": conflict_id, "resolution": record["resolution"]}
    return Change(change_id, SETTLED, ("settle",), None, None, checked, record, conflict_id)


def _record(record_type: str, raw: dict[str, Any], where: str) -> dict[str, Any]:
    _known(raw, KNOWN_FIELDS[record_type], where)
    reader = BundleReader("The push")
    try:
        if record_type in QUALITY_TYPES:
            return _quality_record(reader, record_type, raw, where)
        if record_type == "observation":
            if isinstance(raw.get("framework"), dict):
                _known(raw["framework"], KNOWN_FIELDS["framework_ref"], f"{where}.framework")
            for part in ("ratings", "actions", "signatures", "addenda"):
                for index, entry in enumerate(raw.get(part) or []):
                    if isinstance(entry, dict):
                        _known(entry, KNOWN_FIELDS[part], f"{where}.{part}[{index}]")
            checked = reader.observation(raw, where)
            ids = raw.get("ids_at_signing")
            if ids is not None and not isinstance(ids, dict):
                raise BadPush(f"{where}.ids_at_signing must be an object or null.")
            checked["ids_at_signing"] = ids
            return checked
        if record_type == "person":
            checked = reader.person(raw, where)
            checked["merged_into_id"] = reader.f.identifier(
                raw, "merged_into_id", where, required=False
            )
            return checked
        if record_type == "team":
            return reader.team(raw, where)
        checked = reader.framework(raw, where)
        definition = checked["definition"]
        for name in ("key", "version"):
            if name in raw and raw[name] != getattr(definition, name):
                raise BadPush(f"{where}.{name} is not its definition's {name}.")
        return checked
    except InvalidBundle as exc:
        raise BadPush(str(exc)) from None


def _quality_record(
    reader: BundleReader, record_type: str, raw: dict[str, Any], where: str
) -> dict[str, Any]:
    from observer.bundle.quality import QualityReader

    quality = QualityReader(reader)
    if record_type == "improvement_plan":
        if not isinstance(raw.get("definition"), dict):
            raise BadPush(f"{where}.definition must be an object.")
        return {**reader.record(raw, where), "definition": raw["definition"]}
    if record_type == "moderation_sample":
        return quality.sample(raw, where)
    if record_type == "board_commentary":
        return quality.commentary(raw, where)
    return quality.moderation(raw, where)


def _known(given: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        shown = "".join(ch for ch in unknown[0][:40] if ch.isprintable())
        raise BadPush(f"{where} has a field the protocol does not name: {shown!r}.")


def _uuid(value: Any, where: str) -> uuid.UUID:
    try:
        if isinstance(value, str) and len(value) == 36:
            return uuid.UUID(value)
    except ValueError:
        pass
    raise BadPush(f"{where} must be an id written as a hyphenated UUID.")
