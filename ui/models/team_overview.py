"""The team overview table: every worker at a glance, sortable by each column.

Dates and numbers sort as dates and numbers; names sort as the laptop's language sorts
them (see ui.models.table), and rows that tie stay in name order. Headings take two
lines, so that nine columns fit a laptop's screen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QStyle

from observer.review.team_overview import TeamRow
from ui.formatting import OVERDUE, searchable, uk_date
from ui.models.table import AnyIndex, Column, RecordTableModel

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
        Column(
            "Role",
            lambda r: r.role.short_label,
            tooltip_text=lambda r: r.role_label,
            max_chars=30,
        ),
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
            max_chars=40,
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
            max_chars=34,
        ),
    )


Cells = dict[int, tuple[str, ...]]
"""What each row's cells show, by the worker's id as a number (`UUID.int`: a UUID object
hashes in Python, slowly for the thousands of look-ups of measuring and painting a table)."""


def display_cells(rows: Sequence[TeamRow]) -> Cells:
    """What each row's cells show, made with the rows, off the GUI thread: two thousand
    rows' cells are asked for again and again as the table is measured and painted."""
    by_column = [list(map(column.display, rows)) for column in team_columns(lambda _row: 0)]
    cells = zip(*by_column, strict=True)
    return dict(zip([row.person_id.int for row in rows], cells, strict=True))


def search_texts(rows: Sequence[TeamRow], cells: Cells | None = None) -> dict[uuid.UUID, str]:
    """What the find box looks in, per worker: made with the rows, off the GUI thread."""
    shown = display_cells(rows) if cells is None else cells
    return {row.person_id: searchable(" ".join(shown[row.person_id.int])) for row in rows}


class TeamOverviewModel(RecordTableModel[TeamRow]):
    def __init__(self, parent: QObject | None = None) -> None:
        self._place: dict[int, int] = {}  # by UUID.int, as Cells
        self._texts: dict[uuid.UUID, str] = {}
        self._cells: Cells = {}
        super().__init__(team_columns(lambda r: self._place.get(r.person_id.int, 0)), parent)
        style = QApplication.style()
        self._overdue_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    def set_records(
        self,
        records: Sequence[TeamRow],
        texts: dict[uuid.UUID, str] | None = None,
        cells: Cells | None = None,
    ) -> None:
        """The rows in name order, as the laptop's language has it; `texts` are the rows'
        search_texts and `cells` their display_cells, when made already."""
        self._texts = texts or {}
        self._cells = display_cells(records) if cells is None else cells
        ordered = sorted(records, key=lambda r: self._collator.sortKey(r.name))
        self._place = {row.person_id.int: place for place, row in enumerate(ordered)}
        super().set_records(ordered)

    def replace_record(self, row: int, record: TeamRow) -> None:
        self._cells.update(display_cells([record]))
        self._texts.pop(record.person_id, None)
        super().replace_record(row, record)

    def column_texts(self, number: int) -> Sequence[str]:
        cells = self._cells
        return [cells[row.person_id.int][number] for row in self.records()]

    def search_text(self, row: int) -> str:
        made = self._texts.get(self.record(row).person_id)
        return made if made is not None else super().search_text(row)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return self._cells[self.record(index.row()).person_id.int][index.column()]
        if (
            role == Qt.ItemDataRole.DecorationRole
            and index.isValid()
            and index.column() == DUE_COLUMN
            and self.record(index.row()).overdue_for_observation
        ):
            return self._overdue_icon
        return super().data(index, role)
