"""The Service section's tables: standards, coverage, development areas, actions by theme.

Each is a read-only table over the core's plain figures (observer/service/), with the same
numbers a chart shows, for those who read the section with a screen reader.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from observer.service.action_themes import ActionCount, theme_order
from observer.service.coverage import TeamCoverage
from observer.service.standards import DevelopmentArea, Evidence, StandardFigures
from ui.formatting import uk_date
from ui.models.table import Column, RecordTableModel

TOO_FEW = "Too few to compare"
NOT_RATED = "Not rated"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def change_text(figures: StandardFigures) -> str:
    """ "+8 points", "−3 points", "No change", or too few to compare."""
    change = figures.change
    if change is None:
        return TOO_FEW
    points = round(change * 100)
    if points == 0:
        return "No change"
    sign = "+" if points > 0 else "−"
    return f"{sign}{abs(points)} point{'s' if abs(points) != 1 else ''}"


def _change_key(figures: StandardFigures) -> float:
    return -1000.0 if figures.change is None else figures.change


def _share_key(share: float | None) -> float:
    return -1.0 if share is None else share


def standard_columns(levels: tuple[str, ...]) -> tuple[Column[StandardFigures], ...]:
    """Per standard of one framework version: its name, how many rated it, the count at
    each of the version's levels (best first), the share Good or better now and before,
    and the change."""
    per_level = tuple(
        Column(
            label,
            lambda f, n=number: str(f.levels[n].count) if n < len(f.levels) else "",
            lambda f, n=number: f.levels[n].count if n < len(f.levels) else 0,
            centred=True,
            description=f"Observations that rated the standard {label}",
        )
        for number, label in enumerate(levels)
    )
    return (
        Column("Standard", lambda f: f"{f.code} · {f.title}", lambda f: f.position,
               stretch=True, tooltip=True),
        Column("Rated", lambda f: str(f.rated), lambda f: f.rated, centred=True,
               description="Observations in the period that rated the standard"),
        *per_level,
        Column("Good or\nbetter", lambda f: percent(f.share), lambda f: _share_key(f.share),
               centred=True, bold=lambda f: f.share is not None,
               description="Share of the observations that rated it Good or better"),
        Column("Before", lambda f: percent(f.previous_share),
               lambda f: _share_key(f.previous_share), centred=True,
               description="The same share in the period before"),
        Column("Rated\nbefore", lambda f: str(f.previous_rated), lambda f: f.previous_rated,
               centred=True),
        Column("Change", change_text, _change_key, centred=True,
               description="Change in the share Good or better, in percentage points; "
               "not given when fewer than 5 observations rated it in either period"),
    )  # fmt: skip


class StandardsModel(RecordTableModel[StandardFigures]):
    def __init__(self, levels: tuple[str, ...], parent: QObject | None = None) -> None:
        super().__init__(standard_columns(levels), parent)


def _overdue_names(team: TeamCoverage) -> str:
    return "; ".join(f"{w.name} (due {uk_date(w.due_by)})" for w in team.overdue) or "None"


COVERAGE_COLUMNS: tuple[Column[TeamCoverage], ...] = (
    Column("Team", lambda t: t.team_name),
    Column("Workers", lambda t: str(t.workers), lambda t: t.workers, centred=True),
    Column("Observed in\nthe period", lambda t: str(t.observed), lambda t: t.observed,
           centred=True),
    Column("Share\nobserved", lambda t: percent(t.share), lambda t: _share_key(t.share),
           centred=True, bold=lambda t: t.share is not None and t.share < 0.5),
    Column("Overdue", lambda t: str(len(t.overdue)), lambda t: len(t.overdue), centred=True,
           bold=lambda t: bool(t.overdue)),
    Column("Overdue for an observation", _overdue_names, stretch=True, tooltip=True),
)  # fmt: skip


class CoverageModel(RecordTableModel[TeamCoverage]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COVERAGE_COLUMNS, parent)


def _day_key(evidence: Evidence) -> int:
    return evidence.observed_on.toordinal()


def _area_name(area: DevelopmentArea) -> str:
    return f"{area.standard.code} · {area.standard.title}"


AREA_COLUMNS: tuple[Column[DevelopmentArea], ...] = (
    Column("Standard", _area_name, stretch=True, tooltip=True),
    Column("Framework version", lambda a: a.standard.framework_name),
    Column("Below Good", lambda a: str(a.below_good), lambda a: a.below_good, centred=True,
           description="Observations in the period that rated it below Good"),
    Column("Rated", lambda a: str(a.rated), lambda a: a.rated, centred=True),
    Column("Share below\nGood", lambda a: percent(a.below_good / a.rated if a.rated else None),
           lambda a: a.below_good / a.rated if a.rated else 0.0, centred=True),
)  # fmt: skip


BELOW_GOOD_COLUMN = 2


class AreasModel(RecordTableModel[DevelopmentArea]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(AREA_COLUMNS, parent)


EVIDENCE_COLUMNS: tuple[Column[Evidence], ...] = (
    Column("Observed", lambda e: uk_date(e.observed_on), _day_key),
    Column("Worker", lambda e: e.worker),
    Column("Kind", lambda e: e.kind.short_label),
    Column("Rated", lambda e: e.level_label, stretch=True, tooltip=True),
)


class EvidenceModel(RecordTableModel[Evidence]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(EVIDENCE_COLUMNS, parent)


ACTION_COLUMNS: tuple[Column[ActionCount], ...] = (
    Column("Theme", lambda c: c.name, stretch=True),
    Column("Open", lambda c: str(c.open), lambda c: c.open, centred=True,
           description="Still open, overdue ones included"),
    Column("Of which\noverdue", lambda c: str(c.overdue), lambda c: c.overdue, centred=True,
           bold=lambda c: bool(c.overdue), description="Open and due before today"),
    Column("Done", lambda c: str(c.done), lambda c: c.done, centred=True),
)  # fmt: skip


class ActionCountsModel(RecordTableModel[ActionCount]):
    def __init__(self, first_header: str = "Theme", parent: QObject | None = None) -> None:
        name = Column(first_header, lambda c: c.name, lambda c: theme_order(c.name), stretch=True)
        columns = (name, *ACTION_COLUMNS[1:])
        super().__init__(columns, parent)
