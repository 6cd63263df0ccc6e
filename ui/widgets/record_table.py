"""A sortable table of records that gives way to a helpful sentence when it has no rows."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QPalette, QShortcut
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
from ui.widgets.elided_delegate import ElidedTextDelegate

# Columns fit the rows Qt measures (the first few: through Qt, each costs a dozen calls
# into Python) and the widest text of all rows, found here in the font it is shown in.
RESIZE_PRECISION_ROWS = 20
LONG_TEXT_MIN_CHARS = 12  # a long text column shares the width, but keeps this much
MEASURED_WHOLE = 8  # the texts of a column measured whole, the widest by their characters


def widest(texts: Collection[str], metrics: QFontMetrics) -> tuple[int, list[str]]:
    """The width of the widest of `texts`, and the few widest texts. Measuring each through
    Qt would take a moment for two thousand names, and the one with most characters is not
    always the widest ("Ελένη Παπαδοπούλου" is wider than "Lili Fitt-Illingworth"): texts
    are ranked by the sum of their characters' widths, and the widest few measured whole."""
    if not texts:
        return 0, []
    advance = {c: metrics.horizontalAdvance(c) for c in set("".join(texts))}
    ranked = heapq.nlargest(MEASURED_WHOLE, texts, key=lambda t: sum(map(advance.__getitem__, t)))
    return max(metrics.horizontalAdvance(text) for text in ranked), ranked


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
        self._wanted: list[int] = []  # each column's width for its whole text (fit_columns)
        self.view = QTableView()
        self.view.setModel(proxy)
        self.view.setItemDelegate(ElidedTextDelegate(self.view))
        self.view.viewport().installEventFilter(self)
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

    def fit_columns(self, *, through_qt: bool = True) -> None:
        """Sizes columns to their contents. Short columns (dates, statuses, counts, names)
        get their whole width first; long text columns (those that stretch) share what is
        left fairly (the shortest first) and elide, a tooltip showing what is cut; any
        width to spare goes to the long text columns.

        Without `through_qt`, cells are measured by their text alone, not also by Qt asking
        the first rows' cells for their size (a dozen calls into Python each): for a
        table of plain text that must be shown within a frame (search results)."""
        header = self.view.horizontalHeader()
        average = self.view.fontMetrics().averageCharWidth()
        wanted = []
        for number, column in enumerate(self._model.columns):
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Interactive)
            texts = self._model.column_texts(number)
            cells, widest_texts = self._longest_text_width(number, texts)
            if through_qt:
                # Qt measures a cell whole (with an icon beside its text, say): the first
                # rows, and those holding the widest texts, wherever they are in the list.
                measured = max(
                    self.view.sizeHintForColumn(number),
                    self._cells_width(number, texts, widest_texts),
                )
                cells = max(measured, cells)
            padded = max(self._header_width(column.header), cells) + average * 2
            wanted.append(padded if column.stretch else min(padded, average * column.max_chars))
        self._wanted = wanted
        self.share_width()

    def share_width(self) -> None:
        """Lays the columns out across the table's width (see fit_columns)."""
        if len(self._wanted) != len(self._model.columns):
            return
        header = self.view.horizontalHeader()
        room = self.view.viewport().width()
        long_text = [n for n, column in enumerate(self._model.columns) if column.stretch]
        widths = list(self._wanted)
        spare = room - sum(widths)
        # Long text columns share what short columns leave, fairly, and elide beyond it.
        if long_text and spare != 0:
            least = self.view.fontMetrics().averageCharWidth() * LONG_TEXT_MIN_CHARS
            left = max(0, room - sum(w for n, w in enumerate(widths) if n not in long_text))
            # The shortest texts are given their whole width first; the longest share the rest.
            waiting = sorted(long_text, key=self._wanted.__getitem__)
            while waiting:
                fair = left // len(waiting)
                n = waiting.pop(0)
                widths[n] = max(min(self._wanted[n], fair), min(least, self._wanted[n]))
                left = max(0, left - widths[n])
            widths[long_text[-1]] += left  # what no text needs goes to the last long column
        for number, width in enumerate(widths):
            header.resizeSection(number, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self.share_width()
        return super().eventFilter(watched, event)

    def _header_width(self, text: str) -> int:
        """The heading's width with room for the sort arrow. Qt's own measure makes room
        for an arrow as wide as the heading is high, too wide for a two-line heading."""
        header = self.view.horizontalHeader()
        metrics = header.fontMetrics()
        margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        return metrics.size(0, text).width() + metrics.height() + margin * 4

    def _longest_text_width(self, number: int, texts: Sequence[str]) -> tuple[int, list[str]]:
        """The width of the column's widest text with the margins Qt gives it, and the
        widest few texts."""
        column = self._model.columns[number]
        margins = self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) * 2
        font = self.view.font()
        if column.bold is not None:  # some cells are bold: the widest may be one of them
            font.setBold(True)
        width, widest_texts = widest(set(texts), QFontMetrics(font))
        return width + margins + 2, widest_texts

    def _cells_width(self, number: int, texts: Sequence[str], chosen: Collection[str]) -> int:
        """Qt's width for the cells of column `number` holding `chosen` (the first row of
        each, when shown); `texts` are the column's, row by row of the model."""
        width = 0
        for text in chosen:
            shown = self._proxy.mapFromSource(self._model.index(texts.index(text), number))
            if shown.isValid():
                width = max(width, self.view.sizeHintForIndex(shown).width())
        return width

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
        if not self._model.filled:
            self.empty.setText("")  # not read yet: saying "nothing here" would be untrue
        else:
            self.empty.setText(self._no_records if empty else self._no_matches)
        self.setCurrentIndex(1)
