"""A laptop's audit chain as it arrives with a push, checked before anything is written,
and the server's receipt of it (docs/sync-protocol.md, Push, step 1).

Each event's hash must recompute with the laptop's own function
(observer.governance.audit_hash.event_hash), and the events must follow on from the last
one the server holds of this laptop's chain: sequence one more, `previous_hash` equal to
its hash (a laptop's first push starts at sequence 1, after the empty hash). Events the
server already holds (same sequence and hash) are skipped, so a retried push is harmless;
one held with another hash means the laptop's chain was rewritten since it was sent.

New events are then appended as the caller's (row-level security lets a laptop add only
to its own chain), and a receipt goes on the server's own chain
(`observer_append_receipt`, migration 0005): a later rewrite on the laptop no longer
matches a receipt.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from observer.errors import ObserverError
from observer.governance.audit_fork import DECLARED, RESTORED, declaration_detail
from observer.governance.audit_hash import event_hash
from observer.server import schema

EVENT_FIELDS = frozenset(
    {
        "id",
        "sequence",
        "occurred_at",
        "actor",
        "action",
        "record_type",
        "record_id",
        "content_hash",
        "detail",
        "previous_hash",
        "event_hash",
    }
)
# Column lengths of audit_events; detail is text, kept to short facts by the laptop.
_LONGEST = {
    "actor": 200,
    "action": 40,
    "record_type": 40,
    "content_hash": 64,
    "detail": 20_000,
    "previous_hash": 64,
}
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_SEQUENCE = 2**63 - 1


class BadAuditEvent(ObserverError):
    """An audit event that is not shaped as the protocol says (a 400)."""


class ChainBroken(ObserverError):
    """The laptop's chain does not recompute or does not follow on (a 409)."""


@dataclass(frozen=True)
class Event:
    id: uuid.UUID
    sequence: int
    occurred_at: datetime
    actor: str
    action: str
    record_type: str
    record_id: uuid.UUID | None
    content_hash: str
    detail: str
    previous_hash: str
    event_hash: str

    def recomputes(self) -> bool:
        return self.event_hash == event_hash(
            sequence=self.sequence,
            event_id=self.id,
            occurred_at=self.occurred_at,
            actor=self.actor,
            action=self.action,
            record_type=self.record_type,
            record_id=self.record_id,
            content_hash=self.content_hash,
            detail=self.detail,
            previous_hash=self.previous_hash,
        )


@dataclass(frozen=True)
class Head:
    """The last event of a chain the server holds: (0, "") when it holds none."""

    sequence: int
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {"sequence": self.sequence, "hash": self.hash}


def read_events(given: Any) -> list[Event]:
    """The `audit` list of a push, each event checked field by field."""
    if not isinstance(given, list):
        raise BadAuditEvent("audit must be a list of audit events.")
    return [_event(item, f"audit[{index}]") for index, item in enumerate(given)]


def _event(item: Any, where: str) -> Event:
    if not isinstance(item, dict):
        raise BadAuditEvent(f"{where} must be an object.")
    if set(item) != EVENT_FIELDS:
        raise BadAuditEvent(
            f"{where} must have exactly these fields: {', '.join(sorted(EVENT_FIELDS))}."
        )
    for name, longest in _LONGEST.items():
        value = item[name]
        if not isinstance(value, str) or len(value) > longest:
            raise BadAuditEvent(f"{where}.{name} must be text of at most {longest} characters.")
    sequence = item["sequence"]
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise BadAuditEvent(f"{where}.sequence must be a whole number.")
    if not 1 <= sequence <= _MAX_SEQUENCE:
        raise BadAuditEvent(f"{where}.sequence must be 1 or more.")
    if not isinstance(item["event_hash"], str) or not _SHA256.fullmatch(item["event_hash"]):
        raise BadAuditEvent(f"{where}.event_hash must be a SHA-256 in hexadecimal.")
    return Event(
        id=_uuid(item["id"], f"{where}.id"),
        sequence=sequence,
        occurred_at=_moment(item["occurred_at"], f"{where}.occurred_at"),
        actor=item["actor"],
        action=item["action"],
        record_type=item["record_type"],
        record_id=None if item["record_id"] is None else _uuid(item["record_id"], where),
        content_hash=item["content_hash"],
        detail=item["detail"],
        previous_hash=item["previous_hash"],
        event_hash=item["event_hash"],
    )


def _uuid(value: Any, where: str) -> uuid.UUID:
    try:
        if isinstance(value, str) and len(value) == 36:
            return uuid.UUID(value)
    except ValueError:
        pass
    raise BadAuditEvent(f"{where} must be an id written as a hyphenated UUID.")


