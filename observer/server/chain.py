"""The audit chains the server holds: each laptop's (events it pushed, `laptop_id` set) and
the server's own (`laptop_id` null: the administrator's commands and the receipts of
laptops' chains), hashed exactly as a laptop hashes its trail (observer.governance.audit).

`append` adds an event to the server's own chain as the administrator; `verify` walks
every chain in sequence order and says, one sentence each, where an event was altered, is
missing, or does not follow on from the one before, and where a receipt in the server's
chain names a hash the laptop's chain no longer holds.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from observer.governance.audit_hash import event_hash
from observer.server import schema

# Two writers of the server's chain at once would both take the same sequence number; a
# push's receipt (observer_append_receipt, server migration 0005) takes the same lock.
CHAIN_LOCK = "observer receipts"
RECEIPT = "receipt"
MOST_PROBLEMS_LISTED = 100


def append(
    conn: Connection,
    *,
    action: str,
    record_type: str,
    record_id: uuid.UUID | None,
    detail: str = "",
    content_hash: str = "",
) -> int:
    """Appends an event to the server's own chain in the caller's transaction; its sequence.
    The actor is the database role running the command. `detail` holds ids and counts,
    never names."""
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": CHAIN_LOCK})
    events = schema.audit_events
    last = conn.execute(
        select(events.c.sequence, events.c.event_hash)
        .where(events.c.laptop_id.is_(None), events.c.sequence.is_not(None))
        .order_by(events.c.sequence.desc())
        .limit(1)
    ).one_or_none()
    sequence = 1 if last is None else last.sequence + 1
    previous = "" if last is None else last.event_hash
    actor = conn.execute(select(func.current_user())).scalar_one()
    event_id = uuid.uuid4()
    # Kept to the microsecond, as the hash covers it.
    occurred_at = datetime.now(UTC)
    values: dict[str, Any] = {
        "id": event_id,
        "occurred_at": occurred_at,
        "actor": actor,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "content_hash": content_hash,
        "detail": detail,
        "sequence": sequence,
        "previous_hash": previous,
    }
    values["event_hash"] = event_hash(
        sequence=sequence,
        event_id=event_id,
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=record_id,
        content_hash=content_hash,
        detail=detail,
        previous_hash=previous,
    )
    conn.execute(insert(events).values(**values, laptop_id=None))
    return sequence


@dataclass
class ChainsReport:
    """What checking every chain found: counts, and each problem as one sentence."""

    events: int = 0
    laptops: int = 0
    server_events: int = 0
    problems: list[str] = field(default_factory=list)
    unlisted: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MOST_PROBLEMS_LISTED:
            self.problems.append(problem)
        else:
            self.unlisted += 1

    def listed(self) -> list[str]:
        more = [f"…and {self.unlisted:,} more problems."] if self.unlisted else []
        return [*self.problems, *more]

    def sentence(self) -> str:
        chains = "1 laptop's chain" if self.laptops == 1 else f"{self.laptops} laptops' chains"
        if self.ok:
            return (
                f"The audit trail is intact: {self.events:,} events checked in {chains} and "
                f"the server's own ({self.server_events:,}), none altered or removed."
            )
        count = len(self.problems) + self.unlisted
        return f"The audit trail is not intact: {count} problem{'' if count == 1 else 's'}."

    def as_dict(self) -> dict[str, Any]:
        return {
            "intact": self.ok,
            "events_checked": self.events,
            "laptops": self.laptops,
            "server_events": self.server_events,
            "problems": self.listed(),
        }


@dataclass
class _Link:
    sequence: int
    hash: str


def verify(conn: Connection) -> ChainsReport:
    """Every chain on the server checked, link by link, in one snapshot."""
    events = schema.audit_events
    report = ChainsReport()
    heads: dict[uuid.UUID | None, _Link | None] = {}
    held: dict[tuple[uuid.UUID, int], str] = {}
    receipts: list[tuple[int, str]] = []
    rows = conn.execute(
        select(events)
        .order_by(events.c.laptop_id.nulls_first(), events.c.sequence.nulls_first())
        .execution_options(yield_per=2000)
    )
    for row in rows:
        report.events += 1
        chain = row.laptop_id
        whose = _whose(chain)
        if chain not in heads:
            heads[chain] = None
            if chain is not None:
                report.laptops += 1
        if chain is None:
            report.server_events += 1
        if row.sequence is None:
            report.add(f"An event of {whose} has no sequence number, so it is outside the chain.")
            continue
        last = heads[chain]
        previous = last.sequence if last else 0
        if row.sequence > previous + 1:
            report.add(_gap(whose, previous, row.sequence))
        elif last is None and row.previous_hash:
            report.add(f"Event {row.sequence} of {whose} points back to an event that is not held.")
        elif last is not None and row.previous_hash != last.hash:
            report.add(
                f"Event {row.sequence} of {whose} does not follow on from event {previous}: "
                "the link between them was broken."
            )
        if _hash_of(row) != row.event_hash:
            report.add(f"Event {row.sequence} of {whose} was altered.")
        heads[chain] = _Link(row.sequence, row.event_hash)
        if chain is not None:
            held[(chain, row.sequence)] = row.event_hash
        elif row.action == RECEIPT:
            receipts.append((row.sequence, row.detail))
    for sequence, detail in receipts:
        _check_receipt(report, sequence, detail, held)
    return report


def _whose(chain: uuid.UUID | None) -> str:
    return "the server's own chain" if chain is None else f"laptop {chain}'s chain"


def _gap(whose: str, previous: int, following: int) -> str:
    first, final = previous + 1, following - 1
    where = (
        f"it starts at {following}" if previous == 0 else f"it jumps from {previous} to {following}"
    )
    if first == final:
        return f"Event {first} of {whose} is missing ({where})."
    return f"Events {first} to {final} of {whose} are missing ({where})."


def _hash_of(row: Any) -> str:
    return event_hash(
        sequence=row.sequence,
        event_id=row.id,
        occurred_at=row.occurred_at.astimezone(UTC).replace(tzinfo=None),
        actor=row.actor,
        action=row.action,
        record_type=row.record_type,
        record_id=row.record_id,
        content_hash=row.content_hash,
        detail=row.detail,
        previous_hash=row.previous_hash,
    )


def _check_receipt(
    report: ChainsReport, sequence: int, detail: str, held: dict[tuple[uuid.UUID, int], str]
) -> None:
    """A receipt (docs/sync-protocol.md) names a laptop's head when it was pushed; that
    event must still be held, with that hash."""
    try:
        receipt = json.loads(detail)
        laptop = uuid.UUID(str(receipt["laptop"]))
        their_sequence, digest = int(receipt["sequence"]), str(receipt["hash"])
    except (ValueError, KeyError, TypeError):
        report.add(f"Receipt {sequence} of the server's own chain cannot be read.")
        return
    found = held.get((laptop, their_sequence))
    if found is None:
        report.add(
            f"Receipt {sequence} of the server's own chain names event {their_sequence} of "
            f"laptop {laptop}'s chain, which the server no longer holds."
        )
    elif found != digest:
        report.add(
            f"Receipt {sequence} of the server's own chain does not match event "
            f"{their_sequence} of laptop {laptop}'s chain: that event was rewritten."
        )
