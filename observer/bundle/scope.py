"""On a laptop that has joined a team server, a bundle's observations that its user may
not see there are left out of an import (observer/people/scope.py says whom they see).

The server would refuse them from this laptop, and a copy kept here would be a record its
user may not see. Nothing is lost: the bundle still holds them. Each is judged by its
observer and its worker's team as this store knows the worker (the bundle's row for a
worker new here).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.bundle.reader import CheckedBundle
from observer.people.scope import scope_of
from observer.store.models import Person

AT_ONCE = 500


def within_scope(
    s: Session, bundle: CheckedBundle, raws: list[dict[str, Any]]
) -> tuple[CheckedBundle, list[dict[str, Any]], int]:
    """The bundle and its raw observations without those the user may not see, and how
    many were left out (none before joining)."""
    scope = scope_of(s)
    if scope is None or not bundle.observations:
        return bundle, raws, 0
    teams: dict[uuid.UUID, uuid.UUID | None] = {p["id"]: p["team_id"] for p in bundle.people}
    workers = list({o["observed_person_id"] for o in bundle.observations})
    for start in range(0, len(workers), AT_ONCE):
        rows = s.execute(
            select(Person.id, Person.team_id).where(Person.id.in_(workers[start : start + AT_ONCE]))
        )
        teams.update({row.id: row.team_id for row in rows})
    kept = [
        (record, raw)
        for record, raw in zip(bundle.observations, raws, strict=True)
        if scope.sees(record["observer_id"], teams.get(record["observed_person_id"]))
    ]
    left_out = len(bundle.observations) - len(kept)
    if not left_out:
        return bundle, raws, 0
    records = [record for record, _ in kept]
    return replace(bundle, observations=records), [raw for _, raw in kept], left_out


def left_out_sentence(count: int) -> str:
    """What an import says of the records it left out."""
    if count == 1:
        return "1 record was not imported: it is of a worker outside your teams on the team server."
    return (
        f"{count} records were not imported: they are of workers outside your teams on the "
        "team server."
    )
