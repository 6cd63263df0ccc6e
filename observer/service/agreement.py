"""How far observers' and moderators' ratings agree, on a framework's ordered scale.

Ratings are the positions of levels on the scale (higher is better, as the store's level
scores are); *Not observed* is no rating at all (None), never a level. The statistics:

- exact agreement and agreement within one level, the shares a reader takes in at once;
- Cohen's weighted kappa with quadratic (Fleiss-Cohen) weights for observer-moderator pairs
  (Cohen, 1968, Psychological Bulletin 70(4); Fleiss & Cohen, 1973, Educational and
  Psychological Measurement 33), with the large-sample standard error of Fleiss, Cohen &
  Everitt (1969, Psychological Bulletin 72(5), 323-327) for its 95% confidence interval;
- Krippendorff's alpha for any number of raters with missing values, from the coincidence
  matrix (Krippendorff, 2011, "Computing Krippendorff's Alpha-Reliability", Annenberg School
  for Communication, University of Pennsylvania), with nominal, ordinal and interval
  metrics, and a 95% percentile interval from a bootstrap over units drawn by a seeded
  generator, so the same data always give the same interval;
- the direction of difference: whether an observer tends to rate higher or lower.

Written out rather than taken from a library: they are a few dozen lines of arithmetic on
tables of a handful of levels, and a library (the `krippendorff` package needs numpy) would
add more to the install than it saves here. Small or degenerate data (no pairs, every
rating the same level) give a stated reason (`TOO_FEW`, `ONE_LEVEL`), never a division
error.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import accumulate

TOO_FEW = "Too few to tell: fewer than two rated pairs."
ONE_LEVEL = "Too few to tell: every rating is the same level, so chance agreement is total."
NO_VARIATION = "Too few to tell: too few rated units that vary to draw a confidence interval."
Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile
BOOTSTRAP_SAMPLES = 1000
DEFAULT_SEED = 20110125  # any fixed number: the interval must not change between runs

Rating = int | None
Pair = tuple[Rating, Rating]


class Metric(StrEnum):
    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Kappa:
    """Weighted kappa and its 95% interval; `value` None with `reason` when it cannot be told."""

    value: float | None
    interval: Interval | None = None
    standard_error: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha and its bootstrap 95% interval, or the reason there is none."""

    value: float | None
    interval: Interval | None = None
    pairable: int = 0
    reason: str | None = None


@dataclass(frozen=True)
class Direction:
    """Observer minus moderator: the mean difference in levels and how often each way."""

    mean_difference: float
    higher: int
    lower: int
    same: int

    @property
    def sentence(self) -> str:
        if self.higher == self.lower == 0:
            return "Rates the same as moderators."
        levels = abs(self.mean_difference)
        if self.mean_difference > 0:
            lean = f"tends to rate higher than moderators, by {levels:.2f} of a level on average"
        elif self.mean_difference < 0:
            lean = f"tends to rate lower than moderators, by {levels:.2f} of a level on average"
        else:
            lean = "leans neither way on average"
        return (
            f"{lean[0].upper()}{lean[1:]} (higher {self.higher}, lower {self.lower}, "
            f"same {self.same})."
        )


@dataclass(frozen=True)
class PairedAgreement:
    """Agreement between observer (first of each pair) and moderator (second)."""

    pairs: int
    exact: float | None
    within_one: float | None
    kappa: Kappa
    direction: Direction | None

    @property
    def reason(self) -> str | None:
        return TOO_FEW if self.pairs == 0 else self.kappa.reason


def rated_pairs(pairs: Iterable[Pair]) -> list[tuple[int, int]]:
    """The pairs in which both gave a level (Not observed on either side drops the pair)."""
    return [(a, b) for a, b in pairs if a is not None and b is not None]


