"""`observer-server retention`: the retention policy decided on the server, for every
laptop that has joined it.

The policy means what it means on a laptop (observer/governance/retention.py,
docs/data-protection.md): a person's observations, as the observed worker, are removed a
number of whole years after the date they left, or everything is kept (the default). A
person no longer active with no leaving date keeps their records, and the preview says
so. The person's own row is kept.

`apply` removes what is due in one transaction, through the one deliberate path server
migration 0006 made for it (`observer_remove_observations`, which only the owner may run and whose
deletes of signed records the triggers let through only for the owner): each observation,
with its ratings, actions, signatures, addenda and conflicts, leaves an id-only tombstone
with reason `removed`, so every laptop drops its copy at its next pull and a push can
never bring it back. The audit trail is not touched: its events hold ids, hashes and staff
names, no narrative, so they stay, and every chain still verifies. The policy's changes
and each removal are events in the server's own chain, with ids and counts only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, case, func, select
from sqlalchemy.dialects.postgresql import insert as upsert

from observer.errors import InvalidInput, StaleRecord
from observer.governance.retention import (
    PersonDue,
    PersonWithoutLeavingDate,
    RetentionPolicy,
    RetentionPreview,
    add_years,
    check_years,
)
from observer.server import chain, schema

POLICY_KEY = "retention.policy"
# One preview or removal at a time: the count a removal reports is the count it made.
RETENTION_LOCK = "observer-server retention"


def policy(conn: Connection) -> RetentionPolicy:
    s = schema.server_settings
    value = conn.execute(select(s.c.value).where(s.c.key == POLICY_KEY)).scalar_one_or_none()
    years = value.get("years_after_leaving") if isinstance(value, dict) else None
    if years is None:
        return RetentionPolicy()
    try:
        return RetentionPolicy(check_years(years))
    except InvalidInput:  # a damaged setting must never remove records
        return RetentionPolicy()


def set_policy(conn: Connection, wanted: RetentionPolicy) -> RetentionPolicy:
    if policy(conn) == wanted:
        return wanted
    s = schema.server_settings
    value = {"years_after_leaving": wanted.years_after_leaving}
    conn.execute(
        upsert(s)
        .values(key=POLICY_KEY, value=value)
        .on_conflict_do_update(
            index_elements=["key"], set_={"value": value, "updated_at": func.now()}
        )
    )
    chain.append(
        conn,
        action="retention_policy",
        record_type="settings",
        record_id=None,
        detail=f"policy set to {wanted.audit_wording()}",
    )
    return wanted


def preview(conn: Connection, today: date) -> RetentionPreview:
    """Who is due on `today`, by id, and how many of their observations (signed ones too)."""
    conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(RETENTION_LOCK))))
    current = policy(conn)
    if current.years_after_leaving is None:
        return RetentionPreview(current, today)
    years = current.years_after_leaving
    p, o = schema.people, schema.observations
    signed = func.sum(case((o.c.status == "signed", 1), else_=0))
    rows = conn.execute(
        select(p.c.id, p.c.left_on, func.count(o.c.id), signed)
        .join(o, o.c.observed_person_id == p.c.id)
        .where(p.c.active.is_(False))
        .group_by(p.c.id, p.c.left_on)
    )
    due: list[PersonDue] = []
    undated: list[PersonWithoutLeavingDate] = []
    for person_id, left_on, count, signed_count in rows:
        if left_on is None:
            undated.append(PersonWithoutLeavingDate(person_id, "", int(count)))
            continue
        due_since = add_years(left_on, years)
        if due_since <= today:
            due.append(
                PersonDue(person_id, "", left_on, int(count), int(signed_count or 0), due_since)
            )
    due.sort(key=lambda d: (d.left_on, str(d.person_id)))
    undated.sort(key=lambda k: str(k.person_id))
    return RetentionPreview(current, today, tuple(due), tuple(undated))


def apply(conn: Connection, today: date) -> RetentionPreview:
    """Removes what `preview` shows as due, all in the caller's transaction."""
    found = preview(conn, today)
    if not found.due:
        return found
    o = schema.observations
    wording = found.policy.audit_wording()
    for person in found.due:
        ids = list(
            conn.execute(select(o.c.id).where(o.c.observed_person_id == person.person_id)).scalars()
        )
        removed = conn.execute(select(func.observer_remove_observations(ids))).scalar_one()
        if removed != person.observations:
            raise StaleRecord(
                "The records changed while they were being removed, so nothing was removed; "
                "preview again."
            )
        chain.append(
            conn,
            action="retention",
            record_type="person",
            record_id=person.person_id,
            detail=(
                f"removed {person.observations} observations ({person.signed} signed) "
                f"under the policy of {wording}"
            ),
        )
    return found


def lines(found: RetentionPreview) -> list[str]:
    """One line a person, by id: never a name."""
    out = [
        f"{p.person_id}  left {p.left_on:%Y-%m-%d}  due since {p.due_since:%Y-%m-%d}  "
        f"{p.observations:>5} observations  {p.signed:>5} signed"
        for p in found.due
    ]
    out += [
        f"{k.person_id}  kept: {k.reason}  {k.observations:>5} observations"
        for k in found.no_leaving_date
    ]
    if kept := found.kept_without_date():
        out.append(kept)
    return out


def as_dict(found: RetentionPreview, *, removed: bool) -> dict[str, Any]:
    return {
        "policy": {"years_after_leaving": found.policy.years_after_leaving},
        "today": found.today.isoformat(),
        "removed": removed,
        "due": [
            {
                "person_id": str(p.person_id),
                "left_on": p.left_on.isoformat(),
                "due_since": p.due_since.isoformat(),
                "observations": p.observations,
                "signed": p.signed,
            }
            for p in found.due
        ],
        "kept_without_leaving_date": [
            {"person_id": str(k.person_id), "observations": k.observations}
            for k in found.no_leaving_date
        ],
        "observations": found.observations,
        "signed": found.signed,
    }
