"""Joining again with a new code, on a laptop that had joined (docs/sync-protocol.md,
"Joining again"): IT revoked it, or the server was restored from a dump made before it
joined, or its user joins the same server again on purpose.

The laptop keeps everything: its records, its outbox, its audit trail. It tells the server
which laptop it was, with that laptop's device token as proof, and whose records it holds;
the server gives it a new laptop id that continues the chain it held of the old one (or
starts it afresh when it never held any), and records that on its own chain. Then, in one
transaction here:

- the new enrolment replaces the old (token, laptop id, role and teams);
- the acknowledged audit head is where the server's chain of this laptop now ends, so the
  next push sends exactly the events the server lacks;
- changes sent under the old id, whose answers never came, wait again under new change ids
  (the server answers a change id only to the laptop that sent it; each is merged against
  the base this laptop holds, so one the server took already merges to itself);
- if the server never held the old laptop (restored, or another server), every record of
  this laptop's person goes into the outbox again, as on joining, and the pull starts from
  the beginning; the cursor is kept only when the server knew the old laptop and the
  person's role and teams are unchanged.

A SIGKILL before that transaction commits leaves the laptop as it was, with the code spent:
IT makes another, and the server lets that one continue the same chain (the stand-in the
lost answer named never pushed, and is revoked).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from observer.governance.audit import record_event
from observer.store.models import AuditEvent
from observer.store.outbox import JOINED_KEY
from observer.store.sync_tables import PENDING, SENT, sync_laptops, sync_outbox, sync_records
from observer.sync import state
from observer.sync.client import SyncFailed
from observer.sync.laptop_restore import NOTICE

REJOINED = "sync_rejoin"
# The laptop ids this laptop had before, in sync_state: what the server recorded under them
# (a conflict found by a push whose answer never came) is this laptop's.
EARLIER = "earlier_laptop_ids"


@dataclass(frozen=True)
class Rejoin:
    """What the server said of the laptop this one was."""

    previous: uuid.UUID
    known: bool
    head: dict[str, Any]


def previous_of(joined: state.Enrolment) -> dict[str, str]:
    """What the enrol request says of the laptop this one was."""
    return {
        "laptop_id": str(joined.laptop_id),
        "token": joined.token,
        "person_id": str(joined.person_id),
    }


def waiting(s: Session) -> int:
    found = s.scalar(select(func.count()).where(sync_outbox.c.state.in_([PENDING, SENT])))
    return int(found or 0)


def check_switch(s: Session, joined: state.Enrolment, server: str) -> None:
    """Joining another server is refused while changes wait for the one joined: they would
    never be sent there (a server holds only what a laptop sends it)."""
    if server == joined.server:
        return
    count = waiting(s)
    if count:
        changes = "1 change waits" if count == 1 else f"{count} changes wait"
        raise SyncFailed(
            f"{changes} on this laptop to be sent to the team server at {joined.server}, "
            f"so it has not joined {server}: sync them first, or, if that server no longer "
            "accepts this laptop, join it again with a new code from IT."
        )


def read_answer(answer: dict[str, Any]) -> Rejoin:
    try:
        given = answer["previous"]
        head = answer["audit"]
        return Rejoin(
            uuid.UUID(str(given["laptop_id"])),
            bool(given["known"]),
            {"sequence": int(head["sequence"]), "hash": str(head["hash"])},
        )
    except (KeyError, TypeError, ValueError):
        raise SyncFailed(
            "The team server's answer to joining again was not one this app reads."
        ) from None


def take(
    s: Session,
    before: state.Enrolment,
    server: str,
    rejoin: Rejoin,
    new_values: dict[str, Any],
    queue_history: Callable[[Session, uuid.UUID], int],
    actor: str,
) -> tuple[int, int]:
    """Replaces the enrolment in the caller's transaction; (records queued again, changes
    waiting). SyncFailed, nothing written, when this laptop's trail cannot continue the
    chain the server holds of it."""
    _check_continues(s, rejoin, server)
    found = state.values(s)
    same_scope = found.get(state.ROLE) == new_values[state.ROLE] and sorted(
        found.get(state.TEAMS) or []
    ) == sorted(new_values[state.TEAMS] or [])
    other_server = server != before.server
    keep_cursor = rejoin.known and not other_server and same_scope
    if other_server:
        # Another server's revisions mean nothing here: a base_revision of the old server
        # could match a copy of this one by chance.
        s.execute(delete(sync_records))
        s.execute(delete(sync_laptops))
    state.put(
        s,
        **new_values,
        **{state.AUDIT_ACK: rejoin.head},
        **({} if keep_cursor else {state.CURSOR: None}),
        **{NOTICE: {"rejoined": str(rejoin.previous), "at": datetime.now(UTC).isoformat()}},
        **{EARLIER: [*(found.get(EARLIER) or []), str(before.laptop_id)]},
    )
    _resend_under_new_ids(s)
    person = uuid.UUID(new_values[state.PERSON])
    # The user's own row is the server's, as on joining: one the people merge above
    # touched (the server named the user with another id) is not sent back.
    s.execute(
        delete(sync_outbox).where(
            sync_outbox.c.record_type == "person",
            sync_outbox.c.record_id == person,
            sync_outbox.c.state == PENDING,
        )
    )
    queued = 0 if rejoin.known and not other_server else queue_history(s, person)
    laptop_id = uuid.UUID(new_values[JOINED_KEY])
    record_event(
        s,
        actor=actor,
        action=REJOINED,
        record_type="laptop",
        record_id=laptop_id,
        detail=(
            f"in place of laptop {rejoin.previous}"
            f"{'' if rejoin.known else ', which the team server did not know'}; "
            f"audit trail continues from event {rejoin.head['sequence']}; "
            f"records queued {queued}"
        ),
    )
    return queued, waiting(s)


def as_this_laptop(s: Session, conflicts: list[Any], laptop: uuid.UUID | None) -> list[Any]:
    """The server's conflicts, those it recorded under an id this laptop had before named
    with the one it has now: words set aside by a push sent under the old id, answered only
    after joining again, are still this laptop's to settle."""
    if not conflicts or laptop is None:
        return conflicts
    earlier = set(state.values(s).get(EARLIER) or [])
    if not earlier:
        return conflicts
    return [
        {**item, "laptop_id": str(laptop)}
        if isinstance(item, dict) and str(item.get("laptop_id")) in earlier
        else item
        for item in conflicts
    ]


