"""Recording observations: drafts, their ratings, narrative and agreed actions.

Every change to an observation, its ratings or its actions raises the observation's
revision, so an editor holding an old revision learns that the record moved on instead
of overwriting it. Signed records are locked: every change is refused.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from observer.errors import InvalidInput, NotFound, RecordLocked
from observer.governance.audit import record_edit, record_event
from observer.records.duplicate import duplicate_observation
from observer.records.fields import DRAFT_TEXT_FIELDS as DRAFT_TEXT_FIELDS
from observer.records.fields import EDITABLE_FIELDS as EDITABLE_FIELDS
from observer.records.fields import MAX_TEXT as MAX_TEXT
from observer.records.fields import OTHER_FIELDS as OTHER_FIELDS
from observer.records.fields import SHORT_TEXT_LIMITS as SHORT_TEXT_LIMITS
from observer.records.fields import TEXT_FIELDS as TEXT_FIELDS
from observer.records.fields import (
    check_due_after,
    check_duration,
    check_kind,
    check_owner,
    check_text,
    check_when,
    editable,
    level_id,
    rating_for,
    touch,
    write_field,
)
from observer.records.fields import text_limit as text_limit
from observer.records.frameworks import FrameworkDefinition, FrameworkInfo, framework_info
from observer.records.merge import Change, SaveOutcome, save_changes
from observer.records.readiness import Missing, NotReady, missing_for_sign_off
from observer.store.db import Database
from observer.store.filters import ObservationFilter as ObservationFilter
from observer.store.filters import filtered
from observer.store.models import (
    Action,
    Framework,
    Observation,
    Person,
    Rating,
    RatingLevel,
    RecordConflict,
    SharedState,
    fetch,
    table_of,
)
from observer.vocabulary import ActionStatus, Kind, Role, Status

log = logging.getLogger(__name__)


class _Keep:
    """Marks an argument left as it is."""


KEEP: Any = _Keep()


@dataclass(frozen=True)
class DraftDetails:
    observed_person_id: uuid.UUID
    observer_id: uuid.UUID
    kind: Kind
    observed_at: datetime
    framework_id: uuid.UUID | None = None
    duration_minutes: int | None = None
    case_reference: str = ""
    others_present: str = ""
    family_present: bool | None = None  # None: as the kind implies (Kind.involves_family)
    consent_given_by: str = ""
    consent_how: str = ""
    focus: str = ""


@dataclass(frozen=True)
class LevelView:
    code: str
    label: str
    description: str
    score: int | None


@dataclass(frozen=True)
class RatingView:
    standard_code: str
    title: str
    summary: str
    prompts: tuple[str, ...]
    level_code: str | None
    evidence: str


@dataclass(frozen=True)
class ActionView:
    id: uuid.UUID
    description: str
    owner_id: uuid.UUID | None
    owner_name: str
    due_date: date | None
    status: ActionStatus
    done_at: datetime | None
    done_by: str


@dataclass(frozen=True)
class ObservationView:
    """Everything the editor shows of one observation."""

    id: uuid.UUID
    revision: int
    status: Status
    kind: Kind
    observed_at: datetime
    duration_minutes: int | None
    observed_person_id: uuid.UUID
    observed_person_name: str
    observer_id: uuid.UUID
    observer_name: str
    framework: FrameworkInfo
    levels: tuple[LevelView, ...]
    ratings: tuple[RatingView, ...]
    actions: tuple[ActionView, ...]
    case_reference: str
    others_present: str
    family_present: bool
    consent_given_by: str
    consent_how: str
    focus: str
    strengths: str
    development_areas: str
    child_voice: str
    family_feedback: str
    reflection: str
    overall_level_code: str | None
    overall_rationale: str


@dataclass(frozen=True)
class ObservationSummary:
    id: uuid.UUID
    observed_person_id: uuid.UUID
    worker: str
    observer: str
    kind: Kind
    observed_at: datetime
    status: Status
    framework: str  # its short name, for tables
    overall: str
    framework_title: str = ""  # its whole name and version, where a short name needs it


@dataclass(frozen=True)
class DefaultFramework:
    framework: FrameworkInfo
    reason: str  # one sentence the person starting a record reads


NO_DEFAULT_REASON = (
    "No framework is set for this kind of observation or role; check this is the right one."
)


class Recording:
    def __init__(self, db: Database, actor: Callable[[], str]) -> None:
        self._db = db
        self._actor = actor

    # Frameworks for new records

    def frameworks(self) -> list[FrameworkInfo]:
        with self._db.session() as s:
            return _frameworks(s)

    def install_framework_file(self, path: Path) -> tuple[FrameworkDefinition, bool]:
        """Installs the framework in `path` (InvalidFramework, naming the file and field, if
        it is not one); returns it and whether it was new rather than already installed."""
        from observer.records.frameworks import load_framework_file, store_framework

        definition = load_framework_file(path)
        with self._db.session() as s, s.begin():
            _, added = store_framework(s, definition, source=path.name)
        return definition, added

    def default_framework(self, kind: Kind, role: Role | None, on: date) -> FrameworkInfo:
        return self.default_framework_choice(kind, role, on).framework

    def default_framework_choice(self, kind: Kind, role: Role | None, on: date) -> DefaultFramework:
        """The framework a new record of this kind and person starts with, and why."""
        with self._db.session() as s:
            return _default_framework(s, kind, role, on)

    # Drafts

    def create_draft(self, details: DraftDetails) -> uuid.UUID:
        kind = check_kind(details.kind)
        with self._db.session() as s, s.begin():
            for person_id in (details.observed_person_id, details.observer_id):
                if s.get(Person, person_id) is None:
                    raise InvalidInput("That person is not in this store.")
            framework_id = details.framework_id
            if framework_id is None:
                person = s.get(Person, details.observed_person_id)
                assert person is not None
                framework_id = _default_framework(
                    s, kind, Role(person.role), check_when(details.observed_at).date()
                ).framework.id
            framework = s.get(Framework, framework_id)
            if framework is None:
                raise InvalidInput("That framework is not installed.")
            observation = Observation(
                observed_person_id=details.observed_person_id,
                observer_id=details.observer_id,
                framework_id=framework.id,
                kind=kind.value,
                observed_at=check_when(details.observed_at),
                duration_minutes=check_duration(details.duration_minutes),
                family_present=(
                    kind.involves_family
                    if details.family_present is None
                    else bool(details.family_present)
                ),
                status=Status.DRAFT.value,
                **{name: check_text(name, getattr(details, name)) for name in DRAFT_TEXT_FIELDS},
            )
            observation.ratings = [Rating(standard_id=st.id) for st in framework.standards]
            s.add(observation)
            s.flush()
            self._event(s, "create", observation.id)
            return observation.id

    def get(self, observation_id: uuid.UUID) -> ObservationView:
        with self._db.session() as s:
            return self._view(s, self._observation(s, observation_id))

    def update(
        self,
        observation_id: uuid.UUID,
        changes: Mapping[str, Any],
        expected_revision: int | None = None,
    ) -> int:
        """Applies field changes to a draft; returns the new revision."""
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise InvalidInput(f"{', '.join(sorted(unknown))} cannot be changed this way.")
        with self._db.session() as s, s.begin():
            observation = self._editable(s, observation_id, expected_revision)
            with s.no_autoflush:  # one write, so one new revision
                for name, value in changes.items():
                    write_field(observation, name, value)
            return self._edited(s, observation)

    def set_rating(
        self,
        observation_id: uuid.UUID,
        standard_code: str,
        *,
        level_code: str | None = KEEP,
        evidence: str = KEEP,
        expected_revision: int | None = None,
    ) -> int:
        with self._db.session() as s, s.begin():
            observation = self._editable(s, observation_id, expected_revision)
            rating = rating_for(observation, standard_code)
            if level_code is not KEEP:
                rating.level_id = level_id(observation, level_code)
            if evidence is not KEEP:
                rating.evidence = check_text("evidence", evidence)
            return self._edited(s, observation)

    def add_action(
        self,
        observation_id: uuid.UUID,
        description: str,
        owner_id: uuid.UUID | None = None,
        due_date: date | None = None,
        expected_revision: int | None = None,
    ) -> uuid.UUID:
        with self._db.session() as s, s.begin():
            observation = self._editable(s, observation_id, expected_revision)
            action = Action(
                description=check_text("the action", description),
                owner_id=check_owner(s, owner_id),
                due_date=check_due_after(observation.observed_at, due_date),
                status=ActionStatus.OPEN.value,
                position=max((a.position for a in observation.actions), default=-1) + 1,
            )
            observation.actions.append(action)
            self._edited(s, observation)
            return action.id

    def update_action(
        self,
        action_id: uuid.UUID,
        *,
        description: str = KEEP,
        owner_id: uuid.UUID | None = KEEP,
        due_date: date | None = KEEP,
    ) -> int:
        with self._db.session() as s, s.begin():
            action = self._action(s, action_id)
            observation = self._editable(s, action.observation_id, None)
            if description is not KEEP:
                action.description = check_text("the action", description)
            if owner_id is not KEEP:
                action.owner_id = check_owner(s, owner_id)
            if due_date is not KEEP:
                action.due_date = check_due_after(observation.observed_at, due_date)
            return self._edited(s, observation)

    def remove_action(self, action_id: uuid.UUID) -> int:
        with self._db.session() as s, s.begin():
            action = self._action(s, action_id)
            observation = self._editable(s, action.observation_id, None)
            observation.actions.remove(action)
            return self._edited(s, observation)

    def delete_draft(self, observation_id: uuid.UUID) -> None:
        with self._db.session() as s, s.begin():
            observation = self._observation(s, observation_id)
            if observation.status == Status.SIGNED.value or observation.signatures:
                raise RecordLocked("A signed observation cannot be deleted.")
            s.delete(observation)
            # The hashes of the states it was shared in stay, so that an unchanged copy
            # arriving later stays deleted; their words go with the draft.
            shared = table_of(SharedState)
            s.execute(
                update(shared)
                .where(shared.c.observation_id == observation_id)
                .values(document=None)
            )
            conflicts = table_of(RecordConflict)
            s.execute(delete(conflicts).where(conflicts.c.observation_id == observation_id))
            self._event(s, "delete", observation_id)

    def save(
        self,
        observation_id: uuid.UUID,
        changes: Sequence[Change],
        wait_ms: int | None = None,
    ) -> SaveOutcome:
        """The editor's autosave: only what the user changed, merged with edits made elsewhere.

        A record ready for sign-off that loses something sign-off needs goes back to draft,
        in the same transaction and the same new revision as the edit that lost it."""
        actor = self._actor()

        def write(s: Session, observation: Observation, wrote: bool) -> int:
            back_to_draft = observation.status == Status.READY.value and bool(
                missing_for_sign_off(self._view(s, observation))
            )
            if back_to_draft:
                observation.status = Status.DRAFT.value
            elif not wrote:
                return observation.revision
            revision = touch(s, observation)
            if wrote:
                record_edit(s, actor=actor, record_type="observation", record_id=observation_id)
            if back_to_draft:
                self._event(s, "return_to_draft", observation_id)
                log.info("observation %s is now %s", observation_id, Status.DRAFT.value)
            return revision

        return save_changes(self._db, observation_id, changes, wait_ms, write=write)

    def duplicate(
        self, observation_id: uuid.UUID, observer_id: uuid.UUID, observed_at: datetime
    ) -> uuid.UUID:
        """A new draft with another observation's set-up; no judgements, consent or actions."""
        with self._db.session() as s, s.begin():
            copy = duplicate_observation(
                s, self._observation(s, observation_id), observer_id, observed_at
            )
            self._event(s, "create", copy.id)
            log.info("observation %s started as a copy of %s", copy.id, observation_id)
            return copy.id

    # Sign-off

    def readiness(self, observation_id: uuid.UUID) -> list[Missing]:
        """What must still be filled in before the observation can be signed, in editor order."""
        return missing_for_sign_off(self.get(observation_id))

    def mark_ready(self, observation_id: uuid.UUID, expected_revision: int | None = None) -> int:
        with self._db.session() as s, s.begin():
            observation = self._editable(s, observation_id, expected_revision)
            if observation.status == Status.READY.value:
                return observation.revision
            missing = missing_for_sign_off(self._view(s, observation))
            if missing:
                raise NotReady(missing)
            return self._move(s, observation, Status.READY, "ready")

    def return_to_draft(self, observation_id: uuid.UUID) -> int:
        with self._db.session() as s, s.begin():
            observation = self._editable(s, observation_id, None)
            if observation.status == Status.DRAFT.value:
                return observation.revision
            return self._move(s, observation, Status.DRAFT, "return_to_draft")

    # Lists

    def count(self, query: ObservationFilter | None = None) -> int:
        statement = filtered(select(func.count()).select_from(Observation), query)
        with self._db.session() as s:
            return int(s.scalar(statement) or 0)

    def list(
        self, query: ObservationFilter | None = None, limit: int | None = None
    ) -> list[ObservationSummary]:
        """Observations matching the filter, newest first; the newest `limit` if given."""
        worker, observer = aliased(Person), aliased(Person)
        statement = (
            select(
                Observation.id,
                Observation.observed_person_id,
                worker.name,
                observer.name,
                Observation.kind,
                Observation.observed_at,
                Observation.status,
                func.coalesce(func.nullif(Framework.short_name, ""), Framework.name),
                RatingLevel.label,
                Framework.name,
                Framework.version,
            )
            .join(worker, worker.id == Observation.observed_person_id)
            .join(observer, observer.id == Observation.observer_id)
            .join(Framework, Framework.id == Observation.framework_id)
            .outerjoin(RatingLevel, RatingLevel.id == Observation.overall_level_id)
            .order_by(Observation.observed_at.desc())
        )
        statement = filtered(statement, query).limit(limit)
        with self._db.session() as s:
            return [
                ObservationSummary(
                    id=row[0],
                    observed_person_id=row[1],
                    worker=row[2],
                    observer=row[3],
                    kind=Kind(row[4]),
                    observed_at=row[5],
                    status=Status(row[6]),
                    framework=row[7],
                    overall=row[8] or "",
                    framework_title=f"{row[9]}, version {row[10]}",
                )
                for row in s.execute(statement)
            ]

    # Internals

    @staticmethod
    def _observation(s: Session, observation_id: uuid.UUID) -> Observation:
        return fetch(s, Observation, observation_id, "observation")

    @staticmethod
    def _action(s: Session, action_id: uuid.UUID) -> Action:
        return fetch(s, Action, action_id, "action")

    @staticmethod
    def _editable(
        s: Session, observation_id: uuid.UUID, expected_revision: int | None
    ) -> Observation:
        return editable(s, observation_id, expected_revision)

    def _event(self, s: Session, action: str, observation_id: uuid.UUID) -> None:
        record_event(
            s,
            actor=self._actor(),
            action=action,
            record_type="observation",
            record_id=observation_id,
        )

    def _edited(self, s: Session, observation: Observation) -> int:
        """Writes the change, with an "edit" in the audit trail; returns the new revision."""
        revision = touch(s, observation)
        record_edit(s, actor=self._actor(), record_type="observation", record_id=observation.id)
        return revision

    def _move(self, s: Session, observation: Observation, status: Status, action: str) -> int:
        observation.status = status.value
        revision = touch(s, observation)
        self._event(s, action, observation.id)
        log.info("observation %s is now %s", observation.id, status.value)
        return revision

    @staticmethod
    def _view(s: Session, o: Observation) -> ObservationView:
        # A signed record shows the names and wording it showed when the observer signed.
        shown = o.wording_at_signing or o.shown_at_signing or {}
        owners = shown.get("action_owners") or {}
        titles = shown.get("standards") or {}
        labels = shown.get("levels") or {}
        framework = o.framework
        levels = {lv.id: lv for lv in framework.levels}
        ratings = {r.standard_id: r for r in o.ratings}
        rating_views = []
        for standard in framework.standards:
            rating = ratings.get(standard.id)
            level = levels.get(rating.level_id) if rating and rating.level_id else None
            rating_views.append(
                RatingView(
                    standard_code=standard.code,
                    title=titles.get(standard.code) or standard.title,
                    summary=standard.summary,
                    prompts=tuple(standard.prompts),
                    level_code=level.code if level else None,
                    evidence=rating.evidence if rating else "",
                )
            )
        info = framework_info(framework, len(framework.standards))
        kept_name = (shown.get("framework") or {}).get("name")
        if kept_name:
            info = replace(info, name=kept_name)
        overall = levels.get(o.overall_level_id) if o.overall_level_id else None
        return ObservationView(
            id=o.id,
            revision=o.revision,
            status=Status(o.status),
            kind=Kind(o.kind),
            observed_at=o.observed_at,
            duration_minutes=o.duration_minutes,
            observed_person_id=o.observed_person_id,
            observed_person_name=shown.get("observed_person") or o.observed_person.name,
            observer_id=o.observer_id,
            observer_name=shown.get("observer") or o.observer.name,
            framework=info,
            levels=tuple(
                LevelView(lv.code, labels.get(lv.code) or lv.label, lv.description, lv.score)
                for lv in framework.levels
            ),
            ratings=tuple(rating_views),
            actions=tuple(
                ActionView(
                    id=a.id,
                    description=a.description,
                    owner_id=a.owner_id,
                    owner_name=owners.get(str(a.id)) or (a.owner.name if a.owner else ""),
                    due_date=a.due_date,
                    status=ActionStatus(a.status),
                    done_at=a.done_at,
                    done_by=a.done_by,
                )
                for a in o.actions
            ),
            family_present=o.family_present,
            overall_level_code=overall.code if overall else None,
            **{name: getattr(o, name) for name in TEXT_FIELDS},
        )


