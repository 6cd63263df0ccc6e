"""How far observers' judgements agree with moderators', per observer, per standard and
overall, from the moderations kept in the store (observer/service/agreement.py has the
statistics). Standards of different framework versions are never merged: a standard is its
framework's key, version and code.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.service.agreement import (
    Alpha,
    Metric,
    Pair,
    PairedAgreement,
    krippendorff_alpha,
    paired_agreement,
)
from observer.service.moderation_sample import period_bounds
from observer.store.ids import raw_id
from observer.store.models import Framework, Observation, Person, Rating, RatingLevel, Standard
from observer.store.moderation_tables import Moderation, ModerationRating


@dataclass(frozen=True)
class AgreementRow:
    """Agreement for one group: observer-moderator pairs and Krippendorff's alpha over every
    rating of its units (the observer's and each moderator's)."""

    label: str
    moderations: int
    paired: PairedAgreement
    alpha: Alpha

    def as_dict(self) -> dict[str, Any]:
        paired, alpha, kappa = self.paired, self.alpha, self.paired.kappa
        direction = paired.direction
        return {
            "label": self.label,
            "moderations": self.moderations,
            "pairs": paired.pairs,
            "exact_agreement": paired.exact,
            "within_one_level": paired.within_one,
            "weighted_kappa": kappa.value,
            "weighted_kappa_95": _interval(kappa.interval),
            "krippendorff_alpha": alpha.value,
            "krippendorff_alpha_95": _interval(alpha.interval),
            "mean_difference": None if direction is None else direction.mean_difference,
            "observer_higher": None if direction is None else direction.higher,
            "observer_lower": None if direction is None else direction.lower,
            "same": None if direction is None else direction.same,
            "leaning": None if direction is None else direction.sentence,
            "too_few": paired.reason,
        }


def _interval(interval: Any) -> list[float] | None:
    return None if interval is None else [interval.low, interval.high]


@dataclass(frozen=True)
class ModerationResults:
    period_from: date | None
    period_to: date | None
    moderations: int
    standards: AgreementRow  # every standard's rating, pooled
    judgement: AgreementRow  # the overall judgement
    by_observer: tuple[AgreementRow, ...]
    by_standard: tuple[AgreementRow, ...]

    def anonymised(self) -> ModerationResults:
        """The same figures with observers named "Observer A", "Observer B"… (most moderated
        first), for the Board report, which names no worker or observer."""
        ordered = sorted(self.by_observer, key=lambda row: (-row.moderations, row.paired.pairs))
        return replace(
            self,
            by_observer=tuple(
                replace(row, label=f"Observer {_letters(n)}") for n, row in enumerate(ordered)
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": None if self.period_from is None else self.period_from.isoformat(),
            "to": None if self.period_to is None else self.period_to.isoformat(),
            "moderations": self.moderations,
            "overall": {
                "standards": self.standards.as_dict(),
                "overall_judgement": self.judgement.as_dict(),
            },
            "by_observer": [row.as_dict() for row in self.by_observer],
            "by_standard": [row.as_dict() for row in self.by_standard],
        }


def _letters(n: int) -> str:
    """A, B, … Z, AA, AB, …"""
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


@dataclass
class _Group:
    """Pairs and units of one group as they are read."""

    pairs: list[Pair] = field(default_factory=list)
    units: dict[Any, list[int | None]] = field(default_factory=dict)
    moderations: set[uuid.UUID] = field(default_factory=set)

    def add(
        self, unit: Any, observer: int | None, moderator: int | None, moderation: uuid.UUID
    ) -> None:
        self.pairs.append((observer, moderator))
        if unit not in self.units:
            self.units[unit] = [observer]
        self.units[unit].append(moderator)
        self.moderations.add(moderation)

    def row(self, label: str, levels: list[int]) -> AgreementRow:
        return AgreementRow(
            label,
            len(self.moderations),
            paired_agreement(self.pairs, levels),
            krippendorff_alpha(list(self.units.values()), Metric.ORDINAL),
        )


def moderation_results(
    s: Session, start: date | None = None, end: date | None = None, *, by_observer: bool = True
) -> ModerationResults:
    """`by_observer=False` leaves the figures per observer out (the Board report, which
    names no observer, has no use for them, and each takes a bootstrap)."""
    # The moderations' ids and judgements only: whole records (comment, hashes, signature)
    # cost a tenth of a second per thousand to load, and nothing here reads them.
    # Ids are read as the store keeps them (raw_id) and only compared here: making a UUID
    # of each of tens of thousands cost a quarter of the time.
    query = select(
        raw_id(Moderation.id).label("moderation"),
        raw_id(Moderation.observation_id).label("observation"),
        raw_id(Moderation.overall_level_id).label("moderated_level"),
        raw_id(Observation.observer_id).label("observer"),
        raw_id(Observation.overall_level_id).label("observed_level"),
    ).join(Observation, Observation.id == Moderation.observation_id)
    if start is not None or end is not None:
        first, after = period_bounds(
            start or date.min.replace(year=1900), end or date(2199, 12, 31)
        )
        query = query.where(Observation.observed_at >= first, Observation.observed_at < after)
    rows = s.execute(query.order_by(Moderation.signed_at)).all()
    scores: dict[Any, int | None] = dict(
        s.execute(select(raw_id(RatingLevel.id), RatingLevel.score)).all()
    )
    levels = sorted({v for v in scores.values() if v is not None})
    observation_ids = list({row[1] for row in rows})
    theirs: dict[tuple[Any, Any], int | None] = {}
    for start_at in range(0, len(observation_ids), 500):
        chunk = observation_ids[start_at : start_at + 500]
        for observation_id, standard_id, level_id in s.execute(
            select(
                raw_id(Rating.observation_id), raw_id(Rating.standard_id), raw_id(Rating.level_id)
            ).where(raw_id(Rating.observation_id).in_(chunk))
        ):
            theirs[observation_id, standard_id] = scores.get(level_id) if level_id else None
    moderated: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    moderation_ids = [row[0] for row in rows]
    for start_at in range(0, len(moderation_ids), 500):
        chunk = moderation_ids[start_at : start_at + 500]
        for moderation_id, standard_id, level_id in s.execute(
            select(
                raw_id(ModerationRating.moderation_id),
                raw_id(ModerationRating.standard_id),
                raw_id(ModerationRating.level_id),
            ).where(raw_id(ModerationRating.moderation_id).in_(chunk))
        ):
            moderated[moderation_id].append((standard_id, level_id))
    standard_labels = _standard_labels(s)
    observer_names: dict[Any, str] = dict(s.execute(select(raw_id(Person.id), Person.name)).all())

    everything, judgement = _Group(), _Group()
    observers: dict[Any, _Group] = defaultdict(_Group)
    by_standard: dict[Any, _Group] = defaultdict(_Group)
    for moderation_id, observation_id, moderated_level_id, observer_id, overall_level_id in rows:
        judgement.add(
            observation_id,
            scores.get(overall_level_id) if overall_level_id else None,
            scores.get(moderated_level_id) if moderated_level_id else None,
            moderation_id,
        )
        for standard_id, level_id in moderated[moderation_id]:
            unit = (observation_id, standard_id)
            observer = theirs.get(unit)
            moderator = scores.get(level_id) if level_id else None
            for group in (everything, by_standard[standard_id]):
                group.add(unit, observer, moderator, moderation_id)
            if by_observer:
                observers[observer_id].add(unit, observer, moderator, moderation_id)
    return ModerationResults(
        period_from=start,
        period_to=end,
        moderations=len(rows),
        standards=everything.row("All standards", levels),
        judgement=judgement.row("Overall judgement", levels),
        by_observer=tuple(
            sorted(
                (g.row(observer_names.get(i, "?"), levels) for i, g in observers.items()),
                key=lambda r: r.label.casefold(),
            )
        ),
        by_standard=tuple(
            by_standard[i].row(label, levels) for i, label in standard_labels if i in by_standard
        ),
    )


def _standard_labels(s: Session) -> Iterable[tuple[Any, str]]:
    """Every standard, labelled with its framework and version, in framework order."""
    rows = s.execute(
        select(
            raw_id(Standard.id),
            Standard.code,
            Standard.title,
            Framework.short_name,
            Framework.name,
            Framework.version,
        )
        .join(Framework, Framework.id == Standard.framework_id)
        .order_by(Framework.key, Framework.version, Standard.position)
    )
    for standard_id, code, title, short_name, name, version in rows:
        yield standard_id, f"{short_name or name} v{version} · {code} {title}"