def _moment(value: Any, where: str) -> datetime:
    try:
        if isinstance(value, str) and len(value) <= 40:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise BadAuditEvent(f"{where} must be an ISO 8601 date and time with its offset.")


def head_of(conn: Connection, laptop: uuid.UUID, start: Head | None = None) -> Head:
    """The last event the server holds of this laptop's chain, on its current line; with
    none, where its chain begins (`start`, if the caller has read it)."""
    a = schema.audit_events
    found = conn.execute(
        select(a.c.sequence, a.c.event_hash)
        .where(a.c.laptop_id == laptop)
        .order_by(a.c.line.desc(), a.c.sequence.desc())
        .limit(1)
    ).one_or_none()
    if found is not None:
        return Head(found.sequence, found.event_hash)
    return start_of(conn, laptop) if start is None else start


def start_of(conn: Connection, laptop: uuid.UUID) -> Head:
    """Where this laptop's chain begins: (0, "") for a laptop that joined once; for one that
    joined again in place of another, the last event the server held of that one's chain
    (server migration 0014), which its first event follows on from."""
    lt = schema.laptops
    found = conn.execute(
        select(lt.c.continues_from, lt.c.continues_hash).where(lt.c.id == laptop)
    ).one_or_none()
    return Head(0, "") if found is None else Head(found.continues_from, found.continues_hash)


@dataclass(frozen=True)
class Fork:
    """Where a pushed chain leaves the one held: it continues from `continues_from`, and
    the server holds later events up to `held`."""

    continues_from: Head
    held: Head

    @property
    def later_events(self) -> int:
        return self.held.sequence - self.continues_from.sequence

    def as_json(self) -> dict[str, Any]:
        return {"continues_from": self.continues_from.as_json(), "held": self.held.as_json()}


class ChainForked(ChainBroken):
    """The chain continues from an event the server holds of this laptop, not from its
    last one, and says nothing of a restore: refused, with where, so that a laptop that
    was restored from a backup can declare it (docs/sync-protocol.md)."""

    def __init__(self, laptop: uuid.UUID, fork: Fork) -> None:
        later = fork.later_events
        super().__init__(
            f"The audit trail of laptop {laptop} does not follow on from what the team "
            f"server holds (event {fork.continues_from.sequence + 1} differs from the one it "
            f"sent before, and the server holds {later} later event{'' if later == 1 else 's'}"
            f" up to event {fork.held.sequence}): it was changed after it was sent, or the "
            "laptop was restored from a backup and has not said so; nothing was written."
        )
        self.fork = fork


def take(conn: Connection, laptop: uuid.UUID, events: list[Event]) -> Head:
    """Checks the events against the chain held, appends the new ones and a receipt, and
    returns the chain's head; ChainBroken (nothing written) when they do not follow on.
    A run that continues from an older event of the chain and declares the laptop's
    restore (observer.governance.audit_fork) opens the chain's next line, with a fork
    receipt. The caller's transaction names the laptop; one push of a laptop at a time
    holds it.
    With events to append, the caller's transaction is committed here, with the receipt."""
    conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"audit {laptop}", 0))))
    # A laptop that joined again in place of another continues that one's chain: the
    # events up to there were sent, and are held, under the laptop it was (the first event
    # after must link to the last of them, checked below).
    start = start_of(conn, laptop)
    events = [e for e in events if e.sequence > start.sequence]
    head = head_of(conn, laptop, start)
    wanted = [e.sequence for e in events if e.sequence <= head.sequence]
    if events and 1 < events[0].sequence <= head.sequence:
        wanted.append(events[0].sequence - 1)  # what a first event that differs links to
    held = _held(conn, laptop, wanted)
    last = head
    new: list[Event] = []
    fork: Fork | None = None
    for event in events:
        if not event.recomputes():
            raise _broken(laptop, f"event {event.sequence} does not match its own hash")
        if event.sequence <= head.sequence and not new:
            if held.get(event.sequence) == event.event_hash:
                continue
            before = "" if event.sequence == 1 else held.get(event.sequence - 1)
            if before is None or event.previous_hash != before:
                raise _broken(laptop, f"event {event.sequence} differs from the one it sent before")
            fork = Fork(Head(event.sequence - 1, before), head)
        elif event.sequence != last.sequence + 1 or event.previous_hash != last.hash:
            raise _broken(laptop, f"event {event.sequence} does not follow event {last.sequence}")
        new.append(event)
        last = Head(event.sequence, event.event_hash)
    if not new:
        return head
    line = _current_line(conn, laptop)
    if fork is not None:
        _check_declared(laptop, fork, new)
        line += 1
        conn.execute(
            text("SELECT observer_append_fork(:line, :f, :fh, :s, :sh)"),
            {
                "line": line,
                "f": fork.continues_from.sequence,
                "fh": fork.continues_from.hash,
                "s": fork.held.sequence,
                "sh": fork.held.hash,
            },
        )
    try:
        with conn.begin_nested():
            conn.execute(insert(schema.audit_events), _rows(laptop, new, line))
    except IntegrityError:
        raise _broken(laptop, "an event's id is one the server already holds") from None
    _receipt_and_commit(conn, last)
    return last


