"""Small numbers held back from the Board report, as a reader of the report would probe
them: no count of 1 to 4 shown, and none that subtraction from shown figures recovers."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from observer.service.board_tables import standard_row
from observer.service.disclosure import (
    NOT_AVAILABLE,
    SUPPRESSED,
    Cell,
    protect_column,
    protect_parts,
    share_cell,
    share_shown,
)
from observer.service.standards import LevelCount, StandardFigures

LEVELS = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")


def figures(now: list[int], before: list[int]) -> StandardFigures:
    good = [True, True, False, False]
    return StandardFigures(
        framework_id=uuid.uuid4(),
        framework_key="direct-work-practice",
        framework_version=1,
        framework_name="Direct work, version 1",
        code="4",
        position=4,
        title="The child's voice and lived experience",
        levels=tuple(
            LevelCount(label.lower(), label, g, n)
            for label, g, n in zip(LEVELS, good, now, strict=True)
        ),
        rated=sum(now),
        good_or_better=now[0] + now[1],
        previous_rated=sum(before),
        previous_good_or_better=before[0] + before[1],
    )


def values(cells: list[Cell]) -> list[object]:
    return [c.value for c in cells]


def test_a_small_count_is_held_back_with_a_second_so_the_total_does_not_give_it_away() -> None:
    assert values(protect_parts([3, 10, 12], [[0, 1, 2]])) == [None, None, 12]


def test_zeros_are_shown_and_two_small_counts_protect_each_other() -> None:
    assert values(protect_parts([0, 10, 12], [[0, 1, 2]])) == [0, 10, 12]
    assert values(protect_parts([3, 4, 12], [[0, 1, 2]])) == [None, None, 12]


def test_a_share_is_shown_only_when_neither_side_of_it_is_small() -> None:
    assert share_shown(10, 20)
    assert share_shown(0, 20)
    assert share_shown(20, 20)
    assert not share_shown(3, 20)  # three observations
    assert not share_shown(17, 20)  # three without
    assert not share_shown(4, 4)  # four in all
    assert share_cell(0, 0).missing == NOT_AVAILABLE


def test_a_standard_rated_by_four_observations_shows_nothing_but_its_name() -> None:
    row = standard_row(figures([1, 2, 1, 0], [5, 5, 5, 5]))
    assert row.rated.suppressed
    assert [cell.value for _, cell in row.levels] == [None, None, None, 0]
    assert row.share.suppressed
    assert row.change.suppressed


def test_each_side_of_good_is_protected_when_the_share_is_shown() -> None:
    # 14 of 25 Good or better: the table shows 56%, so below Good is 11 and "3" in it
    # would follow from the 8 beside it.
    row = standard_row(figures([5, 9, 3, 8], [6, 6, 6, 6]))
    assert [cell.value for _, cell in row.levels] == [5, 9, None, None]
    assert row.rated.value == 25
    assert row.share.value == 14 / 25
    assert row.change.value is not None
    assert round(row.change.value, 6) == round((14 / 25 - 12 / 24) * 100, 6)


def test_the_change_is_not_available_when_the_period_before_had_too_few() -> None:
    row = standard_row(figures([5, 9, 5, 6], [0, 0, 0, 0]))
    assert row.change.value is None
    assert row.change.missing == NOT_AVAILABLE
    row = standard_row(figures([5, 9, 5, 6], [2, 1, 0, 0]))
    assert row.change.missing == SUPPRESSED


def test_a_column_of_teams_adding_up_to_the_service_hides_a_second_team_with_a_small_one() -> None:
    assert values(protect_column([10, 3, 7, 20], total_shown=True)) == [10, None, None, 20]
    assert values(protect_column([10, 3, 7, 20], total_shown=False)) == [10, None, 7, 20]


@given(
    st.lists(st.integers(0, 40), min_size=4, max_size=4),
    st.lists(st.integers(0, 40), min_size=4, max_size=4),
)
def test_no_row_shows_a_small_count_or_one_that_the_shown_figures_give_away(
    now: list[int], before: list[int]
) -> None:
    row = standard_row(figures(now, before))
    cells = [cell for _, cell in row.levels]
    for count, cell in zip(now, cells, strict=True):
        assert cell.value is None or cell.value == count
        assert not (isinstance(cell.value, int) and 0 < cell.value < 5)
    hidden = [i for i, cell in enumerate(cells) if cell.value is None and now[i] > 0]
    if row.rated.value is not None:
        # With the total (and the share, when shown) known, what is hidden on a side of
        # Good is never one count alone.
        sides = [[0, 1], [2, 3]] if row.share.value is not None else [[0, 1, 2, 3]]
        for side in sides:
            assert len([i for i in hidden if i in side]) != 1
    for share in (row.share, row.previous_share):
        if isinstance(share.value, float):
            assert share.value in (0.0, 1.0) or 0 < share.value < 1
