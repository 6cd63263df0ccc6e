"""A read-only table model over a list of plain records, and a proxy that sorts and filters it.

Each column says how a record reads (display), how it sorts (a str, int or float Qt can
compare natively) and whether it is the column that takes up spare width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from ui.formatting import searchable

T = TypeVar("T")

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    display: Callable[[T], str]
    sort: Callable[[T], str | int | float] | None = None
    stretch: bool = False
    centred: bool = False
    bold: Callable[[T], bool] | None = None
    tooltip: bool = False
    description: str = field(default="")
    max_chars: int = 40


class RecordTableModel(QAbstractTableModel, Generic[T]):
    def __init__(self, columns: Sequence[Column[T]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._records: list[T] = []
        self._search: list[str | None] = []  # made when first asked for
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def columns(self) -> tuple[Column[T], ...]:
        return self._columns

    def set_records(self, records: Sequence[T]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self._search = [None] * len(self._records)
        self.endResetModel()

    def record(self, row: int) -> T:
        return self._records[row]

    def search_text(self, row: int) -> str:
        """What a typed word is looked for in: every column's text, case and accents gone."""
        text = self._search[row]
        if text is None:
            shown = " ".join(column.display(self._records[row]) for column in self._columns)
            text = self._search[row] = searchable(shown)
        return text

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._records[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(record)
        if role == SORT_ROLE:
            return column.sort(record) if column.sort else searchable(column.display(record))
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.display(record)
        if role == Qt.ItemDataRole.FontRole and column.bold and column.bold(record):
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignHCenter if column.centred else Qt.AlignmentFlag.AlignLeft
            )
            return horizontal | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole and column.description:
            return column.description
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignHCenter if column.centred else Qt.AlignmentFlag.AlignLeft
            )
            return horizontal | Qt.AlignmentFlag.AlignVCenter
        return None


class RecordFilterProxy(QSortFilterProxyModel, Generic[T]):
    """Sorts on each column's sort key; keeps rows holding every typed word and passing a test.

    Matching ignores case and accents, so typing "zoe" finds "Zoë".
    """

    def __init__(self, source: RecordTableModel[T], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._words: tuple[str, ...] = ()
        self._keep: Callable[[T], bool] | None = None
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortLocaleAware(True)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = tuple(searchable(text).split())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_keep(self, keep: Callable[[T], bool] | None) -> None:
        self.beginFilterChange()
        self._keep = keep
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def record(self, row: int) -> T:
        source_row = self.mapToSource(self.index(row, 0)).row()
        return self._source.record(source_row)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self._keep is not None and not self._keep(self._source.record(source_row)):
            return False
        if not self._words:
            return True
        text = self._source.search_text(source_row)
        return all(word in text for word in self._words)
