"""Ratings over time: trends per standard, and the development areas that keep coming back.

Standards are never merged across frameworks or versions of one framework: a standard is
its framework's key, version and code, and each framework version has its own scale. So
trends come per framework version, each with its scale, and a recurring area names the
framework version it belongs to.

**Below Good** means rated at a level whose score is lower than the score of the
framework's "good" level: the level coded `good` (every shipped framework has one), else
one labelled "Good", else, for an organisation's own scale without one, the level at
position ⌊n/2⌋−1 of its n levels, best first (the second of four, the first of three).
"Not observed" and an unrated standard are never below Good, and are not a rating.

**Recurring**: below Good in at least two of the latest three observations that rated
the standard (within the filter), so one poor session is not a theme, and a standard
since rated Good twice drops off the list.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.store.models import Framework, RatingLevel, Standard
from observer.vocabulary import Kind

LATEST_LOOKED_AT = 3
RECURRING_AT_LEAST = 2


@dataclass(frozen=True)
class ScaleLevel:
    """A level of a framework's scale; a higher score is better."""

    code: str
    label: str
    score: int
    below_good: bool


class TrendPoint(NamedTuple):
    """One rating on a chart. A NamedTuple rather than a dataclass: a page makes thousands."""

    observation_id: uuid.UUID
    observed_at: datetime
    observed_on: date  # on this laptop's calendar
    level_code: str
    level_label: str
    score: int  # the y value: higher is better; the scale gives the labels
    below_good: bool


@dataclass(frozen=True)
class StandardTrend:
    code: str
    title: str
    points: tuple[TrendPoint, ...]  # oldest first


@dataclass(frozen=True)
class FrameworkTrends:
    """One framework version's standards over time, for one chart (x date, y score)."""

    framework_id: uuid.UUID
    key: str
    version: int
    name: str
    short_name: str
    scale: tuple[ScaleLevel, ...]  # best first: the top of the chart
    good_score: int
    standards: tuple[StandardTrend, ...]  # framework order; only standards rated at least once

    @property
    def title(self) -> str:
        return f"{self.short_name or self.name}, version {self.version}"


@dataclass(frozen=True)
class BelowGoodRating:
    observation_id: uuid.UUID
    observed_at: datetime
    observed_on: date
    kind: Kind
    level_label: str
    evidence: str


@dataclass(frozen=True)
class RecurringArea:
    framework_id: uuid.UUID
    framework_key: str
    framework_version: int
    framework_name: str
    standard_code: str
    standard_title: str
    looked_at: int  # the latest ratings considered: up to LATEST_LOOKED_AT
    below_good: tuple[BelowGoodRating, ...]  # newest first

    def sentence(self) -> str:
        """ "Below Good in 2 of the latest 3 observations that rated it." """
        return (
            f"Below Good in {len(self.below_good)} of the latest {self.looked_at} "
            f"observations that rated it."
        )


@dataclass(frozen=True)
class LevelInfo:
    id: uuid.UUID
    code: str
    label: str
    score: int | None
    position: int


@dataclass(frozen=True)
class StandardInfo:
    id: uuid.UUID
    code: str
    title: str
    position: int


@dataclass(frozen=True)
class FrameworkScale:
    """What a framework version's ratings mean: its levels, standards and "good" level.

    Levels and standards are keyed by the `id_key` of their id (observer/store/ids.py),
    so that ratings read as raw ids find them without a UUID object each.
    """

    id: uuid.UUID
    key: str
    version: int
    name: str
    short_name: str
    levels: dict[str, LevelInfo]
    standards: dict[str, StandardInfo]
    good_score: int

    def is_below_good(self, level: LevelInfo) -> bool:
        return level.score is not None and level.score < self.good_score

    def scale(self) -> tuple[ScaleLevel, ...]:
        scored = sorted(self.levels.values(), key=lambda lv: lv.position)
        return tuple(
            ScaleLevel(lv.code, lv.label, lv.score, self.is_below_good(lv))
            for lv in scored
            if lv.score is not None
        )


