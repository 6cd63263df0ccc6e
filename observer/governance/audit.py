"""The audit trail: who did what to which record, and when, as an append-only hash chain.

Every event has a sequence number and a SHA-256 over its own fields and the hash of the
event before it; the setting "audit.head" remembers the last event. An event altered,
taken out of the middle or cut from the end then no longer fits, and `verify_chain` says
so in plain sentences. The format is in docs/audit-trail.md. Migration 0004, which chained
the events of older stores, keeps a frozen copy of `event_hash`; a test holds the two equal.

`detail` is for short facts about an event (a result, a time, a count), never narrative or
the names of children and families. Actors are staff, and are named.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from observer.changes import Topic
from observer.errors import StoreUnavailable
from observer.governance.audit_hash import event_hash
from observer.governance.signed_records import CurrentHashes, check_signed_records
from observer.store.db import Database
from observer.store.models import Action, AuditEvent, Setting, utc_now
from observer.store.tracking import CHANGED_TOPIC

HEAD_SETTING = "audit.head"
# The head is a row of the settings table, but moving it changes the trail, not a setting.
CHANGES_THE_TRAIL = {CHANGED_TOPIC: Topic.AUDIT}
EDIT = "edit"
FAILED_UNLOCK = "failed_unlock"
# Autosave writes every second or so while someone types; the trail records that they
# edited, once per stretch of ten minutes, not every keystroke.
EDIT_COALESCING = timedelta(minutes=10)
STREAM_BATCH = 2000
MOST_PROBLEMS_LISTED = 100

ACTION_WORDS = {
    "create": "Created",
    EDIT: "Edited",
    "delete": "Deleted",
    "ready": "Marked ready for sign-off",
    "return_to_draft": "Returned to draft",
    "sign:observer": "Signed as observer",
    "sign:practitioner": "Signed as practitioner",
    "sign:manager": "Countersigned as manager",
    "addendum": "Added an addendum",
    "import_signature": "Imported a signature",
    "import_addendum": "Imported an addendum",
    "kept_signature": "Kept a signature made before schema 0008",
    "kept_addendum": "Kept an addendum made before schema 0008",
    "import": "Imported a bundle",
    "merge_conflicts": "Merged a copy from elsewhere, with conflicts to settle",
    "resolve_conflict": "Settled a conflict",
    "conflict_settled_elsewhere": "Closed a conflict settled on another laptop",
    "verify": "Checked a summary PDF",
    "trust_certificate": "Trusted a signing certificate",
    "complete_action": "Marked an action done",
    "reopen_action": "Reopened an action",
    "import_plan": "Imported improvement plan",
    "retention_policy": "Changed the retention policy",
    "retention": "Removed records under the retention policy",
    "idle_lock": "Changed when the app locks itself",
    "asye_requirement": "Changed the direct observations an ASYE year needs",
    "observation_interval": "Changed how often each worker is to be observed",
    "restore": "Restored a backup",
    "restore_declared": "Told the team server this laptop was restored from a backup",
    "profile_correct": "Corrected the details of this laptop's user",
    "profile_person": "Changed who uses this laptop",
    "merge_people": "Merged a duplicate person into another",
    "passphrase_change": "Changed the passphrase",
    "encrypt": "Encrypted the store",
    "upgrade": "Upgraded the store",
    "moderation_sample": "Drew a moderation sample",
    "moderation_resample": "Drew a moderation sample again, replacing the one kept",
    "moderate": "Moderated an observation",
    "moderation_raised": "Raised a moderation with the observer",
    "import_moderation_sample": "Imported a moderation sample",
    "import_moderation": "Imported a moderation",
    "import_moderation_raised": "Imported a note raising a moderation with the observer",
    "import_commentary": "Imported the Board report's commentary",
    FAILED_UNLOCK: "Wrong passphrase given",
    "failed unlock": "Wrong passphrase given",
}


def describe_action(action: str, record_type: str) -> str:
    """What an event's action code means, in words."""
    if record_type == "history" and action in ("export", "verify"):
        return "Exported a history PDF" if action == "export" else "Checked a history PDF"
    if action == "export":
        return "Exported a bundle" if record_type == "bundle" else "Exported a summary PDF"
    words = ACTION_WORDS.get(action)
    if words is not None:
        return words
    return action.replace(":", " as ").replace("_", " ").capitalize()


# Writing


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    record_type: str,
    record_id: uuid.UUID | None,
    content_hash: str = "",
    detail: str = "",
) -> AuditEvent:
    """Appends an event to the chain in the caller's transaction, and moves the head on."""
    (event,) = record_events(
        session,
        actor=actor,
        events=[EventFields(action, record_type, record_id, content_hash, detail)],
    )
    return event


