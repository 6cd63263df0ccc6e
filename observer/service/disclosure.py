"""Small numbers kept out of the Board report, as official statistics keep them out.

The Board report and its CSV tables are anonymised: they name teams, never workers or
observers, and a count of 1 to 4 observations or people is not shown (a zero is: it tells
nothing about anyone). Nor is any figure from which such a count could be worked out: a
share is shown only when its numerator, its denominator and what the numerator leaves of
the denominator are each zero or at least five; and when one count of a row that adds up
to a shown total is held back, a second is held back with it, so subtraction cannot
recover the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

SMALLEST_SHOWN = 5
SUPPRESSED = "[c]"  # the Government Statistical Service's symbols
NOT_AVAILABLE = "[x]"
RULE = (
    f"{SUPPRESSED}: not shown, to protect the people counted. Counts of 1 to "
    f"{SMALLEST_SHOWN - 1} observations or people are not shown, nor any share or figure "
    f"from which one could be worked out. {NOT_AVAILABLE}: not available (no figure, or "
    "too few to compare)."
)
Kind = Literal["count", "share", "points", "statistic", "text"]


@dataclass(frozen=True)
class Cell:
    """One figure of a table: its value, or None with the symbol shown instead."""

    value: int | float | str | None
    kind: Kind = "count"
    missing: str = SUPPRESSED

    @property
    def suppressed(self) -> bool:
        return self.value is None and self.missing == SUPPRESSED


def text(value: str) -> Cell:
    return Cell(value, "text")


def not_available(kind: Kind = "count") -> Cell:
    return Cell(None, kind, NOT_AVAILABLE)


def small(count: int) -> bool:
    return 0 < count < SMALLEST_SHOWN


def count_cell(count: int) -> Cell:
    return Cell(None if small(count) else count)


def share_shown(part: int, whole: int) -> bool:
    """Whether part/whole may be shown without revealing a small count."""
    return whole >= SMALLEST_SHOWN and not small(part) and not small(whole - part)


def share_cell(part: int, whole: int) -> Cell:
    if whole == 0:
        return not_available("share")
    return Cell(part / whole if share_shown(part, whole) else None, "share")


def protect_parts(parts: Sequence[int], groups: Sequence[Sequence[int]]) -> list[Cell]:
    """The cells for `parts`, counts that add up to shown totals: each group (indexes
    into `parts`) sums to a figure a reader can see or work out. Small counts are held
    back; where a group would then hold back exactly one, its smallest other count that
    is not zero is held back too (a zero held back tells nothing, and the others are
    shown anyway)."""
    hidden = [small(count) for count in parts]
    for group in groups:
        held = [i for i in group if hidden[i]]
        if len(held) != 1:
            continue
        others = sorted((parts[i], i) for i in group if not hidden[i] and parts[i] > 0)
        if others:
            hidden[others[0][1]] = True
    return [Cell(None if hide else count) for count, hide in zip(parts, hidden, strict=True)]


def protect_column(counts: Sequence[int], total_shown: bool) -> list[Cell]:
    """Cells for one column of a table whose rows add up to a shown total (the service
    across its teams): small counts held back, and a second when only one would be."""
    groups = [list(range(len(counts)))] if total_shown else []
    return protect_parts(counts, groups)
