"""Writing a bundle: every record, or one worker's, as documented JSON."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from observer import __version__
from observer.bundle.quality import quality_json
from observer.conflicts.shared import (
    MOST_STATES_NAMED,
    is_draft,
    named_states,
    remember,
    shared_hash,
)
from observer.errors import InvalidInput
from observer.records.canonical import (
    OBSERVATION_LOAD_OPTIONS,
    iso,
    merged_ids,
    observation_document,
    record_fields,
    ref,
)
from observer.service.plan import StandardRef, parse_plan
from observer.service.themes import plan_versions
from observer.store.db import Database
from observer.store.models import Framework, Observation, Person, Team
from observer.store.plans import ImprovementPlanVersion
from observer.store.sample import SAMPLE_WORDS, holds_sample_data

FORMAT_NAME = "practice-observer-bundle"
FORMAT_VERSION = 1
MAX_BUNDLE_BYTES = 2_000_000_000


def export_bundle(
    db: Database, person_ids: Iterable[uuid.UUID] | None = None, exported_by: str = ""
) -> dict[str, Any]:
    """Every record, or only the observations of the given workers and what they refer to.
    Each draft names the states this store shared it in (`based_on`), and its state now is
    kept as shared, so that a copy edited elsewhere merges exactly when it comes back."""
    with db.session() as s:
        query = select(Observation).options(*OBSERVATION_LOAD_OPTIONS)
        wanted = None if person_ids is None else set(person_ids)
        if wanted is not None:
            query = query.where(Observation.observed_person_id.in_(wanted))
        observations = list(s.scalars(query.order_by(Observation.observed_at, Observation.id)))
        people = {p.id: p for p in s.scalars(select(Person))}
        teams = {t.id: t for t in s.scalars(select(Team))}
        frameworks = list(s.scalars(select(Framework).order_by(Framework.key, Framework.version)))
        plans = plan_versions(s)

        if wanted is not None:
            person_keep, team_keep = _closure(wanted, observations, people, teams)
            people = {k: v for k, v in people.items() if k in person_keep}
            teams = {k: v for k, v in teams.items() if k in team_keep}
            used = {o.framework_id for o in observations}
            # and those the plan maps, so that the plan can be taken in wherever it goes
            mapped = {(key, version) for p in plans for (key, version, _), _ in _mapping(p)}
            frameworks = [f for f in frameworks if f.id in used or (f.key, f.version) in mapped]

        sample = {"sample_data": True, "sample_note": SAMPLE_WORDS} if holds_sample_data(s) else {}
        documents = [observation_document(o) for o in observations]
        frameworks_json = [framework_json(f) for f in frameworks]
        teams_json = [team_json(t) for t in sorted(teams.values(), key=lambda t: str(t.id))]
        people_json = [person_json(p) for p in sorted(people.values(), key=lambda p: str(p.id))]
        quality = quality_json(s, None if wanted is None else [o.id for o in observations])
        drafts = [d for d in documents if is_draft(d)]
        states = named_states(s, [uuid.UUID(d["id"]) for d in drafts])
        for document in drafts:  # its state now first: it is kept as shared below
            now = shared_hash(document)
            earlier = [h for h in states.get(uuid.UUID(document["id"]), []) if h != now]
            document["based_on"] = [now, *earlier][:MOST_STATES_NAMED]
    if drafts:
        with db.session() as s, s.begin():
            remember(s, drafts)
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        **sample,
        "exported_at": datetime.now(UTC).isoformat(),
        **({"exported_by": exported_by} if exported_by else {}),
        "frameworks": frameworks_json,
        "teams": teams_json,
        "people": people_json,
        "observations": documents,
        "improvement_plans": [plan_json(p) for p in plans],
        **quality,
    }


def _mapping(row: ImprovementPlanVersion) -> tuple[tuple[StandardRef, str], ...]:
    return parse_plan(json.loads(row.definition), f"improvement plan v{row.version}").standards


def plan_json(row: ImprovementPlanVersion) -> dict[str, Any]:
    """A version of the improvement plan, oldest first; the last is the exporter's current.
    When and from where it came are this store's own history, and stay here."""
    return {
        "version": row.version,
        "content_hash": row.content_hash,
        "definition": json.loads(row.definition),
    }


def _closure(
    wanted: set[uuid.UUID],
    observations: list[Observation],
    people: dict[uuid.UUID, Person],
    teams: dict[uuid.UUID, Team],
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """The people and teams the chosen observations refer to, directly or through teams."""
    person_keep = set(wanted)
    for o in observations:
        person_keep |= {o.observed_person_id, o.observer_id}
        person_keep |= {a.owner_id for a in o.actions if a.owner_id is not None}
        person_keep |= merged_ids(o)
    team_keep: set[uuid.UUID] = set()
    while True:
        teams_now = {t for p in person_keep if (t := people[p].team_id) is not None}
        managers = {m for t in teams_now if (m := teams[t].manager_id) is not None}
        if teams_now <= team_keep and managers <= person_keep:
            return person_keep, team_keep
        team_keep |= teams_now
        person_keep |= managers


def framework_json(f: Framework) -> dict[str, Any]:
    return {
        "id": str(f.id),
        "key": f.key,
        "version": f.version,
        "content_hash": f.content_hash,
        "definition": json.loads(f.definition),
    }


def team_json(t: Team) -> dict[str, Any]:
    return {**record_fields(t), "name": t.name, "manager_id": ref(t.manager_id)}


def person_json(p: Person) -> dict[str, Any]:
    return {
        **record_fields(p),
        "name": p.name,
        "role": p.role,
        "team_id": ref(p.team_id),
        "staff_reference": p.staff_reference,
        "active": p.active,
        "left_on": iso(p.left_on),
        "asye_started_on": iso(p.asye_started_on),
    }


def bundle_file(bundle: dict[str, Any], passphrase: str | None = None) -> bytes:
    """The bundle as the bytes of its file: sealed with `passphrase` unless it is None."""
    from observer.bundle.sealed import seal

    document = (json.dumps(bundle, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return document if passphrase is None else seal(document, passphrase)


def write_bundle(bundle: dict[str, Any], path: Path, passphrase: str | None = None) -> None:
    """Writes atomically, sealed with `passphrase` unless it is None, readable by its owner
    only (0600): a half-written bundle never replaces a good file, and a failed write
    leaves no partial copy behind (observer/signing/files.py)."""
    from observer.signing.files import write_atomically

    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give a file name for the bundle.")
    write_atomically(path, bundle_file(bundle, passphrase), what="bundle")
