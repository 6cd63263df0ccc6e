"""The audit chains the server holds: each laptop's (events it pushed, `laptop_id` set) and
the server's own (`laptop_id` null: the administrator's commands and the receipts of
laptops' chains), hashed exactly as a laptop hashes its trail (observer.governance.audit).

`append` adds an event to the server's own chain as the administrator; `verify` walks
every chain in sequence order and says, one sentence each, where an event was altered, is
missing, or does not follow on from the one before, and where a receipt in the server's
chain names a hash the laptop's chain no longer holds. A laptop restored from its own
backup continues its chain on a new line, opened by a fork receipt (server migration
0011): each line is checked from the event it continues from, and each fork is reported.
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
FORK = "fork"  # a laptop restored from its own backup (server migration 0011)
REJOIN = "rejoin"  # a laptop joined again in place of the one it was (server migration 0014)
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
    """What checking every chain found: counts, each problem as one sentence, and each fork
    (a laptop restored from its own backup, declared and receipted: not a problem)."""

    events: int = 0
    laptops: int = 0
    server_events: int = 0
    problems: list[str] = field(default_factory=list)
    unlisted: int = 0
    forks: list[str] = field(default_factory=list)
    rejoins: list[str] = field(default_factory=list)

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
            "forks": list(self.forks),
            "rejoins": list(self.rejoins),
        }


@dataclass
class _Link:
    sequence: int
    hash: str


@dataclass(frozen=True)
class _RejoinReceipt:
    sequence: int
    laptop: uuid.UUID
    previous: uuid.UUID
    known: bool
    continues_from: int
    hash: str


@dataclass(frozen=True)
class _ForkReceipt:
    sequence: int
    continues_from: int
    hash: str
    left: int
    left_hash: str


class _Held:
    """The laptops' events as walked, by chain, line and sequence: what a receipt names,
    and what a new line continues from."""

    def __init__(self) -> None:
        self.hashes: dict[tuple[uuid.UUID, int, int], str] = {}
        self.starts: dict[uuid.UUID, dict[int, int]] = {}

    def add(self, chain: uuid.UUID, line: int, sequence: int, digest: str) -> None:
        self.hashes[(chain, line, sequence)] = digest
        self.starts.setdefault(chain, {}).setdefault(line, sequence)

    def in_line(self, chain: uuid.UUID, line: int, sequence: int) -> str | None:
        """The hash of `sequence` in the chain as it stood on `line`: from the newest line up
        to it that had begun by then."""
        for earlier in sorted(self.starts.get(chain, {}), reverse=True):
            if earlier <= line and (earlier == 0 or self.starts[chain][earlier] <= sequence):
                return self.hashes.get((chain, earlier, sequence))
        return None

    def anywhere(self, chain: uuid.UUID, sequence: int) -> set[str]:
        return {
            self.hashes[(chain, line, sequence)]
            for line in self.starts.get(chain, {})
            if (chain, line, sequence) in self.hashes
        }


def verify(conn: Connection) -> ChainsReport:
    """Every chain on the server checked, link by link, in one snapshot."""
    events = schema.audit_events
    report = ChainsReport()
    heads: dict[tuple[uuid.UUID | None, int], _Link | None] = {}
    held = _Held()
    receipts: list[tuple[int, str]] = []
    forks: dict[tuple[uuid.UUID, int], _ForkReceipt] = {}
    rejoins: list[_RejoinReceipt] = []
    seen: set[uuid.UUID] = set()
    rows = conn.execute(
        select(events)
        .order_by(events.c.laptop_id.nulls_first(), events.c.line, events.c.sequence.nulls_first())
        .execution_options(yield_per=2000)
    )
    for row in rows:
        report.events += 1
        chain, line = row.laptop_id, row.line
        whose = _whose(chain, line)
        if chain is not None and chain not in seen:
            seen.add(chain)
            report.laptops += 1
        if chain is None:
            report.server_events += 1
        if row.sequence is None:
            report.add(f"An event of {whose} has no sequence number, so it is outside the chain.")
            continue
        first = (chain, line) not in heads
        last = heads.get((chain, line))
        if first and chain is not None and line > 0:
            _check_line_start(report, row, forks.get((chain, line)), held, whose)
        else:
            previous = last.sequence if last else 0
            if row.sequence > previous + 1:
                report.add(_gap(whose, previous, row.sequence))
            elif last is None and row.previous_hash:
                report.add(
                    f"Event {row.sequence} of {whose} points back to an event that is not held."
                )
            elif last is not None and row.previous_hash != last.hash:
                report.add(
                    f"Event {row.sequence} of {whose} does not follow on from event {previous}: "
                    "the link between them was broken."
                )
        if _hash_of(row) != row.event_hash:
            report.add(f"Event {row.sequence} of {whose} was altered.")
        heads[(chain, line)] = _Link(row.sequence, row.event_hash)
        if chain is not None:
            held.add(chain, line, row.sequence, row.event_hash)
        elif row.action == RECEIPT:
            receipts.append((row.sequence, row.detail))
        elif row.action == FORK:
            _read_fork(report, row, forks)
        elif row.action == REJOIN:
            rejoined = _read_rejoin(report, row)
            if rejoined is not None:
                rejoins.append(rejoined)
                if rejoined.continues_from:  # its chain begins after the one it replaced
                    heads[(rejoined.laptop, 0)] = _Link(rejoined.continues_from, rejoined.hash)
    for sequence, detail in receipts:
        _check_receipt(report, sequence, detail, held)
    for (laptop, line), fork in sorted(forks.items(), key=lambda item: item[1].sequence):
        _check_fork(report, laptop, line, fork, held, (laptop, line) in heads)
    for rejoined in rejoins:
        _check_rejoin(report, rejoined, held)
    return report


def _read_rejoin(report: ChainsReport, row: Any) -> _RejoinReceipt | None:
    try:
        found = json.loads(row.detail)
        return _RejoinReceipt(
            row.sequence,
            uuid.UUID(str(found["laptop"])),
            uuid.UUID(str(found["previous"])),
            bool(found["known"]),
            int(found["continues_from"]),
            str(found["hash"]),
        )
    except (ValueError, KeyError, TypeError):
        report.add(f"Rejoin receipt {row.sequence} of the server's own chain cannot be read.")
        return None


def _check_rejoin(report: ChainsReport, rejoined: _RejoinReceipt, held: _Held) -> None:
    """A laptop that joined again continues the chain of the one it replaced from the last
    event the server held of it, which must still be held as it was."""
    after = rejoined.continues_from
    if after and rejoined.hash not in held.anywhere(rejoined.previous, after):
        report.add(
            f"Rejoin receipt {rejoined.sequence} of the server's own chain names event "
            f"{after} of laptop {rejoined.previous}'s chain, which the server no longer holds "
            "as it was."
        )
        return
    if rejoined.known:
        where = (
            f"its chain continues that laptop's from event {after}"
            if after
            else "that laptop had sent no events, so its chain starts at event 1"
        )
        report.rejoins.append(
            f"Laptop {rejoined.laptop} joined again in place of laptop {rejoined.previous}, "
            f"which is revoked: {where} (rejoin receipt {rejoined.sequence})."
        )
    else:
        report.rejoins.append(
            f"Laptop {rejoined.laptop} joined again in place of laptop {rejoined.previous}, "
            "which this server never knew (it was enrolled after the backup the server was "
            f"restored from): its chain starts at event 1 (rejoin receipt {rejoined.sequence})."
        )


def _read_fork(
    report: ChainsReport, row: Any, forks: dict[tuple[uuid.UUID, int], _ForkReceipt]
) -> None:
    try:
        found = json.loads(row.detail)
        laptop, line = uuid.UUID(str(found["laptop"])), int(found["line"])
        forks[(laptop, line)] = _ForkReceipt(
            row.sequence,
            int(found["continues_from"]),
            str(found["hash"]),
            int(found["left"]),
            str(found["left_hash"]),
        )
    except (ValueError, KeyError, TypeError):
        report.add(f"Fork receipt {row.sequence} of the server's own chain cannot be read.")


def _check_line_start(
    report: ChainsReport, row: Any, fork: _ForkReceipt | None, held: _Held, whose: str
) -> None:
    """A line after the first begins where its fork receipt says, on an event the line
    before it holds."""
    if fork is None:
        report.add(
            f"Event {row.sequence} of {whose} begins a line that no fork receipt of the "
            "server's own chain opened."
        )
        return
    if row.sequence != fork.continues_from + 1 or row.previous_hash != fork.hash:
        report.add(
            f"Event {row.sequence} of {whose} does not begin where fork receipt "
            f"{fork.sequence} of the server's own chain says the line continues from."
        )
        return
    if fork.continues_from > 0:
        before = held.in_line(row.laptop_id, row.line - 1, fork.continues_from)
        if before != row.previous_hash:
            report.add(
                f"Event {row.sequence} of {whose} does not follow on from event "
                f"{fork.continues_from} of the line before it: the link between them was broken."
            )


def _check_fork(
    report: ChainsReport,
    laptop: uuid.UUID,
    line: int,
    fork: _ForkReceipt,
    held: _Held,
    begun: bool,
) -> None:
    left = held.in_line(laptop, line - 1, fork.left)
    if left != fork.left_hash:
        report.add(
            f"Fork receipt {fork.sequence} of the server's own chain names event {fork.left} "
            f"of laptop {laptop}'s chain, which the server no longer holds as it was."
        )
        return
    if not begun:
        report.add(
            f"Fork receipt {fork.sequence} of the server's own chain opens line {line} of "
            f"laptop {laptop}'s chain, which holds no event."
        )
        return
    later = fork.left - fork.continues_from
    report.forks.append(
        f"Laptop {laptop} was restored from a backup: its chain continues from event "
        f"{fork.continues_from} on line {line} (fork receipt {fork.sequence}), and the "
        f"{later} later event{'' if later == 1 else 's'} it had sent before "
        f"({fork.continues_from + 1} to {fork.left}) are kept."
    )


def _whose(chain: uuid.UUID | None, line: int = 0) -> str:
    if chain is None:
        return "the server's own chain"
    return f"laptop {chain}'s chain" + (f" (line {line})" if line else "")


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


def _check_receipt(report: ChainsReport, sequence: int, detail: str, held: _Held) -> None:
    """A receipt (docs/sync-protocol.md) names a laptop's head when it was pushed; that
    event must still be held, with that hash."""
    try:
        receipt = json.loads(detail)
        laptop = uuid.UUID(str(receipt["laptop"]))
        their_sequence, digest = int(receipt["sequence"]), str(receipt["hash"])
    except (ValueError, KeyError, TypeError):
        report.add(f"Receipt {sequence} of the server's own chain cannot be read.")
        return
    found = held.anywhere(laptop, their_sequence)
    if not found:
        report.add(
            f"Receipt {sequence} of the server's own chain names event {their_sequence} of "
            f"laptop {laptop}'s chain, which the server no longer holds."
        )
    elif digest not in found:
        report.add(
            f"Receipt {sequence} of the server's own chain does not match event "
            f"{their_sequence} of laptop {laptop}'s chain: that event was rewritten."
        )
