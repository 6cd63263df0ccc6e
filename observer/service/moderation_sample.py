"""Drawing the sample of signed observations a moderator reviews, and keeping it.

The sample is stratified by observer: every observer with signed observations in the period
gets at least one moderated, otherwise N% of their observations, rounded up. It is drawn by
a generator seeded with a number that is written down with it (drawn at random when none is
given), so anyone can draw it again from the same store and get the same observations. Once
drawn it is kept: drawing the same period again shows the sample already drawn, unless the
new one says why it replaces it (superseding is audited; the old sample stays).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import secrets
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from observer.errors import InvalidInput
from observer.store.models import Observation, Person
from observer.store.moderation_tables import ModerationSample, ModerationSampleItem
from observer.vocabulary import Status

MAX_SEED = 2**63 - 1
MAX_REASON = 2_000


class SampleAlreadyDrawn(InvalidInput):
    """A sample of that period is kept already; it is not drawn again without a reason."""


@dataclass(frozen=True)
class SampledObservation:
    observation_id: uuid.UUID
    observer_id: uuid.UUID
    observer_name: str
    observed_at: datetime


@dataclass(frozen=True)
class SampleView:
    id: uuid.UUID
    period_from: date
    period_to: date
    percent: int
    seed: int
    drawn_by: str
    drawn_at: datetime
    observations: tuple[SampledObservation, ...]
    supersedes_id: uuid.UUID | None
    reason: str
    content_hash: str
    # Whether this was drawn now (False: the sample kept for the period, shown again).
    drawn_now: bool = False

    @property
    def observers(self) -> int:
        return len({o.observer_id for o in self.observations})


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's first and last days, whole, on this laptop's clock, as UTC moments."""
    if end < start:
        raise InvalidInput("The period ends before it starts.")
    first = datetime.combine(start, time.min).astimezone().astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time.min).astimezone().astimezone(UTC)
    return first, after


def check_percent(percent: int) -> int:
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
        raise InvalidInput("The share to sample is a whole percentage from 1 to 100.")
    return percent


def check_seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(2**31)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidInput(f"A seed is a whole number from 0 to {MAX_SEED}.")
    return seed


def choose(
    by_observer: Mapping[uuid.UUID, Sequence[uuid.UUID]], percent: int, seed: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(observer, observation) pairs: from each observer's observations (in a fixed order),
    N% rounded up, at least one, drawn by one generator seeded with `seed`, observers taken
    in the order of their ids so the draw depends on nothing but the store and the seed."""
    draw = random.Random(seed)
    chosen: list[tuple[uuid.UUID, uuid.UUID]] = []
    for observer in sorted(by_observer, key=lambda i: i.hex):
        theirs = list(by_observer[observer])
        count = min(len(theirs), max(1, math.ceil(len(theirs) * percent / 100)))
        chosen.extend((observer, o) for o in draw.sample(theirs, count))
    return chosen


def signed_in_period(s: Session, start: date, end: date) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each observer's signed observations observed in the period, oldest first."""
    first, after = period_bounds(start, end)
    rows = s.execute(
        select(Observation.observer_id, Observation.id)
        .where(
            Observation.status == Status.SIGNED.value,
            Observation.observed_at >= first,
            Observation.observed_at < after,
        )
        .order_by(Observation.observed_at, Observation.id)
    )
    found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for observer_id, observation_id in rows:
        found[observer_id].append(observation_id)
    return found


def sample_hash(
    start: date,
    end: date,
    percent: int,
    seed: int,
    drawn_by: str,
    drawn_at: datetime,
    chosen: Sequence[tuple[uuid.UUID, uuid.UUID]],
    supersedes: uuid.UUID | None,
    reason: str,
) -> str:
    content = {
        "period": [start.isoformat(), end.isoformat()],
        "percent": percent,
        "seed": seed,
        "drawn_by": drawn_by,
        "drawn_at": drawn_at.isoformat(),
        "observations": [[str(observer), str(o)] for observer, o in chosen],
        "supersedes": None if supersedes is None else str(supersedes),
        "reason": reason,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def current_sample_in(s: Session, start: date, end: date) -> ModerationSample | None:
    """The sample kept for exactly this period that no later one supersedes."""
    samples = list(
        s.scalars(
            select(ModerationSample).where(
                ModerationSample.period_from == start, ModerationSample.period_to == end
            )
        )
    )
    superseded = {x.supersedes_id for x in samples}
    current = [x for x in samples if x.id not in superseded]
    return max(current, key=lambda x: x.drawn_at) if current else None


def sample_view(s: Session, sample: ModerationSample, drawn_now: bool = False) -> SampleView:
    ids = [item.observation_id for item in sample.items]
    observed = dict(
        s.execute(
            select(Observation.id, Observation.observed_at).where(Observation.id.in_(ids))
        ).all()
    )
    observer_ids = {item.observer_id for item in sample.items}
    names = dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(observer_ids))).all())
    return SampleView(
        id=sample.id,
        period_from=sample.period_from,
        period_to=sample.period_to,
        percent=sample.percent,
        seed=sample.seed,
        drawn_by=sample.drawn_by,
        drawn_at=sample.drawn_at,
        observations=tuple(
            SampledObservation(
                item.observation_id,
                item.observer_id,
                names.get(item.observer_id, ""),
                observed[item.observation_id],
            )
            for item in sample.items
            if item.observation_id in observed  # one the retention policy removed is gone
        ),
        supersedes_id=sample.supersedes_id,
        reason=sample.reason,
        content_hash=sample.content_hash,
        drawn_now=drawn_now,
    )


def new_sample(
    s: Session,
    start: date,
    end: date,
    percent: int,
    seed: int,
    drawn_by: str,
    supersedes: ModerationSample | None,
    reason: str,
) -> ModerationSample:
    """Draws and adds the sample (in the caller's transaction)."""
    chosen = choose(signed_in_period(s, start, end), percent, seed)
    if not chosen:
        raise InvalidInput(
            f"No observation observed from {start:%d/%m/%Y} to {end:%d/%m/%Y} is signed, "
            "so there is nothing to sample."
        )
    drawn_at = datetime.now(UTC)
    supersedes_id = None if supersedes is None else supersedes.id
    sample = ModerationSample(
        id=uuid.uuid4(),
        period_from=start,
        period_to=end,
        percent=percent,
        seed=seed,
        drawn_by=drawn_by,
        drawn_at=drawn_at,
        supersedes_id=supersedes_id,
        reason=reason,
        content_hash=sample_hash(
            start, end, percent, seed, drawn_by, drawn_at, chosen, supersedes_id, reason
        ),
    )
    sample.items = [
        ModerationSampleItem(observation_id=o, observer_id=observer, position=n)
        for n, (observer, o) in enumerate(chosen)
    ]
    s.add(sample)
    s.flush()
    return sample
