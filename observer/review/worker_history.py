"""A worker's history, as a manager reads it before supervision or appraisal.

`worker_history` gathers, in a handful of queries, everything the worker page and the
history PDF show: the profile, the timeline, trends per standard, recurring development
areas, actions, counts by kind and the ASYE tracker. It returns plain frozen dataclasses,
safe to hand from a background thread to the GUI.

What counts where:

- The **filter** (date range, kinds, observer, framework version) narrows the timeline,
  counts, trends, recurring areas and done actions. **Open actions are listed whatever
  the filter**: an action still open matters however the page is narrowed. The ASYE
  tracker ignores the filter too: it is about the ASYE year.
- **Judgements** (trends, recurring areas, the ASYE count) come from observations whose
  record the observer has finished — ready for sign-off, or signed. A draft is listed in
  the timeline with its status, but its ratings can still change, so they are not yet
  part of the worker's history.
- Below Good and recurring are defined in observer/review/trends.py; direct observations and
  the ASYE year in observer/review/asye.py.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.errors import InvalidInput
from observer.review.asye import (
    DIRECT_OBSERVATION_KINDS,
    FINISHED_STATUSES,
    AsyeObservation,
    AsyeTracker,
    asye_tracker,
    asye_year_end,
)
from observer.review.settings import asye_observations_required
from observer.review.trends import (
    FrameworkScale,
    FrameworkTrends,
    RatedObservation,
    RecurringArea,
    RecurringCandidate,
    build_trends,
    find_recurring,
    load_scales,
    rating_series,
    recurring_area,
)
from observer.store.db import Database
from observer.store.filters import ObservationFilter, filtered, local_day
from observer.store.ids import id_key, raw_id
from observer.store.models import Action, Observation, Person, Rating, Team, fetch
from observer.vocabulary import ActionStatus, Kind, Role, Status

_CHUNK = 500  # ids per IN list: well under any database's limit on bound values
# Stored values to what they mean: a look-up, where calling the enumeration costs a
# microsecond a row.
KINDS = {kind.value: kind for kind in Kind}
STATUSES = {status.value: status for status in Status}
ACTION_STATUSES = {status.value: status for status in ActionStatus}


@dataclass(frozen=True)
class HistoryFilter:
    """What the worker page and the history PDF are narrowed to; empty means everything.

    Dates are whole days on this laptop's calendar, both included; `kinds` () is every kind.
    """

    date_from: date | None = None
    date_to: date | None = None
    kinds: tuple[Kind, ...] = ()
    observer_id: uuid.UUID | None = None
    framework_id: uuid.UUID | None = None  # one framework version
    # Only records signed by both parties: what a signed history PDF holds by default.
    signed_only: bool = False

    def check(self) -> HistoryFilter:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput("The start of the date range is after its end.")
        return self

    def for_worker(self, person_id: uuid.UUID) -> ObservationFilter:
        """The same filter for the observations list, narrowed to one worker."""
        return ObservationFilter(
            person_ids=(person_id,),
            kinds=self.kinds or None,
            observer_id=self.observer_id,
            framework_id=self.framework_id,
            date_from=self.date_from,
            date_to=self.date_to,
            status=Status.SIGNED if self.signed_only else None,
        )

    @property
    def is_empty(self) -> bool:
        return self == HistoryFilter()


@dataclass(frozen=True)
class WorkerProfile:
    id: uuid.UUID
    name: str
    role: Role
    team_name: str
    staff_reference: str
    active: bool
    left_on: date | None
    asye_started_on: date | None

    @property
    def role_label(self) -> str:
        return self.role.label


@dataclass(frozen=True)
class TimelineEntry:
    observation_id: uuid.UUID
    kind: Kind
    observed_at: datetime
    observed_on: date  # on this laptop's calendar
    observer_name: str
    framework_id: uuid.UUID
    framework_name: str
    overall: str  # the overall judgement's label; "" when not given
    overall_score: int | None  # higher is better; None when not given
    status: Status
    observer_id: uuid.UUID | None = None  # for the worker page's choice of observer


@dataclass(frozen=True)
class HistoryAction:
    id: uuid.UUID
    observation_id: uuid.UUID
    observation_observed_on: date
    observation_kind: Kind
    description: str
    owner_name: str
    due_date: date | None
    status: ActionStatus
    done_at: datetime | None
    done_by: str
    overdue: bool  # open and due before the history's `today`


@dataclass(frozen=True)
class KindCount:
    kind: Kind
    label: str
    count: int


@dataclass(frozen=True)
class HistoryTotals:
    observations: int
    signed: int
    ready: int
    drafts: int
    open_actions: int  # overdue ones included
    overdue_actions: int
    done_actions: int


@dataclass(frozen=True)
class WorkerHistory:
    profile: WorkerProfile
    filters: HistoryFilter
    today: date
    timeline: tuple[TimelineEntry, ...]  # newest first
    trends: tuple[FrameworkTrends, ...]  # the framework version rated most recently first
    recurring_areas: tuple[RecurringArea, ...]  # the most recently below Good first
    # Overdue (soonest due first), then open (soonest due first, undated last), then done
    # (latest done first).
    actions: tuple[HistoryAction, ...]
    counts_by_kind: tuple[KindCount, ...]  # kinds in the usual order; only those seen
    totals: HistoryTotals
    asye: AsyeTracker | None = field(default=None)  # for a newly qualified worker only

    @property
    def open_actions(self) -> tuple[HistoryAction, ...]:
        return tuple(a for a in self.actions if a.status is ActionStatus.OPEN)

    @property
    def overdue_actions(self) -> tuple[HistoryAction, ...]:
        return tuple(a for a in self.actions if a.overdue)

    @property
    def done_actions(self) -> tuple[HistoryAction, ...]:
        return tuple(a for a in self.actions if a.status is ActionStatus.DONE)

    def count_by_kind_label(self) -> dict[str, int]:
        return {c.label: c.count for c in self.counts_by_kind}


def worker_history(
    db: Database,
    person_id: uuid.UUID,
    filters: HistoryFilter | None = None,
    today: date | None = None,
) -> WorkerHistory:
    """Everything the worker page and the history PDF show of one worker."""
    filters = (filters or HistoryFilter()).check()
    today = today or date.today()
    with db.session() as s:
        profile = _profile(s, person_id)
        scales = load_scales(s)
        timeline = _timeline(s, filters.for_worker(person_id), scales)
        series = rating_series(scales, _rated(s, timeline))
        candidates = find_recurring(scales, series)
        evidence = _evidence(s, candidates)
        actions = _actions(s, person_id, {t.observation_id for t in timeline}, today)
        asye = _asye(s, profile) if profile.role is Role.ASYE else None
    required = asye_observations_required(db) if asye is not None else 0
    statuses = Counter(t.status for t in timeline)
    kinds = Counter(t.kind for t in timeline)
    return WorkerHistory(
        profile=profile,
        filters=filters,
        today=today,
        timeline=tuple(timeline),
        trends=build_trends(scales, series),
        recurring_areas=tuple(recurring_area(scales, c, evidence) for c in candidates),
        actions=actions,
        counts_by_kind=tuple(KindCount(k, k.label, kinds[k]) for k in Kind if kinds[k]),
        totals=HistoryTotals(
            observations=len(timeline),
            signed=statuses[Status.SIGNED],
            ready=statuses[Status.READY],
            drafts=statuses[Status.DRAFT],
            open_actions=sum(a.status is ActionStatus.OPEN for a in actions),
            overdue_actions=sum(a.overdue for a in actions),
            done_actions=sum(a.status is ActionStatus.DONE for a in actions),
        ),
        asye=None if asye is None else asye_tracker(asye[0], required, asye[1], today),
    )


def _profile(s: Session, person_id: uuid.UUID) -> WorkerProfile:
    person = fetch(s, Person, person_id, "person")
    team = s.get(Team, person.team_id) if person.team_id else None
    return WorkerProfile(
        id=person.id,
        name=person.name,
        role=Role(person.role),
        team_name=team.name if team else "",
        staff_reference=person.staff_reference or "",
        active=person.active,
        left_on=person.left_on,
        asye_started_on=person.asye_started_on,
    )


def _timeline(
    s: Session, query: ObservationFilter, scales: dict[uuid.UUID, FrameworkScale]
) -> list[TimelineEntry]:
    by_key = {fid.hex: scale for fid, scale in scales.items()}
    statement = (
        select(
            Observation.id,
            Observation.kind,
            Observation.observed_at,
            Person.name,
            raw_id(Observation.framework_id),
            raw_id(Observation.overall_level_id),
            Observation.status,
            Observation.observer_id,
        )
        .join(Person, Person.id == Observation.observer_id)  # the observer
        .order_by(Observation.observed_at.desc(), Observation.id)
    )
    entries = []
    # Through the session's connection: the ORM's handling of each row costs more than the
    # query, for a worker observed five hundred times.
    for oid, kind, observed_at, observer_name, fid, overall_id, status, observer_id in (
        s.connection().execute(filtered(statement, query)).all()
    ):
        scale = by_key[id_key(fid)]
        overall = scale.levels.get(id_key(overall_id)) if overall_id else None
        entries.append(
            TimelineEntry(
                observation_id=oid,
                kind=KINDS[kind],
                observed_at=observed_at,
                observed_on=local_day(observed_at),
                observer_name=observer_name,
                framework_id=scale.id,
                framework_name=scale.short_name,
                overall=overall.label if overall else "",
                overall_score=overall.score if overall else None,
                status=STATUSES[status],
                observer_id=observer_id,
            )
        )
    return entries


def _chunks(items: Sequence[uuid.UUID]) -> Iterator[Sequence[uuid.UUID]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _rated(s: Session, timeline: Sequence[TimelineEntry]) -> list[RatedObservation]:
    """The finished observations of the timeline, oldest first, with what each rated."""
    finished = [t for t in reversed(timeline) if t.status in FINISHED_STATUSES]
    ratings: dict[str, list[tuple[str, str]]] = {t.observation_id.hex: [] for t in finished}
    for chunk in _chunks([t.observation_id for t in finished]):
        statement = select(
            raw_id(Rating.observation_id), raw_id(Rating.standard_id), raw_id(Rating.level_id)
        ).where(Rating.observation_id.in_(chunk), Rating.level_id.is_not(None))
        rows: Sequence[Sequence[Any]] = s.connection().execute(statement).all()
        if rows and isinstance(rows[0][0], bytes):  # SQLite: each id's 16 bytes
            rows = [(o.hex(), st.hex(), lv.hex()) for o, st, lv in rows]
        elif rows and not isinstance(rows[0][0], str):  # a database that returns UUIDs
            rows = [[id_key(value) for value in row] for row in rows]
        for observation, standard, level in rows:
            ratings[observation].append((standard, level))
    return [
        RatedObservation(
            observation_id=t.observation_id,
            observed_at=t.observed_at,
            observed_on=t.observed_on,
            kind=t.kind,
            framework_id=t.framework_id,
            ratings=tuple(ratings[t.observation_id.hex]),
        )
        for t in finished
    ]


def _evidence(
    s: Session, candidates: Sequence[RecurringCandidate]
) -> dict[tuple[uuid.UUID, str], str]:
    """The evidence of each rating below Good behind a recurring area."""
    wanted = {
        (observation.observation_id, c.standard)
        for c in candidates
        for observation, _ in c.below_good
    }
    observations = {observation for observation, _ in wanted}
    found: dict[tuple[uuid.UUID, str], str] = {}
    for chunk in _chunks(list(observations)):
        statement = select(
            Rating.observation_id, raw_id(Rating.standard_id), Rating.evidence
        ).where(Rating.observation_id.in_(chunk))
        for observation_id, standard, text in s.execute(statement):
            key = (observation_id, id_key(standard))
            if key in wanted:
                found[key] = text
    return found


def _actions(
    s: Session, person_id: uuid.UUID, in_filter: set[uuid.UUID], today: date
) -> tuple[HistoryAction, ...]:
    statement = (
        select(
            Action.id,
            Action.observation_id,
            Observation.observed_at,
            Observation.kind,
            Action.description,
            Person.name,
            Action.due_date,
            Action.status,
            Action.done_at,
            Action.done_by,
        )
        .join(Observation, Observation.id == Action.observation_id)
        .outerjoin(Person, Person.id == Action.owner_id)  # the action's owner
        .where(Observation.observed_person_id == person_id)
    )
    actions = []
    for row in s.connection().execute(statement).all():
        status = ACTION_STATUSES[row[7]]
        if status is ActionStatus.DONE and row[1] not in in_filter:
            continue
        due: date | None = row[6]
        actions.append(
            HistoryAction(
                id=row[0],
                observation_id=row[1],
                observation_observed_on=local_day(row[2]),
                observation_kind=KINDS[row[3]],
                description=row[4],
                owner_name=row[5] or "",
                due_date=due,
                status=status,
                done_at=row[8],
                done_by=row[9],
                overdue=status is ActionStatus.OPEN and due is not None and due < today,
            )
        )
    return tuple(sorted(actions, key=_action_order))


def _action_order(a: HistoryAction) -> tuple[int, float, int]:
    # Ties by id: as their text sorts, which their number does, more cheaply.
    if a.status is ActionStatus.DONE:
        return (3, -(a.done_at.timestamp() if a.done_at else 0.0), a.id.int)
    if a.due_date is None:
        return (2, float(a.observation_observed_on.toordinal()), a.id.int)
    return (0 if a.overdue else 1, float(a.due_date.toordinal()), a.id.int)


def _asye(s: Session, profile: WorkerProfile) -> tuple[date | None, list[AsyeObservation]]:
    """The start of the ASYE year and the direct observations in it (all, with no start)."""
    start = profile.asye_started_on
    query = ObservationFilter(
        person_ids=(profile.id,),
        kinds=DIRECT_OBSERVATION_KINDS,
        date_from=start,
        date_to=asye_year_end(start) if start else None,
    )
    statement = filtered(
        select(Observation.id, Observation.observed_at, Observation.kind, Observation.status),
        query,
    )
    return start, [
        AsyeObservation(oid, local_day(observed_at), Kind(kind), Status(status))
        for oid, observed_at, kind, status in s.execute(statement)
    ]


class WorkerHistories:
    """One worker's history, for the worker page, `observer worker` and the history PDF."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def of(
        self,
        person_id: uuid.UUID,
        filters: HistoryFilter | None = None,
        today: date | None = None,
    ) -> WorkerHistory:
        return worker_history(self._db, person_id, filters, today)