@dataclass(frozen=True)
class EventFields:
    """What one event says, for `record_events`."""

    action: str
    record_type: str
    record_id: uuid.UUID | None
    content_hash: str = ""
    detail: str = ""


def record_events(
    session: Session, *, actor: str, events: Sequence[EventFields]
) -> list[AuditEvent]:
    """Appends events to the chain in order, in the caller's transaction, claiming and moving
    the head once (sample data writes thousands of sign-offs at a time)."""
    session.flush()
    now = utc_now()
    # Claiming the head row first makes a second writer wait here rather than fork the chain.
    claimed = session.execute(
        update(Setting)
        .where(Setting.key == HEAD_SETTING)
        .values(updated_at=now)
        .execution_options(synchronize_session=False, **CHANGES_THE_TRAIL)
    )
    head = session.scalar(select(Setting.value).where(Setting.key == HEAD_SETTING))
    sequence = session.scalar(select(func.max(AuditEvent.sequence))) or 0
    previous = _head_hash(head)
    written = []
    for fields in events:
        sequence += 1
        event = AuditEvent(
            id=uuid.uuid4(),
            occurred_at=now,
            actor=actor,
            action=fields.action,
            record_type=fields.record_type,
            record_id=fields.record_id,
            content_hash=fields.content_hash,
            sequence=sequence,
            detail=fields.detail,
            previous_hash=previous,
        )
        event.event_hash = previous = _hash_of(event)
        written.append(event)
    if not written:
        return written
    session.add_all(written)
    value = {"sequence": sequence, "hash": previous}
    if getattr(claimed, "rowcount", 0):
        session.execute(
            update(Setting)
            .where(Setting.key == HEAD_SETTING)
            .values(value=value, updated_at=now)
            .execution_options(synchronize_session=False, **CHANGES_THE_TRAIL)
        )
    else:
        session.execute(
            insert(Setting)
            .values(key=HEAD_SETTING, value=value, updated_at=now)
            .execution_options(**CHANGES_THE_TRAIL)
        )
    return written


def record_edit(
    session: Session, *, actor: str, record_type: str, record_id: uuid.UUID
) -> AuditEvent | None:
    """An "edit" event, unless the record's latest event is an edit by the same person
    within EDIT_COALESCING; returns the event written, if one was."""
    latest = session.execute(
        select(AuditEvent.action, AuditEvent.actor, AuditEvent.occurred_at)
        .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
        .order_by(AuditEvent.sequence.desc())
        .limit(1)
    ).first()
    if (
        latest is not None
        and latest.action == EDIT
        and latest.actor == actor
        and utc_now() - latest.occurred_at < EDIT_COALESCING
    ):
        return None
    return record_event(
        session, actor=actor, action=EDIT, record_type=record_type, record_id=record_id
    )


def record_failed_unlocks(db: Database, actor: str, attempts: Iterable[datetime]) -> int:
    """One "failed unlock" event per wrong passphrase, written once the store is open
    (a wrong passphrase cannot write to an encrypted store); returns how many."""
    times = sorted(attempts)
    if not times:
        return 0
    with db.session() as s, s.begin():
        for when in times:
            record_event(
                s,
                actor=actor,
                action=FAILED_UNLOCK,
                record_type="store",
                record_id=None,
                detail=f"attempted at {_utc(when).isoformat(timespec='seconds')}",
            )
    return len(times)


def record_failed_unlocks_before(
    db: Database, actor: str, count: int, first_at: datetime, last_at: datetime
) -> None:
    """One "failed unlock" event for the `count` wrong passphrases given while the store was
    closed (none of them could write to it), the first at `first_at`, the last at `last_at`."""
    first = _utc(first_at).isoformat(timespec="seconds")
    last = _utc(last_at).isoformat(timespec="seconds")
    detail = (
        f"1 wrong passphrase before this unlock, at {first}"
        if count == 1
        else f"{count} wrong passphrases before this unlock, "
        f"the first at {first}, the last at {last}"
    )
    with db.session() as s, s.begin():
        record_event(
            s,
            actor=actor,
            action=FAILED_UNLOCK,
            record_type="store",
            record_id=None,
            detail=detail,
        )


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _head_hash(head: Any) -> str:
    if isinstance(head, dict) and isinstance(head.get("hash"), str):
        return str(head["hash"])
    return ""