def paired_agreement(pairs: Iterable[Pair], levels: Sequence[int]) -> PairedAgreement:
    """Exact and within-one agreement, quadratic-weighted kappa and direction for pairs of
    (observer, moderator) ratings on a scale whose levels, low to high, are `levels`."""
    rated = rated_pairs(pairs)
    if not rated:
        return PairedAgreement(0, None, None, Kappa(None, reason=TOO_FEW), None)
    n = len(rated)
    exact = sum(1 for a, b in rated if a == b) / n
    within_one = sum(1 for a, b in rated if abs(a - b) <= 1) / n
    return PairedAgreement(
        pairs=n,
        exact=exact,
        within_one=within_one,
        kappa=weighted_kappa(confusion_table(rated, levels)),
        direction=direction(rated),
    )


def direction(rated: Sequence[tuple[int, int]]) -> Direction | None:
    if not rated:
        return None
    differences = [a - b for a, b in rated]
    return Direction(
        mean_difference=sum(differences) / len(differences),
        higher=sum(1 for d in differences if d > 0),
        lower=sum(1 for d in differences if d < 0),
        same=sum(1 for d in differences if d == 0),
    )


def confusion_table(rated: Iterable[tuple[int, int]], levels: Sequence[int]) -> list[list[int]]:
    """Counts of (observer level, moderator level), rows and columns in `levels`' order."""
    index = {level: i for i, level in enumerate(levels)}
    table = [[0] * len(levels) for _ in levels]
    for a, b in rated:
        table[index[a]][index[b]] += 1
    return table


