"""A record as a push sends it: an observation shaped as in a bundle (its parts inside),
a person, a team, or a framework with its definition; None when it is gone."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.bundle.export import framework_json, person_json, team_json
from observer.records.canonical import OBSERVATION_LOAD_OPTIONS, observation_document, ref
from observer.store.models import Framework, Observation, Person, RecordConflict, Team


def record_now(s: Session, kind: str, record_id: uuid.UUID) -> dict[str, Any] | None:
    if kind == "observation":
        found = s.scalar(
            select(Observation)
            .where(Observation.id == record_id)
            .options(*OBSERVATION_LOAD_OPTIONS)
        )
        return None if found is None else observation_document(found)
    if kind == "conflict":  # settled here (protocol v2): its id and how
        conflict = s.get(RecordConflict, record_id)
        if conflict is None or conflict.resolution is None:
            return None
        return {"id": str(conflict.id), "resolution": conflict.resolution}
    if kind == "person":
        person = s.get(Person, record_id)
        if person is None:
            return None
        return {**person_json(person), "merged_into_id": ref(person.merged_into_id)}
    if kind == "team":
        team = s.get(Team, record_id)
        return None if team is None else team_json(team)
    framework = s.get(Framework, record_id)
    return None if framework is None else framework_json(framework)


def operations_now(operations: list[str], record: dict[str, Any] | None) -> list[str]:
    """What the server is told: a record still here was not deleted (a bundle import
    writes a record anew), and one gone was."""
    if record is None:
        return ["delete"]
    if operations == ["settle"]:
        return operations
    kept = [op for op in operations if op != "delete"]
    return kept or ["edit"]