def _hash_of(event: Any) -> str:
    return event_hash(
        sequence=event.sequence,
        event_id=event.id,
        occurred_at=event.occurred_at,
        actor=event.actor,
        action=event.action,
        record_type=event.record_type,
        record_id=event.record_id,
        content_hash=event.content_hash,
        detail=event.detail,
        previous_hash=event.previous_hash,
    )


# Checking


@dataclass(frozen=True)
class ChainReport:
    """What checking the trail found: each problem is one plain sentence."""

    checked: int
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def sentence(self) -> str:
        """The verdict in one sentence."""
        if self.ok:
            if self.checked == 0:
                return "The audit trail is intact; nothing has been recorded in it yet."
            events = "its one event" if self.checked == 1 else f"all {self.checked:,} events"
            return f"The audit trail is intact: {events} checked, none altered or removed."
        first = self.problems[0]
        first = first[:1].lower() + first[1:]
        more = len(self.problems) - 1
        if more == 0:
            return f"The audit trail is not intact: {first}"
        others = "problem" if more == 1 else "problems"
        return f"The audit trail is not intact: {first.rstrip('.')}, and {more} more {others}."

    def as_dict(self) -> dict[str, Any]:
        return {"intact": self.ok, "events_checked": self.checked, "problems": list(self.problems)}


@dataclass
class _Findings:
    listed: list[str] = field(default_factory=list)
    unlisted: int = 0

    def add(self, problem: str) -> None:
        if len(self.listed) < MOST_PROBLEMS_LISTED:
            self.listed.append(problem)
        else:
            self.unlisted += 1

    def problems(self) -> tuple[str, ...]:
        if not self.unlisted:
            return tuple(self.listed)
        return (*self.listed, f"…and {self.unlisted:,} more problems.")


_CHAINED = (
    AuditEvent.sequence,
    AuditEvent.id,
    AuditEvent.occurred_at,
    AuditEvent.actor,
    AuditEvent.action,
    AuditEvent.record_type,
    AuditEvent.record_id,
    AuditEvent.content_hash,
    AuditEvent.detail,
    AuditEvent.previous_hash,
    AuditEvent.event_hash,
)


def verify_chain(db: Database, attempts: int = 3) -> ChainReport:
    """Walks the whole trail in sequence order, a batch at a time, and checks every link.

    Finds altered events, events missing from the middle or cut from the end, a broken
    or replaced head, and events outside the chain. Events written while the check runs
    would look like a moved head, so it then checks again."""
    attempt = 1
    while True:
        with db.session() as s:
            before = _head(s)
            findings, checked, last = _walk(s)
            after = _head(s)
        if before == after or attempt >= attempts:
            _check_head(after, last, findings)
            return ChainReport(checked, findings.problems())
        attempt += 1


def _head(s: Session) -> Any:
    return s.scalar(select(Setting.value).where(Setting.key == HEAD_SETTING))


@dataclass(frozen=True)
class _Last:
    sequence: int
    hash: str