def good_score(levels: Sequence[LevelInfo]) -> int:
    """The score of the scale's "good" level (see the module's docstring)."""
    scored = [
        (lv, lv.score) for lv in sorted(levels, key=lambda lv: lv.position) if lv.score is not None
    ]
    if not scored:
        return 0
    by_code = [score for lv, score in scored if lv.code == "good"]
    by_label = [score for lv, score in scored if lv.label.strip().casefold() == "good"]
    return (by_code or by_label or [scored[max(0, len(scored) // 2 - 1)][1]])[0]


def load_scales(s: Session) -> dict[uuid.UUID, FrameworkScale]:
    """Every framework version's levels and standards (a few dozen rows in all)."""
    level_rows: dict[uuid.UUID, list[LevelInfo]] = defaultdict(list)
    for fid, lid, code, label, score, position in s.execute(
        select(
            RatingLevel.framework_id,
            RatingLevel.id,
            RatingLevel.code,
            RatingLevel.label,
            RatingLevel.score,
            RatingLevel.position,
        )
    ):
        level_rows[fid].append(LevelInfo(lid, code, label, score, position))
    standard_rows: dict[uuid.UUID, list[StandardInfo]] = defaultdict(list)
    for fid, sid, code, title, position in s.execute(
        select(Standard.framework_id, Standard.id, Standard.code, Standard.title, Standard.position)
    ):
        standard_rows[fid].append(StandardInfo(sid, code, title, position))
    return {
        fid: FrameworkScale(
            id=fid,
            key=key,
            version=version,
            name=name,
            short_name=short_name or name,
            levels={lv.id.hex: lv for lv in level_rows[fid]},
            standards={st.id.hex: st for st in standard_rows[fid]},
            good_score=good_score(level_rows[fid]),
        )
        for fid, key, version, name, short_name in s.execute(
            select(
                Framework.id, Framework.key, Framework.version, Framework.name, Framework.short_name
            )
        )
    }


@dataclass(frozen=True)
class RatedObservation:
    """One finished observation and the standards it rated, as read for trends."""

    observation_id: uuid.UUID
    observed_at: datetime
    observed_on: date
    kind: Kind
    framework_id: uuid.UUID
    ratings: tuple[tuple[str, str], ...]  # (standard, level), each an `id_key`


Point = tuple[RatedObservation, LevelInfo]
# Per (framework version, standard key), the real ratings (not Not observed), oldest first.
Series = dict[tuple[uuid.UUID, str], list[Point]]


def rating_series(
    scales: dict[uuid.UUID, FrameworkScale], observations: Iterable[RatedObservation]
) -> Series:
    """The ratings of `observations`, given oldest first, per framework version and standard."""
    series: Series = defaultdict(list)
    for observation in observations:
        scale = scales.get(observation.framework_id)
        if scale is None:
            continue
        for standard, level_key in observation.ratings:
            level = scale.levels.get(level_key)
            if level is None or level.score is None or standard not in scale.standards:
                continue
            series[(observation.framework_id, standard)].append((observation, level))
    return series


def build_trends(
    scales: dict[uuid.UUID, FrameworkScale], series: Series
) -> tuple[FrameworkTrends, ...]:
    """Per framework version, per standard, the ratings in date order; the framework
    version rated most recently first."""
    by_framework: dict[uuid.UUID, list[str]] = defaultdict(list)
    latest: dict[uuid.UUID, datetime] = {}
    for (fid, standard), points in series.items():
        by_framework[fid].append(standard)
        last = points[-1][0].observed_at
        latest[fid] = max(latest.get(fid, last), last)
    trends = []
    for fid, standard_keys in by_framework.items():
        scale = scales[fid]
        trends.append(
            FrameworkTrends(
                framework_id=fid,
                key=scale.key,
                version=scale.version,
                name=scale.name,
                short_name=scale.short_name,
                scale=scale.scale(),
                good_score=scale.good_score,
                standards=tuple(
                    StandardTrend(
                        code=scale.standards[key].code,
                        title=scale.standards[key].title,
                        points=tuple(
                            TrendPoint(
                                observation.observation_id,
                                observation.observed_at,
                                observation.observed_on,
                                level.code,
                                level.label,
                                level.score or 0,
                                scale.is_below_good(level),
                            )
                            for observation, level in series[(fid, key)]
                        ),
                    )
                    for key in sorted(standard_keys, key=lambda k: scale.standards[k].position)
                ),
            )
        )
    trends.sort(key=lambda t: (latest[t.framework_id], t.key, t.version), reverse=True)
    return tuple(trends)


@dataclass(frozen=True)
class RecurringCandidate:
    """A recurring area before its evidence is read: which ratings are below Good."""

    framework_id: uuid.UUID
    standard: str  # id_key
    looked_at: int
    below_good: tuple[Point, ...]  # newest first


def find_recurring(
    scales: dict[uuid.UUID, FrameworkScale], series: Series
) -> list[RecurringCandidate]:
    """Standards below Good in RECURRING_AT_LEAST of their LATEST_LOOKED_AT latest ratings;
    the most recently below Good first."""
    found = []
    for (fid, standard), points in series.items():
        latest = points[-LATEST_LOOKED_AT:][::-1]
        below = tuple(p for p in latest if scales[fid].is_below_good(p[1]))
        if len(below) >= RECURRING_AT_LEAST:
            found.append(RecurringCandidate(fid, standard, len(latest), below))

    def most_recent_first(c: RecurringCandidate) -> tuple[float, str, int, int]:
        scale = scales[c.framework_id]
        return (
            -c.below_good[0][0].observed_at.timestamp(),
            scale.key,
            -scale.version,
            scale.standards[c.standard].position,
        )

    return sorted(found, key=most_recent_first)


def recurring_area(
    scales: dict[uuid.UUID, FrameworkScale],
    candidate: RecurringCandidate,
    evidence: dict[tuple[uuid.UUID, str], str],
) -> RecurringArea:
    """The area with the evidence behind each rating below Good, by (observation, standard)."""
    scale = scales[candidate.framework_id]
    standard = scale.standards[candidate.standard]
    return RecurringArea(
        framework_id=scale.id,
        framework_key=scale.key,
        framework_version=scale.version,
        framework_name=scale.short_name or scale.name,
        standard_code=standard.code,
        standard_title=standard.title,
        looked_at=candidate.looked_at,
        below_good=tuple(
            BelowGoodRating(
                observation_id=observation.observation_id,
                observed_at=observation.observed_at,
                observed_on=observation.observed_on,
                kind=observation.kind,
                level_label=level.label,
                evidence=evidence.get((observation.observation_id, candidate.standard), ""),
            )
            for observation, level in candidate.below_good
        ),
    )
