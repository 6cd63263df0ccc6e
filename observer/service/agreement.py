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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

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
    """The values that occur, in order, and each pairable unit's share of the coincidence
    matrix as (cell, count) pairs, cell = row × len(values) + column. Units that add the same
    are one kind, kept with how many units are of it: the bootstrap draws kinds."""

    values: tuple[float, ...]
    kinds: tuple[tuple[tuple[int, float], ...], ...]
    weights: tuple[int, ...]


def _coincidences(units: Iterable[Unit]) -> _Coincidences:
    # A value no other rater gave for its unit pairs with nothing.
    pairable = [vs for vs in ([v for v in unit if v is not None] for unit in units) if len(vs) > 1]
    values = sorted({v for vs in pairable for v in vs})
    index = {v: i for i, v in enumerate(values)}
    width = len(values)
    kinds: Counter[tuple[tuple[int, float], ...]] = Counter()
    for vs in pairable:
        m = len(vs)
        counts = Counter(vs)
        cells = []
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                if pairs:
                    cells.append((index[c] * width + index[k], pairs / (m - 1)))
        kinds[tuple(sorted(cells))] += 1
    return _Coincidences(tuple(values), tuple(kinds), tuple(kinds.values()))


def _matrix(coincidences: _Coincidences, times: Sequence[int]) -> list[float]:
    """The coincidence matrix (flat) of `times[i]` units of each kind i."""
    width = len(coincidences.values)
    cells = [0.0] * (width * width)
    for kind, n in zip(coincidences.kinds, times, strict=True):
        if n:
            for cell, count in kind:
                cells[cell] += count * n
    return cells


def _alpha_of(cells: Sequence[float], values: Sequence[float], metric: Metric) -> float | None:
    """α = 1 - (n - 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck (Krippendorff 2011), with the squared
    differences δ² of the metric; ordinal ones from the values' frequencies."""
    width = len(values)
    totals = [sum(cells[i * width : (i + 1) * width]) for i in range(width)]
    n = sum(totals)
    if n < 2 or sum(1 for t in totals if t > 0) < 2:
        return None
    prefix = [0.0]
    for t in totals:
        prefix.append(prefix[-1] + t)
    observed = expected = 0.0
    for i in range(width):
        for j in range(width):
            if i == j:
                continue
            if metric is Metric.NOMINAL:
                d = 1.0
            elif metric is Metric.INTERVAL:
                d = float(values[i] - values[j]) ** 2
            else:
                low, high = (i, j) if i < j else (j, i)
                d = (prefix[high + 1] - prefix[low] - (totals[i] + totals[j]) / 2) ** 2
            observed += cells[i * width + j] * d
            expected += totals[i] * totals[j] * d
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


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
    cells = _matrix(coincidences, coincidences.weights)
    pairable = round(sum(cells))
    if pairable < 2:
        return Alpha(None, pairable=pairable, reason=TOO_FEW)
    value = _alpha_of(cells, coincidences.values, metric)
    if value is None:
        return Alpha(None, pairable=pairable, reason=ONE_LEVEL)
    interval = _bootstrap(coincidences, metric, seed, samples)
    return Alpha(value, interval, pairable, None if interval else NO_VARIATION)


def _bootstrap(
    coincidences: _Coincidences, metric: Metric, seed: int, samples: int
) -> Interval | None:
    """As many units as there are, drawn with replacement, `samples` times. Units are
    counted by kind (a handful on a four-level scale), so a draw is how many of each kind
    it took: one multinomial draw, and each draw's alpha worked out as arrays."""
    units = sum(coincidences.weights)
    if units < 2 or samples < 1:
        return None
    import numpy as np

    weights = np.array(coincidences.weights, dtype=float)
    drawn = np.random.default_rng(seed).multinomial(units, weights / weights.sum(), samples)
    width = len(coincidences.values)
    of_kind = np.zeros((len(coincidences.kinds), width * width))
    for i, kind in enumerate(coincidences.kinds):
        for cell, count in kind:
            of_kind[i, cell] += count
    alphas = alphas_of(drawn @ of_kind, coincidences.values, metric)
    values = sorted(float(a) for a in alphas[~np.isnan(alphas)])
    if len(values) < samples / 2:  # most draws had no variation: no honest interval
        return None
    return Interval(_percentile(values, 0.025), _percentile(values, 0.975))


def alphas_of(cells: Any, values: Sequence[float], metric: Metric) -> Any:
    """`_alpha_of` for many coincidence matrices at once: `cells` holds one flat matrix a
    row; NaN where `_alpha_of` gives None."""
    import numpy as np

    width = len(values)
    o = np.asarray(cells, dtype=float).reshape(-1, width, width)
    totals = o.sum(axis=2)
    n = totals.sum(axis=1)
    i, j = np.meshgrid(np.arange(width), np.arange(width), indexing="ij")
    if metric is Metric.NOMINAL:
        delta = np.broadcast_to(np.where(i == j, 0.0, 1.0), o.shape)
    elif metric is Metric.INTERVAL:
        v = np.asarray(values, dtype=float)
        delta = np.broadcast_to((v[:, None] - v[None, :]) ** 2, o.shape)
    else:
        prefix = np.concatenate([np.zeros((len(o), 1)), np.cumsum(totals, axis=1)], axis=1)
        low, high = np.minimum(i, j), np.maximum(i, j)
        spans = prefix[:, high + 1] - prefix[:, low]
        delta = np.where(i == j, 0.0, (spans - (totals[:, i] + totals[:, j]) / 2) ** 2)
    observed = (o * delta).sum(axis=(1, 2))
    expected = (totals[:, :, None] * totals[:, None, :] * delta).sum(axis=(1, 2))
    varied = (n >= 2) & ((totals > 0).sum(axis=1) >= 2) & (expected != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alphas = 1 - (n - 1) * observed / expected
    return np.where(varied, alphas, np.nan)


def _percentile(ordered: list[float], share: float) -> float:
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
