"""The team overview table: every worker at a glance, sortable by each column.

Dates and numbers sort as dates and numbers; names sort as the laptop's language sorts
them (QCollator), so "Åsa" comes with the A's and "Ștefan" with the S's. The collation is
done once per load, in the model: each name's sort key is its place in that order, and
rows that tie stay in name order.

With two thousand workers, Qt comparing rows two at a time through Python would take a
noticeable moment, so the model sorts itself (one key per row) and the proxy only
filters. Headings take two lines, so that nine columns fit a laptop's screen.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QCollator, QLocale, QObject, Qt
from PySide6.QtWidgets import QApplication, QStyle

from observer.team_overview import TeamRow
from ui.formatting import OVERDUE, searchable, uk_date
from ui.models.table import AnyIndex, Column, RecordFilterProxy, RecordTableModel

NEVER = "Never"
NONE_YET = "None yet"
NAME_COLUMN = 0
IN_PERIOD_COLUMN = 4
DUE_COLUMN = 8


def due_text(row: TeamRow) -> str:
    """ "Overdue: due 14/08/2026", or "By 14/02/2027": in words, not by colour alone."""
    if row.overdue_for_observation:
        return f"{OVERDUE}: due {uk_date(row.observation_due_by)}"
    return f"By {uk_date(row.observation_due_by)}"


def _ordinal(day: date | None) -> int:
    return day.toordinal() if day is not None else -1


def team_columns(name_order: Callable[[TeamRow], int]) -> tuple[Column[TeamRow], ...]:
    return (
        Column("Name", lambda r: r.name, name_order, max_chars=30),
        Column("Role", lambda r: r.role_label, tooltip=True, max_chars=22),
        Column("Team", lambda r: r.team_name or "No team", stretch=True, tooltip=True),
        Column(
            "Last\nobserved",
            lambda r: uk_date(r.last_observed) or NEVER,
            lambda r: _ordinal(r.last_observed),
        ),
        Column(
            "In\nperiod",
            lambda r: str(r.observations_in_period),
            lambda r: r.observations_in_period,
            centred=True,
            description="Observations of this worker in the chosen period",
        ),
        Column(
            "Latest\njudgement",
            lambda r: r.latest_overall or NONE_YET,
            lambda r: -1 if r.latest_overall_score is None else r.latest_overall_score,
            tooltip=True,
            description="The overall judgement of the worker's latest finished observation",
            max_chars=24,
        ),
        Column(
            "Open\nactions",
            lambda r: str(r.open_actions),
            lambda r: r.open_actions,
            centred=True,
            description="Actions still open, overdue ones included",
        ),
        Column(
            "Overdue\nactions",
            lambda r: str(r.overdue_actions),
            lambda r: r.overdue_actions,
            centred=True,
            bold=lambda r: r.overdue_actions > 0,
        ),
        Column(
            "Next\nobservation",
            due_text,
            lambda r: r.observation_due_by.toordinal(),
            bold=lambda r: r.overdue_for_observation,
            description="When the worker is next due to be observed; overdue ones say so",
            max_chars=30,
        ),
    )


def search_texts(rows: Sequence[TeamRow]) -> dict[uuid.UUID, str]:
    """What the find box looks in, per worker: made with the rows, off the GUI thread."""
    columns = team_columns(lambda _row: 0)
    return {
        row.person_id: searchable(" ".join(column.display(row) for column in columns))
        for row in rows
    }


def collation_locale() -> QLocale:
    """The laptop's language; British English where it has none (the "C" locale of a bare
    system compares code points, which would put "Åsa" after "Zoë")."""
    system = QLocale()
    return QLocale("en_GB") if system.language() == QLocale.Language.C else system


class TeamOverviewModel(RecordTableModel[TeamRow]):
    def __init__(self, parent: QObject | None = None) -> None:
        self._place: dict[uuid.UUID, int] = {}
        self._texts: dict[uuid.UUID, str] = {}
        self._sorted_by: tuple[int, Qt.SortOrder] = (NAME_COLUMN, Qt.SortOrder.AscendingOrder)
        super().__init__(team_columns(lambda r: self._place.get(r.person_id, 0)), parent)
        self._collator = QCollator(collation_locale())
        self._collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._collator.setNumericMode(True)
        style = QApplication.style()
        self._overdue_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    def set_records(
        self, records: Sequence[TeamRow], texts: dict[uuid.UUID, str] | None = None
    ) -> None:
        """The rows in name order, as the laptop's language has it; `texts` are the rows'
        search_texts, when made already."""
        self._texts = texts or {}
        by_name = functools.cmp_to_key(self._collator.compare)
        ordered = sorted(records, key=lambda r: by_name(r.name))
        self._place = {row.person_id: place for place, row in enumerate(ordered)}
        super().set_records(self._in_order(ordered, *self._sorted_by))

    def search_text(self, row: int) -> str:
        made = self._texts.get(self.record(row).person_id)
        return made if made is not None else super().search_text(row)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Puts the rows in the column's order; what was selected stays selected."""
        if not 0 <= column < len(self.columns):
            return
        self._sorted_by = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self._records
        after = self._in_order(before, column, order)
        new_row = {id(record): row for row, record in enumerate(after)}
        kept = self.persistentIndexList()
        self._records = after
        self._search = [None] * len(after)
        self.changePersistentIndexList(
            kept, [self.index(new_row[id(before[i.row()])], i.column()) for i in kept]
        )
        self.layoutChanged.emit()

    def _in_order(self, rows: list[TeamRow], column: int, order: Qt.SortOrder) -> list[TeamRow]:
        """Stable either way: rows that tie keep their order (by name, from the load)."""
        chosen = self.columns[column]
        key = chosen.sort or (lambda r: searchable(chosen.display(r)))
        if column != NAME_COLUMN:
            rows = sorted(rows, key=lambda r: self._place.get(r.person_id, 0))
        return sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (
            role == Qt.ItemDataRole.DecorationRole
            and index.isValid()
            and index.column() == DUE_COLUMN
            and self.record(index.row()).overdue_for_observation
        ):
            return self._overdue_icon
        return super().data(index, role)


class SourceSortingProxy(RecordFilterProxy[TeamRow]):
    """Filters as usual; sorting is the model's own (see the module docstring)."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)
