"""A sortable table of records that gives way to a helpful sentence when it has no rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models.table import RecordFilterProxy, RecordTableModel

# Columns fit the rows Qt measures (the first hundred) and the longest text of all rows,
# measured here: measuring every row through Qt would take a moment on a long list.
RESIZE_PRECISION_ROWS = 100


class RecordTable(QStackedWidget):
    counts_changed = Signal(int, int)  # rows shown, rows in all
    open_requested = Signal()  # double-click, Return or Enter on a row

    def __init__(
        self,
        model: RecordTableModel[Any],
        proxy: RecordFilterProxy[Any],
        accessible_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._proxy = proxy
        self._no_records = ""
        self._no_matches = "Nothing matches what you asked for."
        self.view = QTableView()
        self.view.setModel(proxy)
        self.view.setAccessibleName(accessible_name)
        self._configure_view()
        self.view.doubleClicked.connect(self._open_at)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self._open_current)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMaximumWidth(self.empty.fontMetrics().averageCharWidth() * 64)
        self.empty.setAccessibleName(f"{accessible_name}: message")
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        frame.setBackgroundRole(QPalette.ColorRole.Base)
        frame.setAutoFillBackground(True)
        frame_layout = QVBoxLayout(frame)
        frame_layout.setContentsMargins(48, 48, 48, 48)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(self.empty, 4)
        middle.addStretch(1)
        frame_layout.addStretch(1)
        frame_layout.addLayout(middle)
        frame_layout.addStretch(2)
        self.addWidget(self.view)
        self.addWidget(frame)
        for signal in (
            proxy.modelReset,
            proxy.rowsInserted,
            proxy.rowsRemoved,
            proxy.layoutChanged,
        ):
            signal.connect(self._show_state)

    def _configure_view(self) -> None:
        view = self.view
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setSortingEnabled(True)
        view.setWordWrap(False)
        view.setTabKeyNavigation(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.verticalHeader().setVisible(False)
        header = view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setResizeContentsPrecision(RESIZE_PRECISION_ROWS)
        header.setStretchLastSection(False)
        line_height = view.fontMetrics().height()
        view.verticalHeader().setDefaultSectionSize(int(line_height * 1.9))

    def set_empty_texts(self, no_records: str, no_matches: str) -> None:
        self._no_records = no_records
        self._no_matches = no_matches
        self._show_state()

    def fit_to_first_rows(self, rows: int) -> None:
        """Sizes columns from the first `rows` rows only: enough for a long list."""
        self.view.horizontalHeader().setResizeContentsPrecision(rows)

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        self.view.sortByColumn(column, order)

    def fit_columns(self) -> None:
        """Sizes columns to their contents, within reason; one column takes the spare width."""
        header = self.view.horizontalHeader()
        average = self.view.fontMetrics().averageCharWidth()
        for number, column in enumerate(self._model.columns):
            if column.stretch:
                header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch)
                continue
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Interactive)
            self.view.resizeColumnToContents(number)
            padded = max(header.sectionSize(number), self._longest_text_width(number)) + average * 3
            header.resizeSection(number, min(padded, average * column.max_chars))

    def _longest_text_width(self, number: int) -> int:
        column = self._model.columns[number]
        model = self._model
        longest = max(
            (column.display(model.record(row)) for row in range(model.rowCount())),
            key=len,
            default="",
        )
        margins = self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) * 2
        return self.view.fontMetrics().horizontalAdvance(longest) + margins + 2

    def _open_at(self, index: QModelIndex) -> None:
        if index.isValid():
            self.view.selectRow(index.row())
            self.open_requested.emit()

    def _open_current(self) -> None:
        if self.view.selectionModel().hasSelection():
            self.open_requested.emit()

    def is_showing_records(self) -> bool:
        return self.currentWidget() is self.view

    def message(self) -> str:
        return "" if self.is_showing_records() else self.empty.text()

    def _show_state(self, *_: object) -> None:
        self.counts_changed.emit(self._proxy.rowCount(), self._model.rowCount())
        if self._proxy.rowCount() > 0:
            self.setCurrentWidget(self.view)
            return
        empty = self._model.rowCount() == 0
        self.empty.setText(self._no_records if empty else self._no_matches)
        self.setCurrentIndex(1)