def _walk(s: Session) -> tuple[_Findings, int, _Last | None]:
    findings = _Findings()
    checked = 0
    for when, action in s.execute(
        select(AuditEvent.occurred_at, AuditEvent.action)
        .where(AuditEvent.sequence.is_(None))
        .order_by(AuditEvent.occurred_at)
        .execution_options(yield_per=STREAM_BATCH)
    ):
        checked += 1
        findings.add(
            f"An event of {when:%Y-%m-%d %H:%M:%S} UTC ({describe_action(action, '').lower()}) "
            "has no sequence number, so it is outside the chain."
        )
    last: _Last | None = None
    rows = s.execute(
        select(*_CHAINED)
        .where(AuditEvent.sequence.is_not(None))
        .order_by(AuditEvent.sequence)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for row in rows:
        checked += 1
        sequence = row.sequence
        previous = last.sequence if last else 0
        if sequence > previous + 1:
            findings.add(_gap(previous, sequence))
        elif last is None and row.previous_hash:
            findings.add(f"Event {sequence} points back to an event that is not in the trail.")
        elif last is not None and row.previous_hash != last.hash:
            findings.add(
                f"Event {sequence} does not follow on from event {previous}: "
                "the link between them was broken."
            )
        if _hash_of(row) != row.event_hash:
            findings.add(f"Event {sequence} was altered.")
        last = _Last(sequence, row.event_hash)
    return findings, checked, last


def _gap(previous: int, following: int) -> str:
    first, final = previous + 1, following - 1
    where = (
        f"the chain starts at {following}"
        if previous == 0
        else f"the chain jumps from {previous} to {following}"
    )
    if first == final:
        return f"Event {first} is missing ({where})."
    return f"Events {first} to {final} are missing ({where})."


def _check_head(head: Any, last: _Last | None, findings: _Findings) -> None:
    if head is None:
        if last is not None:
            findings.add(
                "The record of the trail's last event is missing, so events removed from "
                "the end would go unnoticed."
            )
        return
    sequence = head.get("sequence") if isinstance(head, dict) else None
    digest = head.get("hash") if isinstance(head, dict) else None
    if not isinstance(sequence, int) or not isinstance(digest, str):
        findings.add("The record of the trail's last event is unreadable.")
        return
    ends = last.sequence if last else 0
    removed = sequence - ends
    if removed > 0:
        if ends == 0:
            what = "The only event was" if sequence == 1 else f"All {sequence} events were"
            findings.add(f"{what} removed (the trail is empty; it had {sequence}).")
        elif removed == 1:
            findings.add(
                f"The last event was removed (the trail ends at {ends}; it had {sequence})."
            )
        else:
            findings.add(
                f"The last {removed} events were removed "
                f"(the trail ends at {ends}; it had {sequence})."
            )
    elif removed < 0:
        findings.add(
            f"The record of the trail's last event was altered "
            f"(it says {sequence}; the trail ends at {ends})."
        )
    elif last is not None and digest != last.hash:
        findings.add(
            f"Event {ends} is not the event the trail recorded as its last: it was replaced, "
            "or that record was altered."
        )


# Reading


@dataclass(frozen=True)
class AuditEntry:
    """One event as people read it."""

    sequence: int | None
    when: datetime
    actor: str
    action: str  # in words, e.g. "Signed as observer"
    action_code: str  # as stored, e.g. "sign:observer"
    record_type: str
    record_id: uuid.UUID | None
    content_hash: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "occurred_at": self.when.isoformat(),
            "actor": self.actor,
            "action": self.action_code,
            "what": self.action,
            "record_type": self.record_type,
            "record_id": None if self.record_id is None else str(self.record_id),
            "content_hash": self.content_hash,
            "detail": self.detail,
        }


def events(
    db: Database, record_id: uuid.UUID | None = None, limit: int | None = None
) -> list[AuditEntry]:
    """Events, newest first; with `record_id`, those about that record and its actions."""
    statement = select(
        AuditEvent.sequence,
        AuditEvent.occurred_at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.record_type,
        AuditEvent.record_id,
        AuditEvent.content_hash,
        AuditEvent.detail,
    ).order_by(AuditEvent.sequence.desc())
    with db.session() as s:
        if record_id is not None:
            about = [
                record_id,
                *s.scalars(select(Action.id).where(Action.observation_id == record_id)),
            ]
            # Naming the record types lets the store use ix_audit_events_record.
            kinds = select(AuditEvent.record_type).distinct().scalar_subquery()
            statement = statement.where(
                AuditEvent.record_type.in_(kinds), AuditEvent.record_id.in_(about)
            )
        return [
            AuditEntry(
                sequence=row.sequence,
                when=row.occurred_at,
                actor=row.actor,
                action=describe_action(row.action, row.record_type),
                action_code=row.action,
                record_type=row.record_type,
                record_id=row.record_id,
                content_hash=row.content_hash,
                detail=row.detail,
            )
            for row in s.execute(statement.limit(limit))
        ]


class AuditTrail:
    """The audit trail as the GUI and the command line reach it. With `signed_records` (the
    current hashes of signed records, observer.governance.signed_records), a check also
    compares each signed record with the hashes its sign-off events recorded."""

    def __init__(self, db: Database, signed_records: CurrentHashes | None = None) -> None:
        self._db = db
        self._signed_records = signed_records

    def events(
        self, record_id: uuid.UUID | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        return events(self._db, record_id, limit)

    def verify(self) -> ChainReport:
        report = verify_chain(self._db)
        if self._signed_records is None:
            return report
        found = _Findings(list(report.problems))
        for problem in check_signed_records(self._db, self._signed_records):
            found.add(problem)
        return ChainReport(report.checked, found.problems())

    def record_failed_unlocks(self, actor: str, attempts: Iterable[datetime]) -> int:
        """As `record_failed_unlocks`; StoreUnavailable when the store cannot be written
        now (the attempts stay on file for the next unlock)."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return record_failed_unlocks(self._db, actor, attempts)
        except SQLAlchemyError as error:
            raise StoreUnavailable("The audit trail cannot be written just now.") from error