def _receipt_and_commit(conn: Connection, head: Head) -> None:
    """The receipt, and the commit of the caller's transaction, sent together (psycopg's
    pipeline mode). The receipt takes the one lock of the server's chain, which every push
    waits for; sent apart, the lock was held while this thread waited for its turn at the
    interpreter among the service's others to send COMMIT: with 50 laptops syncing, 135 ms
    a push on average. Together, PostgreSQL commits as soon as the receipt is written. Any
    failure rolls the whole transaction back, as before; the caller's commit then finds
    nothing left to do."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.pipeline():
        driver.execute("SELECT observer_append_receipt(%s, %s)", (head.sequence, head.hash))
        driver.commit()


def _check_declared(laptop: uuid.UUID, fork: Fork, new: list[Event]) -> None:
    """The new line must record the restore and then declare exactly this fork. (A laptop
    restored again, or syncing with a server itself restored, may have declared an earlier
    fork too: that declaration stays in its trail.)"""
    expected = declaration_detail(fork.continues_from.sequence, fork.held.sequence)
    restored = False
    mismatched: Event | None = None
    for event in new:
        if event.action == RESTORED:
            restored = True
        elif event.action == DECLARED:
            if (
                restored
                and event.record_type == "laptop"
                and event.record_id == laptop
                and event.content_hash == fork.held.hash
                and event.detail == expected
            ):
                return
            mismatched = mismatched or event
    if mismatched is not None:
        raise _broken(
            laptop,
            f"its event {mismatched.sequence} declares a restore that does not match what "
            "the server holds of this laptop",
        )
    raise ChainForked(laptop, fork)


def _current_line(conn: Connection, laptop: uuid.UUID) -> int:
    a = schema.audit_events
    found = conn.execute(select(func.max(a.c.line)).where(a.c.laptop_id == laptop)).scalar()
    return int(found or 0)


def _rows(laptop: uuid.UUID, new: list[Event], line: int) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "occurred_at": e.occurred_at,
            "actor": e.actor,
            "action": e.action,
            "record_type": e.record_type,
            "record_id": e.record_id,
            "content_hash": e.content_hash,
            "sequence": e.sequence,
            "detail": e.detail,
            "previous_hash": e.previous_hash,
            "event_hash": e.event_hash,
            "laptop_id": laptop,
            "line": line,
        }
        for e in new
    ]


def _held(conn: Connection, laptop: uuid.UUID, sequences: list[int]) -> dict[int, str]:
    """The hashes of these events of the chain as it now stands: after a fork, an event at
    or before the point its line continues from is the earlier line's."""
    if not sequences:
        return {}
    a = schema.audit_events
    starts = dict(
        conn.execute(
            select(a.c.line, func.min(a.c.sequence))
            .where(a.c.laptop_id == laptop)
            .group_by(a.c.line)
        ).all()
    )
    rows = conn.execute(
        select(a.c.line, a.c.sequence, a.c.event_hash).where(
            a.c.laptop_id == laptop, a.c.sequence.in_(sequences)
        )
    )
    found: dict[int, tuple[int, str]] = {}
    for row in rows:
        if row.line != _line_holding(starts, row.sequence):
            continue
        found[row.sequence] = (row.line, row.event_hash)
    return {sequence: digest for sequence, (_line, digest) in found.items()}


def _line_holding(starts: dict[int, int], sequence: int) -> int:
    """The newest line that holds `sequence`: line n holds its own events from its first
    on; before that, the chain is that of the line before it."""
    for line in sorted(starts, reverse=True):
        if line == 0 or starts[line] <= sequence:
            return line
    return 0


def _broken(laptop: uuid.UUID, why: str) -> ChainBroken:
    return ChainBroken(
        f"The audit trail of laptop {laptop} does not follow on from what the team server "
        f"holds ({why}): it was changed after it was sent; nothing was written."
    )
