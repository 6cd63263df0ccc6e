"""A table's columns fit what they show: the widest text of every row, measured in the font
it is shown in (with the icon beside it), not only the first rows Qt measures nor the text
with most characters."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyle
from pytestqt.qtbot import QtBot

from tests.support.text_fits import cut_cells
from ui.models.table import AnyIndex, Column, RecordFilterProxy, RecordTableModel
from ui.widgets.record_table import RecordTable

ROWS = 1500
FAR_DOWN = 1200


@dataclass(frozen=True)
class Row:
    name: str
    status: str = "Open"


COLUMNS = (
    Column("Name", lambda r: r.name),
    Column("Status", lambda r: r.status, bold=lambda r: r.status.startswith("Overdue")),
    Column("Notes", lambda r: "", stretch=True),
)


class WarnedModel(RecordTableModel[Row]):
    """Overdue statuses have a warning icon beside them, as the team overview's do."""

    def __init__(self) -> None:
        super().__init__(COLUMNS)
        self.icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 1:
            return self.icon if self.record(index.row()).status.startswith("Overdue") else None
        return super().data(index, role)


def shown(qtbot: QtBot, rows: list[Row], model: RecordTableModel[Row] | None = None) -> RecordTable:
    """A table showing `rows` by name, fitted as a panel fits its list when it loads."""
    model = RecordTableModel(COLUMNS) if model is None else model
    table = RecordTable(model, RecordFilterProxy(model), "Actions")
    qtbot.addWidget(table)
    table.sort_by(0, Qt.SortOrder.AscendingOrder)
    table.resize(900, 500)
    table.show()
    qtbot.waitExposed(table)
    model.set_records(rows)
    table.fit_columns()
    return table


def test_a_bold_cell_far_down_a_long_list_is_not_cut(qtbot: QtBot) -> None:
    rows = [Row(f"Jill Illit {n:04}") for n in range(ROWS)]
    rows[FAR_DOWN] = Row("Jill Illit 1200", "Overdue: agree the plan with")

    table = shown(qtbot, rows)

    assert cut_cells(table.view, "Status") == []


def test_a_cell_with_an_icon_far_down_a_long_list_is_not_cut(qtbot: QtBot) -> None:
    rows = [Row(f"Jill Illit {n:04}") for n in range(ROWS)]
    rows[FAR_DOWN] = Row("Jill Illit 1200", "Overdue: 12/03/2026")

    table = shown(qtbot, rows, WarnedModel())

    assert table.view.model().index(FAR_DOWN, 1).data(Qt.ItemDataRole.DecorationRole) is not None
    assert cut_cells(table.view, "Status") == []


def test_the_widest_name_is_not_cut_though_another_has_more_letters(qtbot: QtBot) -> None:
    rows = [Row(f"{'Ann' if n < FAR_DOWN else 'Cat'} Illit {n:04}") for n in range(ROWS)]
    rows += [Row("Bea Mwamba-Wawrzyniak"), Row("Ann Lili Filliti Illiti-Tilli")]

    table = shown(qtbot, rows)

    assert table.view.model().index(FAR_DOWN + 1, 0).data() == "Bea Mwamba-Wawrzyniak"
    assert cut_cells(table.view, "Name") == []


def test_a_list_not_read_yet_says_nothing_then_says_it_is_empty_once_it_is(
    qtbot: QtBot,
) -> None:
    model: RecordTableModel[Row] = RecordTableModel(COLUMNS)
    table = RecordTable(model, RecordFilterProxy(model), "Workers")
    qtbot.addWidget(table)
    table.set_empty_texts("No one has been added yet.", "No one matches.")
    table.show()
    qtbot.waitExposed(table)

    # Painted before its rows arrive, as at start-up: never "no one" over a full store.
    assert not table.is_showing_records()
    assert table.message() == ""

    model.set_records([])
    assert table.message() == "No one has been added yet."
    model.set_records([Row("Ann Illit")])
    assert table.is_showing_records()
