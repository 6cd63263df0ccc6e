"""Draws the search results' cells: plain text as Qt's own delegate draws it, and each
snippet on one line with its matched words in bold, cut short with "…" where the column
ends.

A page of results must be on screen within a frame. Qt's own delegate asks the model for a
dozen roles per cell and lays each cell's text out afresh at every paint; the rich text
this replaced was slower still. Here a cell costs one question to the model (PAINT_ROLE:
the text, or the snippet's pieces, made when the rows were) and, at a width it has drawn
at before, no measuring: what fits is kept, for as many cells as a screen or two holds.

Only value types (QFont, QColor, QRect, str) are handed to the painter, so nothing Qt
still uses belongs to Python.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem, QWidget

from ui.models.search_results import PAINT_ROLE, Segments
from ui.widgets.elided_delegate import ElidedTextDelegate

KEPT_LINES = 512  # cells' fitted text kept: several screens of six columns
Run = tuple[int, str, bool]  # where a piece starts (from the text's left), its text, bold

_ELIDE = Qt.TextElideMode.ElideRight
# As plain numbers: Python's flag enums cost more than the drawing they decide.
_SELECTED = QStyle.StateFlag.State_Selected.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_CENTRED = Qt.AlignmentFlag.AlignHCenter.value
_PEN_ROLES = {
    (group, selected): (
        group,
        QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text,
    )
    for group in (
        QPalette.ColorGroup.Normal,
        QPalette.ColorGroup.Disabled,
        QPalette.ColorGroup.Inactive,
    )
    for selected in (False, True)
}


def fitted(pieces: Segments, width: int, plain: QFontMetrics, bold: QFontMetrics) -> list[Run]:
    """The pieces that fit in `width`, the matched ones in bold; the last one that does
    not fit whole is cut short with "…" (the one before it, when not even "…" fits)."""
    runs: list[Run] = []
    x = 0
    for text, matched in pieces:
        metrics = bold if matched else plain
        advance = metrics.horizontalAdvance(text)
        if x + advance <= width:
            runs.append((x, text, matched))
            x += advance
            continue
        cut = metrics.elidedText(text, _ELIDE, width - x)
        if cut:
            runs.append((x, cut, matched))
        elif runs:
            start, before, was_matched = runs.pop()
            metrics = bold if was_matched else plain
            cut = metrics.elidedText(before + text, _ELIDE, width - start)
            runs.append((start, cut, was_matched))
        break
    return runs


class ResultDelegate(ElidedTextDelegate):
    """Draws every cell of a table whose model answers PAINT_ROLE; `alignments` are its
    columns' (from RecordTableModel's columns)."""

    def __init__(self, alignments: Sequence[Qt.AlignmentFlag], parent: QObject | None = None):
        super().__init__(parent)
        self._centred = [bool(a.value & _CENTRED) for a in alignments]
        self._lines: OrderedDict[tuple[object, int], str | list[Run]] = OrderedDict()
        self._font = QFont()  # the font of the lines kept
        self._bold = _bold(self._font)

    def line(self, cell: str | Segments, width: int, font: QFont) -> str | list[Run]:
        """What of `cell` is drawn in `width`: the text, cut short with "…" where it does not
        fit, or for a snippet its runs (see `fitted`)."""
        if font != self._font:
            self._lines.clear()
            self._font = QFont(font)
            self._bold = _bold(font)
        key = (cell, width)
        kept = self._lines.get(key)
        if kept is not None:
            self._lines.move_to_end(key)
            return kept
        plain = QFontMetrics(font)
        shown: str | list[Run]
        if isinstance(cell, str):
            shown = plain.elidedText(cell, _ELIDE, width)
        else:
            shown = fitted(cell, width, plain, QFontMetrics(self._bold))
        self._lines[key] = shown
        if len(self._lines) > KEPT_LINES:
            self._lines.popitem(last=False)
        return shown

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        cell = index.data(PAINT_ROLE)
        if cell is None:
            super().paint(painter, option, index)
            return
        widget: QWidget | None = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The background, selection and focus frame, as Qt draws them; the option has no text.
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)

        # The text's colour, as QCommonStyle chooses it for an item.
        state = option.state.value
        if not state & _ENABLED:
            group = QPalette.ColorGroup.Disabled
        elif state & _ACTIVE:
            group = QPalette.ColorGroup.Normal
        else:
            group = QPalette.ColorGroup.Inactive
        pen = _PEN_ROLES[group, bool(state & _SELECTED)]
        # As QCommonStyle insets an item's text: the focus frame's margin and a pixel.
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        rect = option.rect
        font = option.font
        width = rect.width() - 2 * margin
        shown = self.line(cell, width, font)
        metrics = option.fontMetrics
        # Centred as Qt centres a line of text in a rectangle (drawText with AlignVCenter,
        # which lays the text out again: several times slower than drawing it at a point).
        baseline = rect.top() + (rect.height() - metrics.height()) // 2 + metrics.ascent()
        left = rect.left() + margin
        painter.save()
        painter.setPen(option.palette.color(*pen))
        painter.setFont(font)
        if isinstance(shown, str):
            if self._centred[index.column()]:
                left += (width - metrics.horizontalAdvance(shown)) // 2
            painter.drawText(left, baseline, shown)
        else:
            bold = self._bold
            for x, text, matched in shown:
                painter.setFont(bold if matched else font)
                painter.drawText(left + x, baseline, text)
        painter.restore()


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold
