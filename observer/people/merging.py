"""Merging two records of the same person into one.

A duplicate (made at a first start, say, or by an import) is merged into the person kept:
observations, agreed actions, team management and this laptop's user move across, and the
duplicate is marked merged (its row stays, leaving lists and pickers).

What was signed does not change. A signed record's canonical content names its people by
id (observer/records/canonical.py), so before its references move the ids it was signed
with are kept on it (`ids_at_signing`) and its content, hash and signatures stay exactly
as signed; the names it shows were kept at signing too. Signatures and addenda hold the
signer's name as typed, never a person id, and are left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from observer.errors import InvalidInput, NotFound
from observer.governance.audit import record_event
from observer.store.db import Database
from observer.store.models import Action, Observation, Person, Team
from observer.store.settings import PROFILE_KEY, store_value, stored_value

MERGED = "merge_people"


@dataclass(frozen=True)
class MergeReport:
    kept: str
    merged: str
    observations: int  # records whose people moved to the person kept
    signed: int  # of those, signed records: their ids as signed are kept on them
    actions: int  # agreed actions whose owner moved

    def sentence(self) -> str:
        signed = (
            f" ({self.signed} signed: they keep their content and signatures as signed)"
            if self.signed
            else ""
        )
        return (
            f"Merged {self.merged} into {self.kept}: {self.observations} observation"
            f"{'s' if self.observations != 1 else ''}{signed} and {self.actions} action"
            f"{'s' if self.actions != 1 else ''} now name {self.kept}."
        )


class DuplicatePeople:
    def __init__(self, db: Database, actor: Callable[[], str]) -> None:
        self._db = db
        self._actor = actor

    def merge(self, keep_id: uuid.UUID, duplicate_id: uuid.UUID) -> MergeReport:
        """Merges `duplicate_id` into `keep_id`, in one transaction, audited."""
        if keep_id == duplicate_id:
            raise InvalidInput("Choose two different people to merge.")
        with self._db.session() as s, s.begin():
            keep = s.get(Person, keep_id)
            duplicate = s.get(Person, duplicate_id)
            if keep is None or duplicate is None:
                raise NotFound("One of those people is no longer in this store.")
            for person in (keep, duplicate):
                if person.merged_into_id is not None:
                    raise InvalidInput(
                        f"{person.name} was already merged into someone else; "
                        "merge into that person instead."
                    )
            moved = signed = actions = 0
            records = s.scalars(
                select(Observation)
                .outerjoin(Action, Action.observation_id == Observation.id)
                .where(
                    or_(
                        Observation.observed_person_id == duplicate_id,
                        Observation.observer_id == duplicate_id,
                        Action.owner_id == duplicate_id,
                    )
                )
                .options(selectinload(Observation.actions), selectinload(Observation.signatures))
                .distinct()
            ).all()
            for o in records:
                if o.signatures:
                    o.ids_at_signing = _kept_ids(o, duplicate_id)
                    signed += 1
                if o.observed_person_id == duplicate_id:
                    o.observed_person_id = keep_id
                if o.observer_id == duplicate_id:
                    o.observer_id = keep_id
                for action in o.actions:
                    if action.owner_id == duplicate_id:
                        action.owner_id = keep_id
                        actions += 1
                moved += 1
            for team in s.scalars(select(Team).where(Team.manager_id == duplicate_id)):
                team.manager_id = keep_id
            if keep.team_id is None:
                keep.team_id = duplicate.team_id
            if not keep.staff_reference:
                keep.staff_reference = duplicate.staff_reference
            duplicate.merged_into_id = keep_id
            duplicate.active = False
            duplicate.left_on = None
            stored = stored_value(s, PROFILE_KEY)
            if stored is not None and stored.get("person_id") == str(duplicate_id):
                store_value(s, PROFILE_KEY, {**stored, "person_id": str(keep_id)})
            report = MergeReport(keep.name, duplicate.name, moved, signed, actions)
            record_event(
                s,
                actor=self._actor(),
                action=MERGED,
                record_type="person",
                record_id=duplicate_id,
                detail=(
                    f"into {keep_id}; observations {moved}, signed kept as signed {signed}, "
                    f"actions {actions}"
                ),
            )
            return report


def _kept_ids(o: Observation, duplicate_id: uuid.UUID) -> dict[str, Any]:
    """The record's ids as signed: those kept by an earlier merge, and those about to move."""
    kept: dict[str, Any] = dict(o.ids_at_signing or {})
    if o.observed_person_id == duplicate_id:
        kept.setdefault("observed_person_id", str(duplicate_id))
    if o.observer_id == duplicate_id:
        kept.setdefault("observer_id", str(duplicate_id))
    owners = dict(kept.get("action_owners", {}))
    for action in o.actions:
        if action.owner_id == duplicate_id:
            owners.setdefault(str(action.id), str(duplicate_id))
    if owners:
        kept["action_owners"] = owners
    return kept
