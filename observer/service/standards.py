"""Per standard across the service: how often rated, the spread over the scale, the share
Good or better and its change; and the standards most often rated below Good.

A standard is its framework's key, version and code (observer/review/trends.py): versions
are never merged, and each has its own scale. **Good or better** is the complement of
trends.py's "below Good": a level scoring at least the framework's "good" level (the top
two of the shipped four). "Not observed" is not a rating and is not counted.

**Too few to compare**: fewer than MIN_TO_COMPARE rated observations in the period or in
the one before; the share is still shown, its change is not.

Every figure comes from a few grouped statements over the store, whatever its size.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from observer.review.asye import FINISHED_STATUSES
from observer.review.trends import FrameworkScale
from observer.service.period import ServiceFilter
from observer.store.filters import day_after, day_start, local_day
from observer.store.ids import id_key, raw_id
from observer.store.models import Observation, Person, Rating
from observer.vocabulary import Kind

MIN_TO_COMPARE = 5
AREAS_SHOWN = 5
EVIDENCE_SHOWN = 10
EVIDENCE_BATCH = 200
_KINDS = {kind.value: kind for kind in Kind}


class StandardKey(NamedTuple):
    """A standard as an improvement plan names it: never merged across versions."""

    framework_key: str
    framework_version: int
    code: str


@dataclass(frozen=True)
class LevelCount:
    code: str
    label: str
    good_or_better: bool
    count: int


@dataclass(frozen=True)
class StandardFigures:
    framework_id: uuid.UUID
    framework_key: str
    framework_version: int
    framework_name: str  # with its version: "Direct work, version 1"
    code: str
    title: str
    position: int  # the standard's place in its framework
    levels: tuple[LevelCount, ...]  # the scale, best first
    rated: int  # observations in the period that rated it
    good_or_better: int
    previous_rated: int
    previous_good_or_better: int

    @property
    def key(self) -> StandardKey:
        return StandardKey(self.framework_key, self.framework_version, self.code)

    @property
    def share(self) -> float | None:
        """Good or better, of those rated (0 to 1); None when none rated it."""
        return self.good_or_better / self.rated if self.rated else None

    @property
    def previous_share(self) -> float | None:
        return self.previous_good_or_better / self.previous_rated if self.previous_rated else None

    @property
    def too_few_to_compare(self) -> bool:
        return self.rated < MIN_TO_COMPARE or self.previous_rated < MIN_TO_COMPARE

    @property
    def change(self) -> float | None:
        """The share now less the share before (-1 to 1); None when too few to compare."""
        if self.too_few_to_compare or self.share is None or self.previous_share is None:
            return None
        return self.share - self.previous_share

    @property
    def below_good(self) -> int:
        return self.rated - self.good_or_better


@dataclass(frozen=True)
class Evidence:
    """An observation that rated a standard below Good: what a link opens."""

    observation_id: uuid.UUID
    observed_on: date
    kind: Kind
    level_label: str
    worker: str


@dataclass(frozen=True)
class DevelopmentArea:
    standard: StandardFigures
    below_good: int
    rated: int
    evidence: tuple[Evidence, ...]  # the latest first, at most EVIDENCE_SHOWN

    def sentence(self) -> str:
        """ "Below Good in 12 of 40 observations that rated it." """
        return f"Below Good in {self.below_good} of {self.rated} observations that rated it."


def observations_in(
    query: ServiceFilter, since: date, until: date, *, finished: bool = True
) -> ColumnElement[bool]:
    """The observations `query` counts from `since` to `until` (both whole days)."""
    conditions: list[ColumnElement[bool]] = [
        Observation.observed_at >= day_start(since),
        Observation.observed_at < day_after(until),
    ]
    if finished:
        conditions.append(Observation.status.in_([s.value for s in FINISHED_STATUSES]))
    kinds = query.kinds()
    if kinds is not None:
        conditions.append(Observation.kind.in_([k.value for k in kinds]))
    if query.framework_id is not None:
        conditions.append(Observation.framework_id == query.framework_id)
    if query.team_id is not None:
        members = select(Person.id).where(Person.team_id == query.team_id)
        conditions.append(Observation.observed_person_id.in_(members.scalar_subquery()))
    return and_(*conditions)


def _rating_counts(query: ServiceFilter) -> Select[Any]:
    """Ratings per standard and level, in the period and in the one before."""
    since = day_start(query.period.first)
    return (
        select(
            raw_id(Rating.standard_id),
            raw_id(Rating.level_id),
            func.count().filter(Observation.observed_at >= since),
            func.count().filter(Observation.observed_at < since),
        )
        .select_from(Observation)
        .join(Rating, Rating.observation_id == Observation.id)
        .where(
            observations_in(query, query.previous.first, query.period.last),
            Rating.level_id.is_not(None),
        )
        .group_by(Rating.standard_id, Rating.level_id)
    )


def standard_figures(
    s: Session, query: ServiceFilter, scales: dict[uuid.UUID, FrameworkScale]
) -> tuple[StandardFigures, ...]:
    """Every standard rated in the period or the one before, by framework version (the
    latest version of each framework first) and the standard's place in it."""
    by_standard: dict[str, FrameworkScale] = {
        key: scale for scale in scales.values() for key in scale.standards
    }
    counts: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for standard, level, now, before in s.connection().execute(_rating_counts(query)).all():
        counts[id_key(standard)][id_key(level)] = (now, before)
    figures = []
    for standard_key, levels in counts.items():
        scale = by_standard.get(standard_key)
        if scale is None:
            continue
        scored = sorted(
            (lv for lv in scale.levels.values() if lv.score is not None),
            key=lambda lv: lv.position,
        )
        spread = tuple(
            LevelCount(
                lv.code,
                lv.label,
                not scale.is_below_good(lv),
                levels.get(lv.id.hex, (0, 0))[0],
            )
            for lv in scored
        )
        before = [(levels.get(lv.id.hex, (0, 0))[1], not scale.is_below_good(lv)) for lv in scored]
        standard = scale.standards[standard_key]
        figures.append(
            (
                (scale.key, -scale.version, standard.position),
                StandardFigures(
                    framework_id=scale.id,
                    framework_key=scale.key,
                    framework_version=scale.version,
                    framework_name=f"{scale.short_name or scale.name}, version {scale.version}",
                    code=standard.code,
                    title=standard.title,
                    position=standard.position,
                    levels=spread,
                    rated=sum(c.count for c in spread),
                    good_or_better=sum(c.count for c in spread if c.good_or_better),
                    previous_rated=sum(n for n, _ in before),
                    previous_good_or_better=sum(n for n, good in before if good),
                ),
            )
        )
    figures.sort(key=lambda pair: pair[0])
    return tuple(f for _, f in figures)