def _frameworks(s: Session) -> list[FrameworkInfo]:
    frameworks = s.scalars(
        select(Framework)
        .options(selectinload(Framework.standards))
        .order_by(Framework.name, Framework.version)
    ).all()
    return [framework_info(f, len(f.standards)) for f in frameworks]


def _default_framework(s: Session, kind: Kind, role: Role | None, on: date) -> DefaultFramework:
    """Supervision → the supervisors' statement; ASYE → PCF; else the direct-work one."""
    installed = _frameworks(s)
    candidates = [f for f in installed if f.in_force_on(on)] or installed
    if not candidates:
        raise NotFound("No framework is installed.")

    def newest(matches: list[FrameworkInfo]) -> FrameworkInfo | None:
        return max(matches, key=lambda f: f.version) if matches else None

    def named(framework: FrameworkInfo) -> str:
        return framework.name  # in full: a short name such as "KSS supervisors" needs explaining

    by_kind = newest([f for f in candidates if kind.value in f.default_kinds])
    by_role = newest([f for f in candidates if role and role.value in f.default_roles])
    if kind.is_supervision and by_kind:
        return DefaultFramework(by_kind, f"Chosen for supervision: {named(by_kind)}.")
    if by_role and role:
        who = "a newly qualified worker" if role is Role.ASYE else f"a {role.label.lower()}"
        return DefaultFramework(by_role, f"Chosen for {who}: {named(by_role)}.")
    if by_kind:
        return DefaultFramework(by_kind, f"Chosen for this kind of observation: {named(by_kind)}.")
    return DefaultFramework(candidates[0], NO_DEFAULT_REASON)


def observation_view(s: Session, observation: Observation) -> ObservationView:
    """Everything the editor shows of an observation loaded in `s`."""
    return Recording._view(s, observation)
