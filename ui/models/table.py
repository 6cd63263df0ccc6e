"""A read-only table model over a list of plain records, and a proxy that filters it.

Each column says how a record reads (display), how it sorts (a str, int or float) and
whether it is the column that takes up spare width.

The model sorts itself, one key per row: with two thousand rows, Qt comparing them two at
a time through Python would take a noticeable moment. Text sorts as the laptop's language
sorts it (QCollator), so "Åsa" comes with the A's; rows that tie keep the order they were
loaded in, as a stable sort would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QLocale,
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

# The roles the model answers: a view asks each cell for a dozen at every paint, most of
# which (colours, icons, check states) it has nothing for.
ANSWERED = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.TextAlignmentRole,
        SORT_ROLE,
        RECORD_ROLE,
    )
)


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    display: Callable[[T], str]
    sort: Callable[[T], str | int | float] | None = None
    stretch: bool = False
    centred: bool = False
    bold: Callable[[T], bool] | None = None
    tooltip: bool = False  # the cell's text as its tooltip, or tooltip_text's when given
    tooltip_text: Callable[[T], str] | None = None
    description: str = field(default="")
    max_chars: int = 40


def collation_locale() -> QLocale:
    """The laptop's language; British English where it has none (the "C" locale of a bare
    system compares code points, which would put "Åsa" after "Zoë")."""
    system = QLocale()
    return QLocale("en_GB") if system.language() == QLocale.Language.C else system


class RecordTableModel(QAbstractTableModel, Generic[T]):
    def __init__(self, columns: Sequence[Column[T]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._loaded: list[T] = []  # as given: rows that tie in a sort keep this order
        self._order: list[int] = []  # the row shown at each place, as an index of _loaded
        self._records: list[T] = []  # as shown
        self._search: list[str | None] = []  # made when first asked for
        self._sort_keys: dict[int, list[Any]] = {}  # per column, made when first sorted on
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None
        self._collator = QCollator(collation_locale())
        self._collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._collator.setNumericMode(True)
        self._bold = QFont()
        self._bold.setBold(True)
        # Asked for by every cell at every paint: made once, not of Python enums each time.
        self._alignment = [_alignment(column) for column in self._columns]
        # False until the first set_records: an empty model then means "not read yet", and
        # a view must not say there is nothing (a long list takes a moment to arrive).
        self.filled = False

    @property
    def columns(self) -> tuple[Column[T], ...]:
        return self._columns

    def set_records(self, records: Sequence[T]) -> None:
        """Shows `records`, in the order last sorted on (else as given)."""
        self.beginResetModel()
        self.filled = True
        self._loaded = list(records)
        self._sort_keys = {}
        self._order = self._ordered()
        self._records = [self._loaded[i] for i in self._order]
        self._search = [None] * len(self._records)
        self.endResetModel()

    def replace_record(self, row: int, record: T) -> None:
        """Shows `record` in place of the one at `row`, where it stays until the next sort;
        its search text and sort keys are made again when next asked for."""
        self._loaded[self._order[row]] = record
        self._records[row] = record
        self._search[row] = None
        self._sort_keys = {}
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Puts the rows in the column's order; what was selected stays selected."""
        if not 0 <= column < len(self._columns):
            return
        self._sorted_by = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self._order
        self._order = self._ordered()
        place = {loaded: row for row, loaded in enumerate(self._order)}
        searched = {loaded: self._search[row] for row, loaded in enumerate(before)}
        self._records = [self._loaded[i] for i in self._order]
        self._search = [searched[i] for i in self._order]
        kept = self.persistentIndexList()
        self.changePersistentIndexList(
            kept, [self.index(place[before[i.row()]], i.column()) for i in kept]
        )
        self.layoutChanged.emit()

    def _ordered(self) -> list[int]:
        rows = range(len(self._loaded))
        if self._sorted_by is None:
            return list(rows)
        column, order = self._sorted_by
        keys = self._keys(column)
        return sorted(rows, key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)

    def _keys(self, number: int) -> list[Any]:
        """The column's sort key for each loaded row; text as the collator orders it."""
        keys = self._sort_keys.get(number)
        if keys is None:
            column = self._columns[number]
            raw = [self._sort_value(column, record) for record in self._loaded]
            keys = [self._collator.sortKey(k) if isinstance(k, str) else k for k in raw]
            self._sort_keys[number] = keys
        return keys

    @staticmethod
    def _sort_value(column: Column[T], record: T) -> str | int | float:
        return column.sort(record) if column.sort else searchable(column.display(record))

    def record(self, row: int) -> T:
        return self._records[row]

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        """How column `column`'s cells align their text."""
        return self._alignment[column]

    def records(self) -> Sequence[T]:
        """Every record, as shown."""
        return self._records

    def column_texts(self, number: int) -> Sequence[str]:
        """What column `number` shows, row by row, as shown."""
        display = self._columns[number].display
        return [display(record) for record in self._records]

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
        if role not in ANSWERED or not index.isValid():
            return None
        record = self._records[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(record)
        if role == SORT_ROLE:
            return self._sort_value(column, record)
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip_text:
            return column.tooltip_text(record)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.display(record)
        if role == Qt.ItemDataRole.FontRole and column.bold and column.bold(record):
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment[index.column()]
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


def _alignment(column: Column[Any]) -> Qt.AlignmentFlag:
    horizontal = Qt.AlignmentFlag.AlignHCenter if column.centred else Qt.AlignmentFlag.AlignLeft
    return horizontal | Qt.AlignmentFlag.AlignVCenter


class RecordFilterProxy(QSortFilterProxyModel, Generic[T]):
    """Keeps rows holding every typed word and passing a test; sorting is the model's own.

    Matching ignores case and accents, so typing "zoe" finds "Zoë".
    """

    def __init__(self, source: RecordTableModel[T], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._words: tuple[str, ...] = ()
        self._keep: Callable[[T], bool] | None = None
        self.setSourceModel(source)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._source.sort(column, order)

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
