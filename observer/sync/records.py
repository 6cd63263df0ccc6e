"""A record as a push sends it: an observation shaped as in a bundle (its parts inside),
a person, a team, or a framework with its definition; None when it is gone."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.bundle.export import framework_json, person_json, team_json
from observer.records.canonical import (
    OBSERVATION_LOAD_OPTIONS,
    observation_document,
    record_fields,
    ref,
)
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
    if kind in QUALITY_KINDS:
        return _quality_record(s, kind, record_id)
    framework = s.get(Framework, record_id)
    return None if framework is None else framework_json(framework)


QUALITY_KINDS = ("improvement_plan", "moderation_sample", "moderation", "board_commentary")


def _quality_record(s: Session, kind: str, record_id: uuid.UUID) -> dict[str, Any] | None:
    """An improvement plan's version, a sample, a moderation or a commentary, as a bundle
    carries it (observer/bundle/quality.py)."""
    from observer.bundle.quality import (
        commentary_json,
        framework_codes,
        moderation_json,
        sample_json,
    )
    from observer.store.commentary import BoardCommentary
    from observer.store.moderation_tables import Moderation, ModerationSample
    from observer.store.plans import ImprovementPlanVersion

    if kind == "improvement_plan":
        plan = s.get(ImprovementPlanVersion, record_id)
        if plan is None:
            return None
        return {
            **record_fields(plan),
            "version": plan.version,
            "content_hash": plan.content_hash,
            "definition": json.loads(plan.definition),
        }
    if kind == "moderation_sample":
        sample = s.get(ModerationSample, record_id)
        return None if sample is None else sample_json(sample)
    if kind == "moderation":
        moderation = s.get(Moderation, record_id)
        return None if moderation is None else moderation_json(moderation, framework_codes(s))
    commentary = s.get(BoardCommentary, record_id)
    return None if commentary is None else commentary_json(commentary)


def operations_now(operations: list[str], record: dict[str, Any] | None) -> list[str]:
    """What the server is told: a record still here was not deleted (a bundle import
    writes a record anew), and one gone was."""
    if record is None:
        return ["delete"]
    if operations == ["settle"]:
        return operations
    kept = [op for op in operations if op != "delete"]
    return kept or ["edit"]