def development_areas(
    s: Session,
    query: ServiceFilter,
    scales: dict[uuid.UUID, FrameworkScale],
    figures: Sequence[StandardFigures],
) -> tuple[DevelopmentArea, ...]:
    """The AREAS_SHOWN standards rated below Good most often in the period (then by the
    larger share below Good), each with the latest observations that rated it so."""
    chosen = sorted(
        (f for f in figures if f.below_good > 0),
        key=lambda f: (-f.below_good, f.good_or_better / f.rated, f.framework_key, f.code),
    )[:AREAS_SHOWN]
    if not chosen:
        return ()
    standards = {
        st.id: (scale, st)
        for scale in scales.values()
        for st in scale.standards.values()
        if (scale.id, st.code) in {(f.framework_id, f.code) for f in chosen}
    }
    below = {
        lv.id: lv.label
        for scale, _ in standards.values()
        for lv in scale.levels.values()
        if scale.is_below_good(lv)
    }
    labels = {lv.hex: label for lv, label in below.items()}
    found: dict[str, list[Evidence]] = {st.hex: [] for st in standards}
    latest = (
        select(Observation.id, Observation.observed_at, Observation.kind, Person.name)
        .join(Person, Person.id == Observation.observed_person_id)
        .where(observations_in(query, query.period.first, query.period.last))
        .order_by(Observation.observed_at.desc(), Observation.id)
    )
    # The newest observations first, a batch at a time, until every area has its evidence:
    # a few hundred observations, not the period's thousands.
    read, batch = 0, EVIDENCE_BATCH
    while any(len(shown) < EVIDENCE_SHOWN for shown in found.values()):
        observations = s.execute(latest.offset(read).limit(batch)).all()
        if not observations:
            break
        read += len(observations)
        batch *= 4
        rated = s.connection().execute(
            select(
                raw_id(Rating.observation_id), raw_id(Rating.standard_id), raw_id(Rating.level_id)
            ).where(
                Rating.observation_id.in_([o[0] for o in observations]),
                Rating.standard_id.in_(list(standards)),
                Rating.level_id.in_(list(below)),
            )
        )
        below_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for observation, standard, level in rated:
            below_in[id_key(observation)].append((id_key(standard), id_key(level)))
        for oid, observed_at, kind, worker in observations:
            for standard, level in below_in.get(oid.hex, ()):
                shown = found[standard]
                if len(shown) < EVIDENCE_SHOWN:
                    evidence = Evidence(
                        oid, local_day(observed_at), _KINDS[kind], labels[level], worker
                    )
                    shown.append(evidence)
    ids = {(scale.id, st.code): st.id.hex for scale, st in standards.values()}
    return tuple(
        DevelopmentArea(
            standard=f,
            below_good=f.below_good,
            rated=f.rated,
            evidence=tuple(found[ids[(f.framework_id, f.code)]]),
        )
        for f in chosen
    )
