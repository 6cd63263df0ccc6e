"""A laptop's push applied (docs/sync-protocol.md, Push): its audit chain first, in one
transaction (observer/server/audit_chain.py), then each change in its own transaction, in
the order sent.

Each change is answered once: its answer is kept in `applied_changes` in the same
transaction as what it wrote, so a change retried after its answer was lost answers the
same (`already_applied`) and writes nothing again. A change this caller may not make, as
row-level security or a trigger decides, is rolled back to before it began and answered
`refused` with one sentence. An observation is merged with the server's copy by the
laptops' own rules (observer.conflicts.rules.merge_observation) under a lock on the
record, so two pushes of one record take turns and neither loses the other's words.

The log holds ids and outcomes only, never names or narrative.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Engine, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from observer.bundle.reader import BundleReader
from observer.conflicts.rules import (
    Outcome,
    SignedContentDiffers,
    merge_observation,
)
from observer.conflicts.shared import bundle_content_hash
from observer.errors import InvalidBundle
from observer.records.seals import addendum_own_hash, signature_own_hash
from observer.server import (
    audit_chain,
    feed_json,
    push_quality,
    push_reference,
    push_rows,
    push_settle,
    schema,
    signed_people,
)
from observer.server.database import CALLER_SETTING
from observer.server.push_answer import Caller, Handler, Refusal, Result
from observer.server.push_request import Change
from observer.server.records import keep_conflicts
from observer.signing.endorsement import endorsement_holds

log = logging.getLogger("observer.server.push")

# SQLSTATEs that mean "not this caller's to write" (row-level security, a privilege), a
# signed record's trigger, or a reference or name the server does not hold as given.
_REFUSALS = {"42501", "OB001", "23503", "23505", "23514"}
_ATTEMPTS = 3
_FEED_ONLY = ("server_revision", "ids_at_signing")
_OUTCOMES = {
    Outcome.ADDED: "added",
    Outcome.UPDATED: "updated",
    Outcome.MERGED: "merged",
    Outcome.UNCHANGED: "unchanged",
    Outcome.RESTORED: "added",
    Outcome.STAYS_DELETED: "deleted",
}


def take_audit(
    conn: Connection, laptop: uuid.UUID, events: list[audit_chain.Event]
) -> dict[str, Any]:
    """Step 1: the laptop's chain checked and appended, with a receipt, in the transaction
    of `conn`, which names the laptop as its caller (committed with the receipt)."""
    return audit_chain.take(conn, laptop, events).as_json()


def apply(engine: Engine, laptop: uuid.UUID, change: Change) -> Result:
    """Step 2, for one change, in its own transaction; retried when a concurrent push of
    the same change id committed first (then it answers what that one answered)."""
    for _ in range(_ATTEMPTS):
        try:
            return _apply_once(engine, laptop, change)
        except IntegrityError:
            continue  # the next attempt finds this laptop's answer, if it was this laptop's
    log.warning("push from laptop %s: change %s was another laptop's", laptop, change.change_id)
    return Result(
        change.change_id,
        "refused",
        message=f"Change {change.change_id} was sent by another laptop; nothing of it was written.",
    )


def _apply_once(engine: Engine, laptop: uuid.UUID, change: Change) -> Result:
    with engine.begin() as conn:
        # The caller and UTC for this transaction, and its turn: pushes of one record (or
        # retries of one change) take turns. One statement, as each costs a round trip.
        conn.execute(
            _BEGIN,
            {
                "caller": CALLER_SETTING,
                "laptop": str(laptop),
                "key": str(change.record_id or change.change_id),
            },
        )
        first = _answered(conn, change.change_id)
        if first is not None:
            return _said_removed(conn, change, first)
        caller = _caller(conn, laptop)
        savepoint = conn.begin_nested()
        result: Result
        try:
            result = _HANDLERS[change.record_type](conn, caller, change)
            savepoint.commit()
        except (Refusal, push_rows.NotAllowed) as refused:
            savepoint.rollback()
            result = Result(change.change_id, "refused", message=_refused(change, refused))
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            if state not in _REFUSALS:
                raise
            savepoint.rollback()
            result = Result(change.change_id, "refused", message=_refused_by(change, state))
        conn.execute(
            insert(schema.applied_changes).values(
                change_id=change.change_id,
                laptop_id=laptop,
                record_type=change.record_type,
                record_id=change.record_id,
                outcome=result.outcome,
                server_revision=result.server_revision,
                conflicts=result.conflicts,
                message=result.message,
            )
        )
        result = _said_removed(conn, change, result)
    log.info(
        "push from laptop %s: %s %s %s",
        laptop,
        change.record_type,
        change.record_id,
        result.outcome,
    )
    return result


def _said_removed(conn: Connection, change: Change, result: Result) -> Result:
    """A refusal of an observation retention removed says so, so the laptop drops its copy:
    one a bundle brought back after the laptop pulled the tombstone would stay for good."""
    if (
        change.record_type != "observation"
        or change.record_id is None
        or result.outcome not in ("refused", "already_applied")
    ):
        return result
    o = schema.observations
    if conn.execute(select(o.c.id).where(o.c.id == change.record_id)).first() is not None:
        return result
    if _tombstone(conn, change.record_id) != "removed":
        return result
    return replace(result, removed=True)


def _answered(conn: Connection, change_id: uuid.UUID) -> Result | None:
    a = schema.applied_changes
    row = conn.execute(select(a).where(a.c.change_id == change_id)).one_or_none()
    if row is None:
        return None
    return Result(change_id, "already_applied", row.server_revision, row.conflicts, row.message)


_BEGIN = text(
    "SELECT set_config(:caller, :laptop, true), set_config('TimeZone', 'UTC', true), "
    "pg_advisory_xact_lock(hashtextextended(:key, 0))"
)


def _caller(conn: Connection, laptop: uuid.UUID) -> Caller:
    person, role = conn.execute(
        select(func.observer_caller_person(), func.observer_caller_role())
    ).one()
    return Caller(laptop, person, role)


def _refused(change: Change, refused: Exception) -> str:
    return str(refused) or _refused_by(change, "42501")


def _refused_by(change: Change, state: str) -> str:
    what = f"{_name(change.record_type)} {change.record_id}"
    if state == "OB001":
        return (
            f"{what} is signed on the team server, and this change would alter what was "
            "signed; nothing of it was written (add an addendum instead)."
        )
    if state == "23503":
        return (
            f"{what} refers to a person, team or framework the team server does not hold; "
            "nothing of this change was written."
        )
    if state in ("23505", "23514"):
        return (
            f"{what} clashes with a record the team server already holds (its id or name); "
            "nothing of this change was written."
        )
    return (
        f"{what} is not this laptop's person's to change in this way; nothing of this change "
        "was written."
    )


def _name(record_type: str) -> str:
    return record_type.capitalize()


# Observations


def _observation(conn: Connection, caller: Caller, change: Change) -> Result:
    record_id = change.record_id
    if record_id is None:  # a delete with no base: never on the server
        return Result(change.change_id, "deleted")
    o = schema.observations
    if conn.execute(select(o.c.id).where(o.c.id == record_id)).first() is not None:
        conn.execute(select(func.observer_lock_observation(record_id)))
    # As PostgreSQL writes it for the feed, in one statement (what observation_documents
    # builds in Python with nine: tests/observer/server/test_feed_json.py).
    copies = feed_json.observations(conn, [record_id])
    held = json.loads(copies[0]) if copies else None
    here = None if held is None else _checked(held)
    if change.deletes:
        return _delete(conn, change, held)
    incoming = change.record
    assert incoming is not None
    assert change.raw is not None
    reason = _tombstone(conn, record_id)
    if here is None and reason == "removed":
        raise Refusal(
            f"Observation {record_id} was removed from the team server under its retention "
            "policy and cannot be added again; nothing of this change was written."
        )
    if here is None and reason == "deleted" and not _may_write(conn, caller, change):
        # Only whoever may write a draft brings it back after its deletion: a change by
        # anyone else (a manager's action done, a bundle's copy) leaves it deleted, and
        # the laptop drops its copy (refused, it kept it for good).
        return Result(change.change_id, "deleted", _tombstone_revision(conn, record_id))
    _check_signed_content(change)
    _check_digital_signatures(change, held)
    try:
        if here is None:
            merged = merge_observation(
                change.base, None, incoming, now=_now(), deleted_here=reason == "deleted"
            )
        else:
            assert held is not None
            base = here if change.base_revision == held["server_revision"] else change.base
            # The push that arrives later wins a non-text field, whatever the laptops' clocks.
            later = {**incoming, "revision": max(incoming["revision"], here["revision"] + 1)}
            merged = merge_observation(base, here, later, now=_now())
    except SignedContentDiffers:
        raise Refusal(
            f"Observation {record_id} is signed on the team server with other content than "
            "this laptop's copy; nothing of this change was written."
        ) from None
    if merged.record is None:
        return Result(change.change_id, "deleted", _tombstone_revision(conn, record_id))
    if merged.writes:
        record, ids_at_signing = merged.record, change.raw.get("ids_at_signing")
        if here is None:
            record, ids_at_signing = signed_people.as_held(conn, record, ids_at_signing)
        push_rows.write(conn, here, record, ids_at_signing)
    keep_conflicts(
        conn,
        record_id,
        merged.conflicts,
        person=caller.person,
        laptop=caller.laptop,
        based_on=change.base_revision,
    )
    revision = conn.execute(
        select(o.c.server_revision).where(o.c.id == record_id)
    ).scalar_one_or_none()
    if revision is None:
        raise push_rows.NotAllowed("")
    return Result(change.change_id, _OUTCOMES[merged.outcome], revision, len(merged.conflicts))


def _may_write(conn: Connection, caller: Caller, change: Change) -> bool:
    """Row-level security's rule for writing an observation (server migration 0004), of
    the record as the server would hold it (the people kept, for one signed before a merge)."""
    assert change.record is not None
    assert change.raw is not None
    record, _ids = signed_people.as_held(conn, change.record, change.raw.get("ids_at_signing"))
    return caller.role == "service" or str(record.get("observer_id")) == str(caller.person)


def _checked(document: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return BundleReader("The team server's copy").observation(dict(document), "record")
    except InvalidBundle as exc:
        log.error("the server's copy of observation %s cannot be read", document.get("id"))
        raise Refusal(
            f"The team server's copy of observation {document.get('id')} cannot be merged; "
            "ask IT to look at it. Nothing of this change was written."
        ) from exc


def _check_signed_content(change: Change) -> None:
    """A signed record whose content is not what its signatures hold is refused, whatever
    its revision (observer/bundle/importer.py checks a bundle's the same way)."""
    raw = change.raw
    assert raw is not None
    if not raw.get("signatures") and not raw.get("addenda"):
        return
    digest = bundle_content_hash(_as_bundle(raw))
    for part in ("signatures", "addenda"):
        for entry in raw.get(part) or ():
            if entry.get("content_hash") != digest:
                raise Refusal(
                    f"Observation {change.record_id} was changed after it was signed: its "
                    f"{part} do not match its content; nothing of this change was written."
                )


def _check_digital_signatures(change: Change, held: Mapping[str, Any] | None) -> None:
    """Each sign-off the server does not yet hold must match its own hash and carry a
    digital signature that holds for it, as every laptop's import checks
    (observer/bundle/sign_offs.py): one taken without would stop every pull of every laptop
    that sees the record."""
    record = change.record
    assert record is not None
    known = {str(e["id"]) for part in ("signatures", "addenda") for e in (held or {}).get(part, ())}
    wording = record.get("wording_at_signing")
    practitioner = {g["role"]: g["signed_at"] for g in record.get("signatures") or ()}.get(
        "practitioner"
    )
    for part, own_hash in (("signatures", signature_own_hash), ("addenda", addendum_own_hash)):
        for entry in record.get(part) or ():
            if str(entry["id"]) in known:
                continue
            after = practitioner if part == "addenda" or entry.get("role") == "manager" else None
            if entry["signed_at"] < record["observed_at"] or (
                after is not None and entry["signed_at"] < after
            ):
                raise Refusal(
                    f"Observation {change.record_id} has a sign-off dated before the "
                    "observation, or before the practitioner signed (sign-off goes observer, "
                    "practitioner, then manager: is this laptop's clock right?); nothing of "
                    "this change was written."
                )
            own = own_hash(cast(Any, SimpleNamespace(**entry)), wording)
            signature = entry.get("digital_signature")
            if (
                entry.get("own_hash") != own
                or not signature
                or not endorsement_holds(entry.get("certificate"), signature, own)
            ):
                raise Refusal(
                    f"Observation {change.record_id} has a sign-off that does not match its own "
                    "hash or carries no digital signature that holds, from the laptop where it "
                    "was made, so no other laptop could take it; nothing of this change was "
                    "written."
                )


def _as_bundle(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The record as a bundle writes it: without what the pull feed adds."""
    document = {k: v for k, v in raw.items() if k not in _FEED_ONLY}
    for part in ("ratings", "actions", "signatures", "addenda"):
        if isinstance(document.get(part), list):
            document[part] = [
                {k: v for k, v in entry.items() if k != "server_revision"}
                for entry in document[part]
            ]
    return document


def _delete(conn: Connection, change: Change, held: Mapping[str, Any] | None) -> Result:
    o = schema.observations
    if held is None:
        return Result(change.change_id, "deleted", _tombstone_revision(conn, change.record_id))
    if held["server_revision"] != change.base_revision or held["status"] == "signed":
        return Result(change.change_id, "kept", held["server_revision"])
    if conn.execute(o.delete().where(o.c.id == change.record_id)).rowcount != 1:
        raise push_rows.NotAllowed("")
    return Result(change.change_id, "deleted", _tombstone_revision(conn, change.record_id))


def _tombstone(conn: Connection, record_id: uuid.UUID) -> str | None:
    t = schema.tombstones
    found: str | None = conn.execute(
        select(t.c.reason)
        .where(t.c.record_id == record_id)
        .order_by(t.c.server_revision.desc())
        .limit(1)
    ).scalar_one_or_none()
    return found


def _tombstone_revision(conn: Connection, record_id: uuid.UUID | None) -> int | None:
    t = schema.tombstones
    found: int | None = conn.execute(
        select(func.max(t.c.server_revision)).where(t.c.record_id == record_id)
    ).scalar_one_or_none()
    return found


def _now() -> datetime:
    return datetime.now(UTC)


_HANDLERS: dict[str, Handler] = {
    "observation": _observation,
    **push_reference.HANDLERS,
    **push_quality.HANDLERS,
    "conflict": push_settle.settle,
}
