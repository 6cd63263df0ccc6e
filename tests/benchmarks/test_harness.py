"""The benchmark table: each figure against its floor or target, judged as the reader
would judge it."""

from __future__ import annotations

import pytest

from benchmarks.harness import Measurement, percentile, table


def test_a_figure_with_a_floor_is_judged_by_its_ratio_to_the_floor() -> None:
    quick = Measurement("Start", 0.7, "s", 1.5, floor=0.5)
    slow = Measurement("Start", 0.8, "s", 1.5, floor=0.5)

    assert quick.ratio == pytest.approx(1.4)
    assert quick.limit == pytest.approx(0.75)
    assert quick.met is True
    assert slow.met is False


def test_a_figure_without_a_floor_is_judged_against_its_target() -> None:
    search = Measurement("Search", 30.0, "ms", 50.0)

    assert search.ratio == pytest.approx(0.6)
    assert search.met is True
    assert Measurement("Search", 51.0, "ms", 50.0).met is False


def test_a_reported_figure_has_no_verdict() -> None:
    size = Measurement("Size", 17.5, "MB", None)

    assert size.met is None
    assert size.ratio is None


def test_the_percentile_is_the_nearest_rank() -> None:
    runs = [float(n) for n in range(1, 21)]  # 1 … 20

    assert percentile(runs, 0.95) == 19.0
    assert percentile(runs, 0.5) == 10.0
    assert percentile([7.0], 0.95) == 7.0


def test_the_table_shows_figure_floor_ratio_target_and_verdict() -> None:
    rows = table(
        [
            Measurement("Cold start", 0.8, "s", 1.5, floor=0.5, how="median of 5"),
            Measurement("Search", 30.0, "ms", 50.0),
            Measurement("Size", 17.5, "MB", None),
        ]
    ).splitlines()

    assert rows[0] == "| Measurement | Figure | Floor | Ratio | Target | Met |"
    assert rows[2] == (
        "| Cold start (median of 5) | 0.80 s | 0.50 s | 1.60 | ≤ 1.5× floor (0.75 s) | **no** |"
    )
    assert rows[3] == "| Search | 30.0 ms | — | 0.60 | ≤ 50.0 ms | yes |"
    assert rows[4] == "| Size | 17.5 MB | — | — | — | — |"
