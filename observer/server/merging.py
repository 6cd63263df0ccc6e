"""`observer-server merge-people KEEP DUPLICATE`: two records of one person made one, on
the server, as the laptop's merge does it (observer/people/merging.py).

Everything that names the duplicate moves to the person kept, in one transaction:
observations (observed person and observer), agreed actions' owners, teams' managers,
laptops, enrolment codes, conflicts, people merged into the duplicate before, the
duplicate's server role (when the person kept has none) and team assignments. A signed
record keeps the ids it was signed with in `ids_at_signing`, so its canonical content,
hash and signatures stay as signed; migration 0004's triggers allow exactly that move, and
only to the administrator. Then the duplicate's row is deleted: its tombstone tells every
laptop to drop it at its next pull, and the moved records, restamped by the triggers,
come with it. The merge is in the server's own audit chain, by id only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from observer.errors import InvalidInput, NotFound
from observer.server import chain, schema

MERGED = "merge_people"


@dataclass(frozen=True)
class PeopleMerged:
    kept: uuid.UUID
    merged: uuid.UUID
    observations: int
    signed: int
    actions: int
    laptops: int

    def sentence(self) -> str:
        signed = (
            f" ({self.signed} signed: they keep the ids they were signed with)"
            if self.signed
            else ""
        )
        return (
            f"Merged {self.merged} into {self.kept}: {self.observations} observations{signed}, "
            f"{self.actions} actions and {self.laptops} laptops now name {self.kept}; laptops "
            "drop the duplicate at their next sync."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kept": str(self.kept),
            "merged": str(self.merged),
            "observations": self.observations,
            "signed": self.signed,
            "actions": self.actions,
            "laptops": self.laptops,
        }


def merge_people(conn: Connection, keep_id: uuid.UUID, duplicate_id: uuid.UUID) -> PeopleMerged:
    if keep_id == duplicate_id:
        raise InvalidInput("Give two different people to merge.")
    p = schema.people
    found = {
        row.id: row
        for row in conn.execute(
            select(p).where(p.c.id.in_([keep_id, duplicate_id])).with_for_update()
        )
    }
    for person_id in (keep_id, duplicate_id):
        if person_id not in found:
            raise NotFound(f"There is no person with the id {person_id} on this server.")
        if found[person_id].merged_into_id is not None:
            raise InvalidInput(
                f"{person_id} was already merged into {found[person_id].merged_into_id}; "
                "merge into that person instead."
            )
    keep, duplicate = found[keep_id], found[duplicate_id]
    observations, signed, actions = _move_records(conn, keep_id, duplicate_id)
    t, lt = schema.teams, schema.laptops
    conn.execute(update(t).where(t.c.manager_id == duplicate_id).values(manager_id=keep_id))
    laptops = conn.execute(
        update(lt).where(lt.c.person_id == duplicate_id).values(person_id=keep_id)
    ).rowcount
    for table in (schema.enrolment_codes, schema.conflicts):
        conn.execute(
            update(table).where(table.c.person_id == duplicate_id).values(person_id=keep_id)
        )
    c = schema.conflicts
    conn.execute(update(c).where(c.c.resolved_by == duplicate_id).values(resolved_by=keep_id))
    conn.execute(update(p).where(p.c.merged_into_id == duplicate_id).values(merged_into_id=keep_id))
    _move_access(conn, keep_id, duplicate_id)
    taken: dict[str, Any] = {}
    if keep.team_id is None and duplicate.team_id is not None:
        taken["team_id"] = duplicate.team_id
    if not keep.staff_reference and duplicate.staff_reference:
        taken["staff_reference"] = duplicate.staff_reference
    if taken:
        conn.execute(
            update(p)
            .where(p.c.id == keep_id)
            .values(**taken, revision=p.c.revision + 1, updated_at=func.now())
        )
    conn.execute(delete(p).where(p.c.id == duplicate_id))
    t = schema.tombstones
    conn.execute(
        update(t)
        .where(t.c.record_type == "people", t.c.record_id == duplicate_id)
        .values(merged_into_id=keep_id)
    )
    conn.execute(update(t).where(t.c.merged_into_id == duplicate_id).values(merged_into_id=keep_id))
    done = PeopleMerged(keep_id, duplicate_id, observations, signed, actions, laptops)
    chain.append(
        conn,
        action=MERGED,
        record_type="person",
        record_id=duplicate_id,
        detail=(
            f"into {keep_id}; observations {observations}, signed kept as signed {signed}, "
            f"actions {actions}, laptops {laptops}"
        ),
    )
    return done


def _move_records(
    conn: Connection, keep_id: uuid.UUID, duplicate_id: uuid.UUID
) -> tuple[int, int, int]:
    """Observations and actions naming the duplicate now name the person kept; a signed
    record keeps the ids it was signed with. Returns (observations, signed, actions)."""
    o, a = schema.observations, schema.actions
    owned = select(a.c.observation_id).where(a.c.owner_id == duplicate_id)
    rows = conn.execute(
        select(o.c.id, o.c.status, o.c.observed_person_id, o.c.observer_id, o.c.ids_at_signing)
        .where(
            (o.c.observed_person_id == duplicate_id)
            | (o.c.observer_id == duplicate_id)
            | o.c.id.in_(owned)
        )
        .with_for_update()
    ).all()
    signed_ones = set(
        conn.execute(
            select(schema.signatures.c.observation_id)
            .where(schema.signatures.c.observation_id.in_([row.id for row in rows]))
            .distinct()
        ).scalars()
    )
    signed = actions = 0
    for row in rows:
        owners = (
            conn.execute(
                select(a.c.id).where(a.c.observation_id == row.id, a.c.owner_id == duplicate_id)
            )
            .scalars()
            .all()
        )
        values: dict[str, Any] = {}
        if row.id in signed_ones or row.status == "signed":
            values["ids_at_signing"] = _kept_ids(row, owners, duplicate_id)
            signed += 1
        if row.observed_person_id == duplicate_id:
            values["observed_person_id"] = keep_id
        if row.observer_id == duplicate_id:
            values["observer_id"] = keep_id
        if values:
            conn.execute(update(o).where(o.c.id == row.id).values(**values))
        if owners:
            conn.execute(update(a).where(a.c.id.in_(owners)).values(owner_id=keep_id))
            actions += len(owners)
    return len(rows), signed, actions


def _kept_ids(row: Any, owners: Sequence[uuid.UUID], duplicate_id: uuid.UUID) -> dict[str, Any]:
    """The record's ids as signed: those kept by an earlier merge, and those about to move
    (the laptop's rule, observer/people/merging.py)."""
    kept: dict[str, Any] = dict(row.ids_at_signing or {})
    if row.observed_person_id == duplicate_id:
        kept.setdefault("observed_person_id", str(duplicate_id))
    if row.observer_id == duplicate_id:
        kept.setdefault("observer_id", str(duplicate_id))
    action_owners = dict(kept.get("action_owners", {}))
    for action_id in owners:
        action_owners.setdefault(str(action_id), str(duplicate_id))
    if action_owners:
        kept["action_owners"] = action_owners
    return kept


def _move_access(conn: Connection, keep_id: uuid.UUID, duplicate_id: uuid.UUID) -> None:
    """The duplicate's server role goes to the person kept when they have none; their team
    assignments are added to the kept person's. The duplicate's own go with its row."""
    r, ta = schema.person_roles, schema.team_assignments
    role = conn.execute(select(r.c.role).where(r.c.person_id == duplicate_id)).scalar_one_or_none()
    if role is not None:
        conn.execute(
            upsert(r)
            .values(person_id=keep_id, role=role)
            .on_conflict_do_nothing(index_elements=["person_id"])
        )
    for team_id in conn.execute(
        select(ta.c.team_id).where(ta.c.person_id == duplicate_id)
    ).scalars():
        conn.execute(upsert(ta).values(person_id=keep_id, team_id=team_id).on_conflict_do_nothing())
