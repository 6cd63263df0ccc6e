"""The audit trail against the signed records: each sign-off and addendum event holds the
record's content hash that was signed and (from schema 0008) the sign-off's own hash, so a
record, a signature or an addendum changed in the store afterwards — even with every hash
in the store recomputed to fit — no longer matches what the trail recorded.

Every signature and addendum must have an event carrying its own hash: the one written
when it was made here or imported, or, for one made before schema 0008, the one the
upgrade wrote ("kept_signature", "kept_addendum"). One typed into the store by hand has
none. One with no digital signature is taken only if it was recorded before this store
first knew a signing identity of its own (or at the upgrade): from then on, everything
signed here carries one, and an import always does.

The current hashes come from the records package through a function the caller passes in
(`CurrentHashes`), so the trail never depends on how a record is hashed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.store.db import Database
from observer.store.models import AuditEvent

SIGN_OFF_ACTIONS = (
    "sign:observer",
    "sign:practitioner",
    "sign:manager",
    "addendum",
    "import_signature",
    "import_addendum",
    "kept_signature",
    "kept_addendum",
)
# Written by the upgrade to schema 0008 for each signature and addendum made before it.
KEPT_AT_UPGRADE = ("kept_signature", "kept_addendum")
MADE_HERE = ("sign:observer", "sign:practitioner", "sign:manager", "addendum")


@dataclass(frozen=True)
class RecordedSignOff:
    """What one sign-off or addendum event recorded about a record."""

    sequence: int
    action: str
    content_hash: str
    own_hash: str | None  # absent from events written before schema 0008


@dataclass(frozen=True)
class SignedState:
    """A signed record as it stands: its content hash; the own hashes of its signatures and
    addenda, each of which must have an event; those of them with no digital signature;
    how many carry a digital signature by a certificate this store does not know; and the
    sequence of the event in which this store first knew a signing identity of its own
    (None: it never has), after which nothing made here lacks a digital signature."""

    content_hash: str
    own_hashes: frozenset[str]
    unsigned: frozenset[str] = frozenset()
    unknown_certificates: int = 0
    identity_since: int | None = None


# The states of these records, or of every record with a signature or addendum (None).
CurrentHashes = Callable[[Collection[uuid.UUID] | None], dict[uuid.UUID, SignedState]]


def sign_off_detail(kind: str, own_hash: str) -> str:
    """The `detail` of a sign-off or addendum event: what kind, and its own hash."""
    return f"{kind} {own_hash}"


def _own_hash(detail: str) -> str | None:
    words = detail.split()
    if len(words) == 2 and words[0] in {"signature", "addendum"} and len(words[1]) == 64:
        return words[1]
    return None


def recorded_sign_offs(
    s: Session, record_ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, list[RecordedSignOff]]:
    """Sign-off and addendum events by record, in sequence order (all, or `record_ids`')."""
    statement = (
        select(
            AuditEvent.record_id,
            AuditEvent.sequence,
            AuditEvent.action,
            AuditEvent.content_hash,
            AuditEvent.detail,
        )
        .where(AuditEvent.record_type == "observation", AuditEvent.action.in_(SIGN_OFF_ACTIONS))
        .order_by(AuditEvent.sequence)
    )
    if record_ids is not None:
        statement = statement.where(AuditEvent.record_id.in_(list(record_ids)))
    found: dict[uuid.UUID, list[RecordedSignOff]] = defaultdict(list)
    for record_id, sequence, action, content_hash, detail in s.execute(statement):
        if record_id is not None:
            found[record_id].append(
                RecordedSignOff(sequence or 0, action, content_hash, _own_hash(detail))
            )
    return found


def disagreements(
    record_id: uuid.UUID, state: SignedState, recorded: list[RecordedSignOff]
) -> Iterator[str]:
    """One sentence for each way the record differs from what the trail recorded."""
    for event in recorded:
        if event.content_hash and event.content_hash != state.content_hash:
            yield (
                f"Observation {record_id} is not what was signed: its content hash differs "
                f"from the one event {event.sequence} recorded."
            )
            break
    for event in recorded:
        if event.own_hash is not None and event.own_hash not in state.own_hashes:
            what = "An addendum" if event.action.endswith("addendum") else "A signature"
            yield (
                f"{what} on observation {record_id} is not the one event {event.sequence} "
                "recorded: it, or the wording it covers, was changed."
            )
    seen = {event.own_hash for event in recorded}
    unrecorded = len(state.own_hashes - seen)
    if unrecorded:
        yield (
            f"Observation {record_id} has {unrecorded} signature(s) or addenda that the trail "
            "does not record."
        )
    undigital = sum(
        1
        for own in state.unsigned & seen
        if not any(_may_lack_digital_signature(e, state) for e in recorded if e.own_hash == own)
    )
    if undigital:
        yield (
            f"Observation {record_id} has {undigital} signature(s) or addenda with no digital "
            "signature, recorded after this laptop had a signing identity."
        )
    if state.unknown_certificates:
        yield (
            f"Observation {record_id} has {state.unknown_certificates} signature(s) or addenda "
            "digitally signed with a certificate this laptop does not know."
        )


def _may_lack_digital_signature(event: RecordedSignOff, state: SignedState) -> bool:
    """Whether the entry this event records may carry no digital signature: kept at the
    upgrade, or made here before this store knew a signing identity of its own."""
    if event.action in KEPT_AT_UPGRADE:
        return True
    return event.action in MADE_HERE and (
        state.identity_since is None or event.sequence < state.identity_since
    )


def check_signed_records(db: Database, current: CurrentHashes) -> list[str]:
    """Every record with a signature or addendum against the events that recorded them. A
    record no longer in the store (removed under the retention policy) is not compared."""
    with db.session() as s:
        recorded = recorded_sign_offs(s)
    problems: list[str] = []
    for record_id, state in current(None).items():
        problems.extend(disagreements(record_id, state, recorded.get(record_id, [])))
    return problems