def _check_continues(s: Session, rejoin: Rejoin, server: str) -> None:
    """The server's chain of this laptop ends at event S: this trail must hold it as sent.
    One that does not (restored from a backup while the server did not accept it) would
    number its next events as ones the server holds: refused, rather than left unsent."""
    sequence = int(rejoin.head["sequence"])
    if sequence == 0:
        return
    held = s.scalar(select(AuditEvent.event_hash).where(AuditEvent.sequence == sequence))
    if held != rejoin.head["hash"]:
        raise SyncFailed(
            f"The team server at {server} holds event {sequence} of this laptop's audit trail "
            "as this laptop no longer has it (it was restored from a backup since), so its "
            "trail cannot go on from there: this laptop has not joined again, and what waits "
            "stays on it; ask IT."
        )


def _resend_under_new_ids(s: Session) -> None:
    sent = s.execute(
        select(sync_outbox.c.change_id, sync_outbox.c.record_type, sync_outbox.c.record_id).where(
            sync_outbox.c.state == SENT
        )
    ).all()
    for entry in sent:
        pending = s.scalar(
            select(sync_outbox.c.change_id).where(
                sync_outbox.c.record_type == entry.record_type,
                sync_outbox.c.record_id == entry.record_id,
                sync_outbox.c.state == PENDING,
            )
        )
        if pending is not None:  # a later change of it waits already, and sends it whole
            s.execute(delete(sync_outbox).where(sync_outbox.c.change_id == entry.change_id))
            continue
        s.execute(
            update(sync_outbox)
            .where(sync_outbox.c.change_id == entry.change_id)
            .values(change_id=uuid.uuid4(), state=PENDING, payload=None)
        )