def quadratic_weights(k: int) -> list[list[float]]:
    """Fleiss-Cohen agreement weights: 1 - (i - j)^2 / (k - 1)^2."""
    if k < 2:
        return [[1.0]]
    return [[1 - (i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)]


def weighted_kappa(
    table: Sequence[Sequence[float]], weights: Sequence[Sequence[float]] | None = None
) -> Kappa:
    """Cohen's weighted kappa of a square table of counts (rows: one rater, columns: the
    other) with agreement `weights` (default quadratic), and its 95% confidence interval
    from the non-null standard error of Fleiss, Cohen & Everitt (1969)."""
    k = len(table)
    w = quadratic_weights(k) if weights is None else weights
    n = sum(sum(row) for row in table)
    if n < 2:
        return Kappa(None, reason=TOO_FEW)
    p = [[cell / n for cell in row] for row in table]
    rows = [sum(row) for row in p]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    p_o = sum(w[i][j] * p[i][j] for i in range(k) for j in range(k))
    p_e = sum(w[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
    if math.isclose(1 - p_e, 0, abs_tol=1e-12):
        return Kappa(None, reason=ONE_LEVEL)
    kappa = (p_o - p_e) / (1 - p_e)
    row_means = [sum(cols[j] * w[i][j] for j in range(k)) for i in range(k)]
    col_means = [sum(rows[i] * w[i][j] for i in range(k)) for j in range(k)]
    spread = sum(
        p[i][j] * (w[i][j] * (1 - p_e) - (row_means[i] + col_means[j]) * (1 - p_o)) ** 2
        for i in range(k)
        for j in range(k)
    )
    variance = (spread - (p_o * p_e - 2 * p_e + p_o) ** 2) / (n * (1 - p_e) ** 4)
    if variance < 0:  # rounding, when agreement is perfect
        variance = 0.0
    se = math.sqrt(variance)
    return Kappa(kappa, Interval(kappa - Z_95 * se, kappa + Z_95 * se), se)


# Krippendorff's alpha

Unit = Sequence[float | None]


@dataclass(frozen=True)
class _Coincidences:
    """Each pairable unit's share of the coincidence matrix, kept apart for the bootstrap."""

    units: list[dict[tuple[float, float], float]]


def _coincidences(units: Iterable[Unit]) -> _Coincidences:
    kept: list[dict[tuple[float, float], float]] = []
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue  # a value no other rater gave for that unit pairs with nothing
        cells: dict[tuple[float, float], float] = defaultdict(float)
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairs:
                    cells[(c, k)] += pairs / (m - 1)
        kept.append(dict(cells))
    return _Coincidences(kept)


def _alpha_of(cells: dict[tuple[float, float], float], metric: Metric) -> float | None:
    totals: dict[float, float] = defaultdict(float)
    for (c, _k), count in cells.items():
        totals[c] += count
    n = sum(totals.values())
    if n < 2 or len(totals) < 2:
        return None
    delta = _distances(sorted(totals), totals, metric)
    observed = sum(count * delta[c, k] for (c, k), count in cells.items())
    expected = sum(totals[c] * totals[k] * delta[c, k] for c in totals for k in totals)
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


def _distances(
    values: list[float], totals: dict[float, float], metric: Metric
) -> dict[tuple[float, float], float]:
    """Squared differences δ²(c, k) of Krippendorff (2011), for the values that occur."""
    delta: dict[tuple[float, float], float] = {}
    for i, c in enumerate(values):
        for j, k in enumerate(values):
            if metric is Metric.NOMINAL:
                d = 0.0 if c == k else 1.0
            elif metric is Metric.INTERVAL:
                d = float(c - k) ** 2
            else:
                low, high = min(i, j), max(i, j)
                between = sum(totals[values[g]] for g in range(low, high + 1))
                d = (between - (totals[c] + totals[k]) / 2) ** 2
            delta[c, k] = d
    return delta


def _summed(units: Iterable[dict[tuple[float, float], float]]) -> dict[tuple[float, float], float]:
    total: dict[tuple[float, float], float] = defaultdict(float)
    for cells in units:
        for key, count in cells.items():
            total[key] += count
    return total


def krippendorff_alpha(
    units: Iterable[Unit],
    metric: Metric = Metric.ORDINAL,
    *,
    seed: int = DEFAULT_SEED,
    samples: int = BOOTSTRAP_SAMPLES,
) -> Alpha:
    """Krippendorff's alpha of `units` (each the values its raters gave, None where one gave
    none), and a 95% percentile interval from `samples` bootstrap draws of whole units by a
    generator seeded with `seed`."""
    coincidences = _coincidences(units)
    cells = _summed(coincidences.units)
    pairable = round(sum(cells.values()))
    if pairable < 2:
        return Alpha(None, pairable=pairable, reason=TOO_FEW)
    value = _alpha_of(cells, metric)
    if value is None:
        return Alpha(None, pairable=pairable, reason=ONE_LEVEL)
    interval = _bootstrap(coincidences, metric, seed, samples)
    return Alpha(value, interval, pairable, None if interval else NO_VARIATION)


def _bootstrap(
    coincidences: _Coincidences, metric: Metric, seed: int, samples: int
) -> Interval | None:
    """Units drawn with replacement, as many as there are, `samples` times. Units that add
    the same to the coincidence matrix are one kind, drawn by its share, so a draw costs
    the kinds (a handful on a four-level scale), not the units, to sum."""
    units = coincidences.units
    if len(units) < 2 or samples < 1:
        return None
    kinds: dict[frozenset[tuple[tuple[float, float], float]], int] = Counter(
        frozenset(cells.items()) for cells in units
    )
    shapes = [dict(kind) for kind in kinds]
    cumulative = list(accumulate(kinds.values()))
    draw = random.Random(seed)
    values: list[float] = []
    for _ in range(samples):
        counts = Counter(draw.choices(range(len(shapes)), cum_weights=cumulative, k=len(units)))
        cells: dict[tuple[float, float], float] = defaultdict(float)
        for index, times in counts.items():
            for key, count in shapes[index].items():
                cells[key] += count * times
        alpha = _alpha_of(cells, metric)
        if alpha is not None:
            values.append(alpha)
    if len(values) < samples / 2:  # most draws had no variation: no honest interval
        return None
    values.sort()
    return Interval(_percentile(values, 0.025), _percentile(values, 0.975))


def _percentile(ordered: list[float], share: float) -> float:
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
