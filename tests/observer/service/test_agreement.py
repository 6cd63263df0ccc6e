"""Agreement statistics against published worked examples and figures computed elsewhere."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observer.service.agreement import (
    ONE_LEVEL,
    TOO_FEW,
    Metric,
    krippendorff_alpha,
    paired_agreement,
    weighted_kappa,
)

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers (rows) by twelve units (columns), with missing values. The paper gives
# nominal α = 0.743, ordinal α = 0.815, interval α = 0.849.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
UNITS = list(zip(*KRIPPENDORFF_2011, strict=True))

# Cohen (1968), "Weighted kappa", Psychological Bulletin 70(4), Table 1: two judges' diagnoses
# of N = 200 cases (personality disorder, neurosis, psychosis) as proportions .44 .07 .09 /
# .05 .20 .05 / .01 .03 .06, here as counts. The paper: p_o = .70, p_c = .41, κ = .49; with
# its disagreement weights 0/1/3, 1/0/6, 3/6/0, q_o = .90, q_c = 1.38, κ_w = .35.
COHEN_1968 = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
COHEN_WEIGHTS = [[1 - v / 6 for v in row] for row in [[0, 1, 3], [1, 0, 6], [3, 6, 0]]]
IDENTITY = [[1.0 if i == j else 0.0 for j in range(3)] for i in range(3)]


@pytest.mark.parametrize(
    ("metric", "published"),
    [(Metric.NOMINAL, 0.743), (Metric.ORDINAL, 0.815), (Metric.INTERVAL, 0.849)],
)
def test_krippendorffs_alpha_is_the_papers_for_its_reliability_data(
    metric: Metric, published: float
) -> None:
    alpha = krippendorff_alpha(UNITS, metric)
    assert alpha.value == pytest.approx(published, abs=0.0005)
    # The lone value of unit 12 pairs with nothing: 40 pairable values, as in the paper.
    assert alpha.pairable == 40
    assert alpha.interval is not None
    assert alpha.interval.low < alpha.value <= alpha.interval.high


def test_alphas_interval_is_the_same_from_the_same_seed_and_moves_with_another() -> None:
    first = krippendorff_alpha(UNITS, Metric.ORDINAL, seed=7)
    assert krippendorff_alpha(UNITS, Metric.ORDINAL, seed=7).interval == first.interval
    assert krippendorff_alpha(UNITS, Metric.ORDINAL, seed=8).interval != first.interval


def test_cohens_kappa_is_the_papers_for_his_table() -> None:
    assert weighted_kappa(COHEN_1968, IDENTITY).value == pytest.approx(0.492, abs=0.0005)
    assert weighted_kappa(COHEN_1968, COHEN_WEIGHTS).value == pytest.approx(0.348, abs=0.0005)


def test_quadratic_kappa_and_its_interval_match_an_independent_computation() -> None:
    # statsmodels 0.14 `cohens_kappa(table, wt="quadratic")` on Cohen's table gives
    # kappa 0.454545, std_kappa 0.066454, 95% limits 0.324299 and 0.584792 (the
    # Fleiss-Cohen-Everitt standard error); computed outside this project, not by this code.
    kappa = weighted_kappa(COHEN_1968)
    assert kappa.value == pytest.approx(0.454545, abs=1e-6)
    assert kappa.standard_error == pytest.approx(0.066454, abs=1e-6)
    assert kappa.interval is not None
    assert kappa.interval.low == pytest.approx(0.324299, abs=1e-6)
    assert kappa.interval.high == pytest.approx(0.584792, abs=1e-6)


def test_quadratic_kappa_is_the_moment_formula_for_pairs() -> None:
    """Quadratic-weighted kappa equals 2·cov / (var_a + var_b + (mean_a - mean_b)²) with
    population moments (Fleiss & Cohen 1973; Schuster 2004): a second route to the value."""
    pairs = [(4, 3), (3, 3), (2, 3), (3, 2), (4, 4), (1, 2), (3, 4), (2, 2), (3, 3), (1, 1)]
    n = len(pairs)
    mean_a = sum(a for a, _ in pairs) / n
    mean_b = sum(b for _, b in pairs) / n
    var_a = sum((a - mean_a) ** 2 for a, _ in pairs) / n
    var_b = sum((b - mean_b) ** 2 for _, b in pairs) / n
    cov = sum((a - mean_a) * (b - mean_b) for a, b in pairs) / n
    expected = 2 * cov / (var_a + var_b + (mean_a - mean_b) ** 2)
    agreement = paired_agreement(pairs, [1, 2, 3, 4])
    assert agreement.kappa.value == pytest.approx(expected)


def test_paired_agreement_counts_exact_within_one_and_which_way_an_observer_leans() -> None:
    # Observer, moderator; None is Not observed and drops the pair.
    pairs = [(4, 3), (3, 3), (4, 2), (3, 2), (None, 3), (2, None), (1, 1)]
    agreement = paired_agreement(pairs, [1, 2, 3, 4])
    assert agreement.pairs == 5
    assert agreement.exact == pytest.approx(2 / 5)
    assert agreement.within_one == pytest.approx(4 / 5)
    direction = agreement.direction
    assert direction is not None
    assert (direction.higher, direction.lower, direction.same) == (3, 0, 2)
    assert direction.mean_difference == pytest.approx(4 / 5)
    assert direction.sentence.startswith("Tends to rate higher than moderators, by 0.80")


def test_no_pairs_or_one_level_only_say_too_few_to_tell() -> None:
    none = paired_agreement([(None, 3), (2, None)], [1, 2, 3, 4])
    assert (none.pairs, none.exact, none.kappa.value, none.reason) == (0, None, None, TOO_FEW)
    same = paired_agreement([(3, 3), (3, 3), (3, 3)], [1, 2, 3, 4])
    assert same.exact == 1.0
    assert same.kappa.value is None
    assert same.reason == ONE_LEVEL
    assert krippendorff_alpha([]).reason == TOO_FEW
    assert krippendorff_alpha([(3, 3), (3, 3)]).reason == ONE_LEVEL
    assert krippendorff_alpha([(3, None), (None, 2)]).value is None


def test_alpha_for_two_raters_without_missing_values_matches_the_coincidence_formula() -> None:
    # Two raters, interval metric: α = 1 - (n-1)·Σ(a-b)²·2 / Σ_c Σ_k n_c n_k (c-k)², with each
    # pair entered both ways (Krippendorff 2011, section A), worked here by hand.
    pairs = [(1, 1), (2, 3), (3, 3), (4, 3)]
    values = [v for pair in pairs for v in pair]
    n = len(values)
    observed = sum(2 * (a - b) ** 2 for a, b in pairs)
    expected = sum((c - k) ** 2 for c in values for k in values)
    alpha = krippendorff_alpha(pairs, Metric.INTERVAL)
    assert alpha.value == pytest.approx(1 - (n - 1) * observed / expected)


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=2, max_size=4),
        min_size=2,
        max_size=30,
    ),
    st.sampled_from(list(Metric)),
)
def test_the_bootstraps_array_alpha_is_the_reference_alpha_of_every_draw(
    units: list[list[int | None]], metric: Metric
) -> None:
    """The interval's draws are worked out as arrays (agreement.alphas_of); each must be the
    alpha the checked formula gives for the same coincidence matrix."""
    import math

    from observer.service.agreement import _alpha_of, _coincidences, _matrix, alphas_of

    found = _coincidences(units)
    if not found.values:
        return
    matrices = [_matrix(found, found.weights), _matrix(found, [1] * len(found.weights))]
    arrays = alphas_of(matrices, found.values, metric)
    for cells, array in zip(matrices, arrays, strict=True):
        reference = _alpha_of(cells, found.values, metric)
        if reference is None:
            assert math.isnan(array)
        else:
            assert array == pytest.approx(reference, abs=1e-9)


def test_quadratic_kappa_matches_two_maintained_libraries_published_test_values() -> None:
    """Values from other projects' own test suites, computed by their code, not ours:
    scikit-learn's `test_cohen_kappa` (sklearn/metrics/tests/test_classification.py:
    0.9541 for these 100 pairs) and the quadratic weighted kappa of Kaggle's metrics
    (benhamner/Metrics, testQuadraticWeightedKappa.m: 0.75 and 0.4)."""
    sklearn = list(zip([0] * 46 + [1] * 44 + [2] * 10, [0] * 50 + [1] * 40 + [2] * 10, strict=True))
    assert paired_agreement(sklearn, [0, 1, 2]).kappa.value == pytest.approx(0.9541, abs=5e-5)
    kaggle = [(1, 1), (2, 2), (3, 3), (1, 1), (2, 2), (2, 3), (3, 2)]
    assert paired_agreement(kaggle, [1, 2, 3]).kappa.value == pytest.approx(0.75)
    assert paired_agreement([(1, 1), (2, 2), (1, 2)], [1, 2]).kappa.value == pytest.approx(0.4)
